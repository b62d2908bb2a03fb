#!/usr/bin/env bash
# The demo: the local cluster up, the dev stack synced wave by wave, then what runs and its health.
# Runs inside the toolchain environment (npm run demo).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Local cluster"
node -r ts-node/register/transpile-only cli/cluster/cluster-command.ts up

step "Stack dev (state: ${PULUMI_BACKEND_URL})"
[[ "$PULUMI_BACKEND_URL" == file://* ]] && mkdir -p "${PULUMI_BACKEND_URL#file://}"
pulumi stack select dev --create --non-interactive >/dev/null
pulumi config --show-secrets=false --stack dev | head -n 3 >/dev/null

step "pulumi up: PreSync hooks, then each wave behind its gate, then PostSync hooks"
# --refresh first reads the live cluster, so a reset cluster or a manual change is synced back too.
pulumi up --yes --skip-preview --refresh --stack dev --non-interactive

step "What runs now"
kubectl get namespace shop monitoring
kubectl get featureflags,configmaps,serviceaccounts,roles,rolebindings,deployments,services,ingresses,jobs -n shop
kubectl get persistentvolumeclaims,deployments,services -n monitoring

step "Health, as the gates and hooks of the last sync saw it"
node -r ts-node/register/transpile-only cli/commands/stack-health.ts dev

step "Revisions recorded in the stack"
pulumi stack output syncwave --stack dev --json | node -e '
  const out = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const [app, s] of Object.entries(out)) console.log(`${app}: ${s.repoURL}@${s.targetRevision} = ${s.revision} (${s.stages.length} stages)`);'

