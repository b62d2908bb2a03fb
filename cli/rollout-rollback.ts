// A failed RollingSync step, rolled back (beyond Argo CD, whose progressive sync has no failure policy):
// with `syncwave.dev/rollback-on-failure: "true"` on the ApplicationSet, every Application of the step
// that failed goes back to the last revision it ended Healthy at, pinned there (as `syncwave rollback`
// pins) and synced alone with the kind `auto-rollback` in the history. The later steps were never
// started: the rollout halts at the failed step either way. This is the one rollback-after-failure
// mechanism; an Application's own automatic rollback reuses it with a step of one.
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
    applicationSet: string;
    step: number;
    /** Application → the revision it goes back to. */
    targets: Record<string, string>;
    /** Applications of the step with no Healthy revision in the history: left as they are. */
    without: string[];
    failed: string[];
}

/** What each rollback-on-failure ApplicationSet whose step failed rolls back to. */
export function planRolloutRollbacks(sets: readonly ApplicationSetReport[], failedApps: readonly string[], entries: readonly HistoryEntry[]): RollbackPlan[] {
    const plans: RollbackPlan[] = [];
    for (const set of sets) {
        if (!set.rollbackOnFailure) continue;
        const step = failedStep(set, failedApps);
        if (!step) continue;
        const targets: Record<string, string> = {};
        const without: string[] = [];
        for (const app of step.applications) {
            const last = lastHealthyRevision(entries, app);
            if (last) targets[app] = last.revision;
            else without.push(app);
        }
        plans.push({ applicationSet: set.applicationSet, step: step.index + 1, targets, without, failed: step.failed });
    }
    return plans;
}
