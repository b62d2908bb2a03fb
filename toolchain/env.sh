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
export PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://$SYNCWAVE_HOME/state}"
# Local stacks only: a real deployment sets its own passphrase or secrets provider.
export PULUMI_CONFIG_PASSPHRASE="\${PULUMI_CONFIG_PASSPHRASE-syncwave-local-only}"
export KUBECONFIG="\${SYNCWAVE_KUBECONFIG:-$SYNCWAVE_HOME/cluster/kubeconfig}"
ENV
