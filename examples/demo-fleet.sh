#!/usr/bin/env bash
# The fleet demo (npm run demo -- fleet): two local clusters, then the fleet stack: an app of apps whose
# child waves wait for health and whose worker depends on its queue, and an ApplicationSet that
# generates one Application per service and cluster, rolled out dev first, then prod.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cluster() { node -r ./cli/bin/require-ts.js cli/cluster/cluster-command.ts "$@"; }
syncwave() { node -r ./cli/bin/require-ts.js cli/main.ts --stack fleet "$@"; }

step "Two local clusters: the default one (env dev) and 'second' (env prod)"
cluster up
cluster up --name second

step "Stack fleet (state: ${PULUMI_BACKEND_URL})"
[[ "$PULUMI_BACKEND_URL" == file://* ]] && mkdir -p "${PULUMI_BACKEND_URL#file://}"
pulumi stack select fleet --create --non-interactive >/dev/null

step "syncwave appset generate: what the ApplicationSet generates, offline"
syncwave appset generate examples/fleet/appsets/services.yaml

step "syncwave diff: Applications added before any of their objects"
syncwave diff

step "syncwave sync: root, its children by wave (worker after queue), then services dev, then prod"
syncwave sync

step "What runs now"
kubectl get deployments,configmaps -n fleet-apps
kubectl get configmaps -n fleet-services
kubectl --kubeconfig .syncwave/clusters/second/kubeconfig get configmaps -n fleet-services

step "Sync status and live health"
syncwave status
