#!/usr/bin/env bash
# The demo: the local cluster up, the dev stack synced wave by wave, then what runs and its health;
# then the release demo: a bad release rolled back automatically and the notification that said so.
# Runs inside the toolchain environment (npm run demo).
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm run demo -- fleet`: the fleet demo instead (app of apps, an ApplicationSet over two clusters).
if [[ "${1:-}" == fleet ]]; then exec bash examples/demo-fleet.sh; fi
# `npm run demo -- release`: only the release demo (a bad release rolled back automatically, and the notification).
if [[ "${1:-}" == release ]]; then exec bash examples/demo-release.sh; fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Local cluster"
node -r ./cli/bin/require-ts.js cli/cluster/cluster-command.ts up

step "Stack dev (state: ${PULUMI_BACKEND_URL})"
[[ "$PULUMI_BACKEND_URL" == file://* ]] && mkdir -p "${PULUMI_BACKEND_URL#file://}"
pulumi stack select dev --create --non-interactive >/dev/null
pulumi config --show-secrets=false --stack dev | head -n 3 >/dev/null

syncwave() { node -r ./cli/bin/require-ts.js cli/main.ts --stack dev "$@"; }

step "syncwave sync: preview, then PreSync hooks, each wave behind its health gate, PostSync hooks"
# The sync refreshes first, so a reset cluster or a manual change is synced back too. Progress goes
# to stderr as each object is applied and each gate passes; the health table follows.
syncwave sync

step "What runs now"
kubectl get namespace shop monitoring
kubectl get featureflags,configmaps,serviceaccounts,roles,rolebindings,deployments,services,ingresses,jobs -n shop
kubectl get persistentvolumeclaims,deployments,services -n monitoring

step "Sync status and live health"
syncwave status

step "The stack history: every sync with the commit of each Application"
syncwave history | head -n 6

# A bad release, rolled back automatically, and the notification that reported it.
bash examples/demo-release.sh

step "The web UI: applications, resource trees by wave, history, diff and drift, updated live"
echo "npm run syncwave -- --stack dev ui --open        # http://127.0.0.1:8080/ (Ctrl-C stops it)"
