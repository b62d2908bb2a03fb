// Runs the rollback of a failed RollingSync step (see rollout-rollback.ts for the rule): pins every
// Application of the step to its last Healthy revision, with the failed commit and the reason, and
// syncs them alone as `auto-rollback`. Returns what it did, one line each, for the sync's error.
import type { ApplicationSetReport } from "../components/report";
import { history } from "./commands/history";
import { readPins, writePins } from "./commands/rollback";
import { sync, SyncError, type SyncOptions } from "./commands/sync";
import { planRolloutRollbacks } from "./rollout-rollback";
import { appRecords, readState } from "./commands/state";
import { resolve } from "node:path";

export async function rollBackFailedSteps(options: SyncOptions, sets: readonly ApplicationSetReport[], failedApps: readonly string[], progress: (line: string) => void): Promise<string[]> {
    const lines: string[] = [];
    const say = (line: string) => {
        progress(line);
        lines.push(line);
    };
    const plans = planRolloutRollbacks(sets, failedApps, await history(options));
    if (plans.length === 0) return lines;
    const pins = await readPins(options);
    const targets: Record<string, string> = {};
    for (const plan of plans) {
        say(`ApplicationSet ${plan.applicationSet}: step ${plan.step} failed (${plan.failed.join(", ")}): the rollout halts; rolling the step back (rollback-on-failure)`);
        for (const app of plan.without) say(`  ${app}: no revision of it ended Healthy in the history: not rolled back`);
        for (const [app, revision] of Object.entries(plan.targets)) {
            const failedAt = pins[app]?.revision;
            pins[app] = {
                revision,
                pinnedAt: new Date().toISOString(),
                reason: `auto-rollback: step ${plan.step} of ApplicationSet ${plan.applicationSet} failed (${plan.failed.join(", ")})${failedAt ? `; was pinned to ${failedAt}` : ""}`,
            };
            targets[app] = revision;
            say(`  ${app}: back to ${revision.slice(0, 12)}, pinned (syncwave unpin ${app} resumes the rollout)`);
        }
    }
    if (Object.keys(targets).length === 0) return lines;
    await writePins(options, pins);
    // Every other Application is held at the commits it last synced: declared as it is (a targeted
    // update that left them out would have the engine count those waiting on the step as deleted),
    // changing nothing of theirs, while the step's Applications go back to their pins.
    const hold: Record<string, string | string[]> = {};
    const records = appRecords(readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env));
    // The steps after a failed one were never started: what they would create now stays uncreated.
    const synced = new Set(records.map((r) => r.application));
    const neverCreated = plans.flatMap((plan) => {
        const set = sets.find((s) => s.applicationSet === plan.applicationSet);
        return (set?.steps.slice(plan.step) ?? []).flat().filter((app) => !synced.has(app));
    });
    for (const record of records) {
        if (targets[record.application] !== undefined || !record.revision) continue;
        const sources = (record as { sources?: { revision: string }[] }).sources;
        hold[record.application] = sources && sources.length > 1 ? sources.map((s) => s.revision) : record.revision;
    }
    try {
        const result = await sync({ ...options, env: { ...(options.env ?? {}), SYNCWAVE_REVISIONS: JSON.stringify(hold) }, kind: "auto-rollback", force: true, allowFleetDeletion: false, skipApps: neverCreated });
        say(`auto-rollback ${result.result}: ${Object.entries(targets).map(([a, r]) => `${a}@${r.slice(0, 12)}`).join(", ")}`);
    } catch (err) {
        say(`auto-rollback failed too (not retried): ${err instanceof SyncError ? err.message.split("\n").slice(0, 4).join(" ") : (err as Error).message}`);
    }
    return lines;
}
