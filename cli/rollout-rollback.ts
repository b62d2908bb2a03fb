// Rolling back after a failed sync, the one mechanism for both of SyncWave's automatic rollbacks
// (beyond Argo CD, which has neither: Argo Rollouts backs out a bad release there):
// - a failed RollingSync step, with `syncwave.dev/rollback-on-failure: "true"` on the ApplicationSet:
//   every Application of the step goes back (Argo CD's progressive sync has no failure policy);
// - an Application with `autoRollback` (`syncwave.dev/auto-rollback: "true"`) whose gate found it
//   Degraded or timed out: that Application alone goes back, a step of one.
// Each goes to the last revision it ended Healthy at, pinned there (as `syncwave rollback` pins) and
// synced alone with the kind `auto-rollback` in the history. A rollout's later steps were never started:
// it halts at the failed step either way.
import type { ApplicationSetReport } from "../components/report";
import type { HistoryEntry } from "./commands/history";

/** The step that failed: the first one holding a failed Application; undefined when none of the set failed. */
export function failedStep(set: ApplicationSetReport, failedApps: readonly string[]): { index: number; applications: string[]; failed: string[] } | undefined {
    for (const [index, step] of set.steps.entries()) {
        const failed = step.filter((a) => failedApps.includes(a));
        if (failed.length > 0) return { index, applications: [...step], failed };
    }
    return undefined;
}

/**
 * The last revision an Application ended Healthy at: the newest succeeded update that synced it and
 * measured it Healthy (a succeeded update passed every gate it ran). Undefined when there is none.
 */
export function lastHealthyRevision(entries: readonly HistoryEntry[], application: string): { revision: string; id: number } | undefined {
    for (const e of [...entries].sort((a, b) => b.id - a.id)) {
        if (e.operation !== "update" || e.result !== "succeeded") continue;
        const revision = e.revisions[application];
        if (!revision) continue;
        const health = e.health.split(" ").find((h) => h.startsWith(`${application}=`))?.split("=")[1] ?? e.health;
        if (health !== "" && health !== "Healthy") continue;
        return { revision, id: e.id };
    }
    return undefined;
}

export interface RollbackPlan {
    /** What failed: a rollout's step, or one Application with autoRollback. */
    scope: { applicationSet: string; step: number } | { application: string; gate: "Degraded" | "timeout"; failedRevision?: string };
    /** Application → the revision it goes back to. */
    targets: Record<string, string>;
    /** Applications with no Healthy revision in the history (or only the failing one): left as they are. */
    without: string[];
    failed: string[];
}

/** What each rollback-on-failure ApplicationSet whose step failed rolls back to. */
export function planRolloutRollbacks(
    sets: readonly ApplicationSetReport[],
    failedApps: readonly string[],
    entries: readonly HistoryEntry[],
    failedRevisions: Readonly<Record<string, string>> = {},
): RollbackPlan[] {
    const plans: RollbackPlan[] = [];
    for (const set of sets) {
        if (!set.rollbackOnFailure) continue;
        const step = failedStep(set, failedApps);
        if (!step) continue;
        const targets: Record<string, string> = {};
        const without: string[] = [];
        for (const app of step.applications) {
            const last = goingBackTo(entries, app, failedRevisions[app]);
            if (last) targets[app] = last;
            else without.push(app);
        }
        plans.push({ scope: { applicationSet: set.applicationSet, step: step.index + 1 }, targets, without, failed: step.failed });
    }
    return plans;
}

/** What each autoRollback Application whose gate failed goes back to, alone; not one a rollout's plan already rolls back. */
export function planAutoRollbacks(
    autoRollback: readonly string[],
    gates: Readonly<Record<string, "Degraded" | "timeout">>,
    failedRevisions: Readonly<Record<string, string>>,
    entries: readonly HistoryEntry[],
    covered: ReadonlySet<string>,
): RollbackPlan[] {
    return Object.entries(gates)
        .filter(([app]) => autoRollback.includes(app) && !covered.has(app))
        .map(([app, gate]) => {
            const failedRevision = failedRevisions[app];
            const last = goingBackTo(entries, app, failedRevision);
            return {
                scope: { application: app, gate, ...(failedRevision ? { failedRevision } : {}) },
                targets: last ? { [app]: last } : {},
                without: last ? [] : [app],
                failed: [app],
            };
        });
}

/**
 * Where a rollback takes an Application: its last Healthy revision, unless that is the very commit
 * that just failed (the release did not change; the cluster did): syncing it again undoes nothing.
 */
function goingBackTo(entries: readonly HistoryEntry[], application: string, failedRevision: string | undefined): string | undefined {
    const last = lastHealthyRevision(entries, application);
    return last && last.revision !== failedRevision ? last.revision : undefined;
}

/** The history's record of why an automatic rollback ran: the failed commit and cause of each Application. */
export function rollbackReason(plan: RollbackPlan): string {
    if ("applicationSet" in plan.scope) return `step ${plan.scope.step} of ApplicationSet ${plan.scope.applicationSet} failed (${plan.failed.join(", ")})`;
    const cause = plan.scope.gate === "timeout" ? "did not become Healthy in time" : "was Degraded";
    return `${plan.scope.application} ${cause}${plan.scope.failedRevision ? ` at ${plan.scope.failedRevision}` : ""}`;
}
