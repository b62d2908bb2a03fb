// The gate between two stages of a sync: what the next stage's resources depend on. A HealthGate
// watches the stage's managed resources until they are Healthy; hooks wait for themselves.
import type * as pulumi from "@pulumi/pulumi";
import type { CustomHealthRules } from "./health/assess";
import { HealthGate, type HealthGateArgs } from "./providers/health-gate";

export function stageGate(
    parent: pulumi.ComponentResource,
    members: pulumi.Resource[],
    args: HealthGateArgs,
    rules: CustomHealthRules,
): pulumi.Resource[] {
    if (args.resources.length === 0) return members;
    return [new HealthGate(`${args.application}:${args.stage}`, args, rules, { parent, dependsOn: members })];
}
