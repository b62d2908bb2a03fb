#!/usr/bin/env bash
# Runs a command with the SyncWave toolchain environment (Node 24 and the toolchain first on PATH).
# Every npm script goes through here, so none of them runs under an older system Node.
set -euo pipefail
dir="$(dirname "${BASH_SOURCE[0]}")"
source "$dir/lib.sh"
if [[ ! -x "$NODE_DIR/bin/node" ]]; then
  echo "syncwave: the toolchain is not built yet (no Node $NODE_VERSION in $SYNCWAVE_CACHE): run 'npm run setup' first." >&2
  exit 1
fi
eval "$(bash "$dir/env.sh")"
exec "$@"
