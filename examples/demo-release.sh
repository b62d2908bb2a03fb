#!/usr/bin/env bash
# The release demo (npm run demo -- release; the last part of npm run demo): a release whose pods
# crash is found Degraded by its health gate and rolled back to the last Healthy revision in the same
# sync, and the team's webhook is told (Argo CD Notifications' format). Its own git repository in a
# temporary folder, its own stack (release-demo), namespace release-demo on the local cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
syncwave() { node -r ./cli/bin/require-ts.js cli/main.ts --stack release-demo "$@"; }

work="$(mktemp -d /tmp/syncwave-release-demo-XXXXXX)"
receiver_pid=""
cleanup() { [[ -n "$receiver_pid" ]] && kill "$receiver_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# One Deployment; a bad release's pods crash (the local cluster's simulated pods read the annotation).
release() {
  local image="$1" crash="$2"
  cat > "$work/repo/web/deployment.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata:
      labels: { app: web }
      annotations: { syncwave.dev/fail: "$crash", syncwave.dev/fail-message: "exit code 1: config key missing" }
    spec:
      containers: [{ name: web, image: "$image" }]
YAML
  git -C "$work/repo" add -A && git -C "$work/repo" commit -q -m "web $image"
  git -C "$work/repo" rev-parse --short=12 HEAD
}

step "Local cluster"
node -r ./cli/bin/require-ts.js cli/cluster/cluster-command.ts up >/dev/null
echo "running"

step "A webhook receiver for the team's notifications (127.0.0.1)"
node examples/release/receiver.js "$work/received.jsonl" "$work/port" &
receiver_pid=$!
for _ in $(seq 50); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port="$(cat "$work/port")"
echo "listening on port $port"

step "Stack release-demo: Application web, automated, autoRollback, subscribed to on-sync-failed and on-rolled-back"
mkdir -p "$work/repo/web"
git init -q -b main "$work/repo"
git -C "$work/repo" config user.email demo@example.com
git -C "$work/repo" config user.name demo
[[ "$PULUMI_BACKEND_URL" == file://* ]] && mkdir -p "${PULUMI_BACKEND_URL#file://}"
# A rerun starts over: the previous run's stack goes first.
if pulumi stack select release-demo --non-interactive >/dev/null 2>&1; then
  pulumi destroy --yes --skip-preview --stack release-demo >/dev/null
  pulumi stack rm --yes --force --stack release-demo >/dev/null
fi
cat > stacks/Pulumi.release-demo.yaml <<YAML
config:
  syncwave:healthTimeout: 2m
  # A crashing pod counts as Degraded once it has failed for this long.
  syncwave:degradedGrace: 5s
  syncwave:platform:
    projects:
      team:
        sourceRepos: ["file://$work/repo"]
        destinations: [{ server: https://kubernetes.default.svc, namespace: release-demo }]
        clusterResourceWhitelist: [{ group: "", kind: Namespace }]
    applications:
      web: [team]
  syncwave:applications:
    web:
      project: team
      source: { repoURL: "file://$work/repo", targetRevision: main, path: web }
      destination: { server: https://kubernetes.default.svc, namespace: release-demo }
      syncPolicy:
        automated: { prune: true }
        syncOptions: [CreateNamespace=true]
      autoRollback: true
      annotations:
        notifications.argoproj.io/subscribe.on-sync-failed.team: ""
        notifications.argoproj.io/subscribe.on-rolled-back.team: ""
  # argocd-notifications-cm's data: the team's webhook and what each trigger sends to it.
  syncwave:notifications:
    service.webhook.team:
      url: "http://127.0.0.1:$port"
      headers: [{ name: Content-Type, value: application/json }]
    template.app-sync-failed:
      webhook:
        team:
          method: POST
          path: /sync-failed
          body: '{"app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "health": "{{.app.status.health.status}}"}'
    template.app-rolled-back:
      webhook:
        team:
          method: POST
          path: /rolled-back
          body: '{"app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "why": "{{range .app.status.operationState.operation.info}}{{if eq .name "rollback"}}{{.value}}{{end}}{{end}}"}'
YAML
pulumi stack init release-demo --non-interactive >/dev/null 2>&1
echo "stack release-demo, repository $work/repo"

step "Release 1 (web:1.0): synced, Healthy"
good="$(release example.com/web:1.0 false)"
syncwave sync

step "Release 2 (web:1.1) crashes on start: its gate finds it Degraded, and it is rolled back in the same sync"
bad="$(release example.com/web:1.1 true)"
echo "good $good, bad $bad"
if syncwave sync; then echo "unexpected: the bad release synced"; exit 1; fi
echo "(syncwave sync exited non-zero: the release failed, and a pipeline must know)"

step "What runs now: web:1.0 again, pinned until 'syncwave unpin web'"
kubectl get deployment web -n release-demo -o jsonpath='{.spec.template.spec.containers[0].image}{"  ready "}{.status.readyReplicas}{"/"}{.spec.replicas}{"\n"}'
syncwave status

step "The history: the failed release, then the automatic rollback with its reason"
syncwave history | head -n 4

step "What the team's webhook received"
cat "$work/received.jsonl"
