#!/usr/bin/env bash
# Prints the shell exports that put the SyncWave toolchain first on PATH:
#   eval "$(npm run --silent env)"
# With `--backend s3` the Pulumi state lives in the local S3 server (`npm run s3 -- up`) instead of
# a folder: PULUMI_BACKEND_URL points at it and the AWS_* credentials are its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

backend=file
while (($#)); do
  case "$1" in
    --backend) backend="${2:-}"; shift 2 || shift ;;
    --backend=*) backend="${1#--backend=}"; shift ;;
    *) echo "env: unknown argument $1 (use --backend file|s3)" >&2; exit 2 ;;
  esac
done
# The backend line: a PULUMI_BACKEND_URL already set wins for the folder backend only; asking for s3
# means this server.
backend_exports="export PULUMI_BACKEND_URL=\"\${PULUMI_BACKEND_URL:-file://$SYNCWAVE_HOME/state}\""
case "$backend" in
  file) ;;
  s3)
    s3_home="$SYNCWAVE_HOME/s3"
    if [[ ! -f "$s3_home/credentials.env" || ! -f "$s3_home/server.env" ]]; then
      echo "env: no local S3 server in $s3_home: run 'npm run s3 -- up' first" >&2
      exit 1
    fi
    [[ -f "$s3_home/server.pid" ]] || echo "env: the local S3 server is stopped: 'npm run s3 -- up' starts it again" >&2
    # Read, never sourced: the files hold values only.
    value() { sed -n "s/^$1=//p" "$2" | tail -n 1; }
    backend_exports="export PULUMI_BACKEND_URL=\"$(value PULUMI_BACKEND_URL "$s3_home/server.env")\"
export AWS_ACCESS_KEY_ID=\"$(value AWS_ACCESS_KEY_ID "$s3_home/credentials.env")\"
export AWS_SECRET_ACCESS_KEY=\"$(value AWS_SECRET_ACCESS_KEY "$s3_home/credentials.env")\""
    ;;
  *) echo "env: unknown backend '$backend' (use file or s3)" >&2; exit 2 ;;
esac
cat <<ENV
export PATH="$TOOLCHAIN_PATH:\$PATH"
export SYNCWAVE_CACHE="$SYNCWAVE_CACHE"
export SYNCWAVE_HOME="$SYNCWAVE_HOME"
export SYNCWAVE_PULUMI_ROOT="$PULUMI_DIR"
export SYNCWAVE_KUBERNETES_BIN="$KUBERNETES_DIR/bin"
export SYNCWAVE_ETCD_BIN="$ETCD_DIR/bin"
export SYNCWAVE_KWOK_BIN="$KWOK_DIR/bin"
export SYNCWAVE_PEERS_BIN="$PEERS_DIR/bin"
export SYNCWAVE_REGISTRY_BIN="$REGISTRY_DIR/bin/syncwave-registry"
export SYNCWAVE_S3_BIN="$S3_DIR/bin/syncwave-s3"
export PULUMI_HOME="$PULUMI_HOME_DIR"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Programs are type-checked by npm run build; at run time ts-node only transpiles (much faster).
# Set PULUMI_NODEJS_TRANSPILE_ONLY (to false, or empty for the tsconfig's noCheck) to type-check.
export PULUMI_NODEJS_TRANSPILE_ONLY="\${PULUMI_NODEJS_TRANSPILE_ONLY-true}"

# Node keeps the compiled code of every module it loads (the SDKs, the providers, SyncWave itself) on
# disk: a warm start of the CLI, the program, a provider or the policy pack parses nothing again.
export NODE_COMPILE_CACHE="\${NODE_COMPILE_CACHE:-$SYNCWAVE_CACHE/node-compile-cache}"
$backend_exports
# Local stacks only: a real deployment sets its own passphrase or secrets provider.
export PULUMI_CONFIG_PASSPHRASE="\${PULUMI_CONFIG_PASSPHRASE-syncwave-local-only}"
export KUBECONFIG="\${SYNCWAVE_KUBECONFIG:-$SYNCWAVE_HOME/cluster/kubeconfig}"
ENV
