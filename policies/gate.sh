#!/usr/bin/env bash
# The policy gate as CI runs it: a preview of each stack with the SyncWave policy pack and the
# platform team's configuration. Any mandatory violation fails the gate. Usage: gate.sh [STACK...]
# The pack cannot tell a preview from an update and judges an unannounced run as an update (sync
# windows enforced), so the gate says what it runs: previews.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${SYNCWAVE_POLICY_CONFIG:-policies/config/platform.json}"
stacks=("$@")
if ((${#stacks[@]} == 0)); then
  # The example stacks of the repository: not the ones demos and tests create beside them.
  if files="$(git ls-files 'stacks/Pulumi.*.yaml' 2>/dev/null)" && [[ -n "$files" ]]; then :; else files="$(ls stacks/Pulumi.*.yaml)"; fi
  for f in $files; do s="${f#stacks/Pulumi.}"; stacks+=("${s%.yaml}"); done
fi
node -r ./cli/bin/require-ts.js cli/cluster/cluster-command.ts up >/dev/null
# The fleet stack deploys to a second local cluster too.
for stack in "${stacks[@]}"; do
  if [[ "$stack" == fleet ]]; then node -r ./cli/bin/require-ts.js cli/cluster/cluster-command.ts up --name second >/dev/null; fi
done
[[ "$PULUMI_BACKEND_URL" == file://* ]] && mkdir -p "${PULUMI_BACKEND_URL#file://}"
for stack in "${stacks[@]}"; do
  echo "== policy gate: stack $stack (config $config)"
  pulumi stack select "$stack" --create --non-interactive >/dev/null
  # --refresh: compare with the live cluster, so state left by an earlier cluster never misleads the gate.
  SYNCWAVE_OPERATION=preview pulumi preview --refresh --stack "$stack" --non-interactive --policy-pack policies --policy-pack-config "$config"
done
