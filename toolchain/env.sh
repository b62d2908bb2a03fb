#!/usr/bin/env bash
# Prints the shell exports that put the SyncWave toolchain first on PATH:
#   eval "$(npm run --silent env)"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cat <<ENV
export PATH="$TOOLCHAIN_PATH:\$PATH"
export SYNCWAVE_CACHE="$SYNCWAVE_CACHE"
export SYNCWAVE_HOME="$SYNCWAVE_HOME"
export SYNCWAVE_PULUMI_ROOT="$PULUMI_DIR"
export SYNCWAVE_KUBERNETES_BIN="$KUBERNETES_DIR/bin"
export SYNCWAVE_ETCD_BIN="$ETCD_DIR/bin"
export SYNCWAVE_KWOK_BIN="$KWOK_DIR/bin"
export PULUMI_HOME="$PULUMI_HOME_DIR"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Programs are type-checked by npm run build; at run time ts-node only transpiles (much faster).
export PULUMI_NODEJS_TRANSPILE_ONLY=true
export PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://$SYNCWAVE_HOME/state}"
# Local stacks only: a real deployment sets its own passphrase or secrets provider.
export PULUMI_CONFIG_PASSPHRASE="\${PULUMI_CONFIG_PASSPHRASE-syncwave-local-only}"
export KUBECONFIG="\${SYNCWAVE_KUBECONFIG:-$SYNCWAVE_HOME/cluster/kubeconfig}"
ENV
