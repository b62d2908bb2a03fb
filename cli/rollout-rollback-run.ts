// Runs the rollbacks after a failed sync (see rollout-rollback.ts for the rules): pins each Application
// going back to its last Healthy revision, with the failed commit and the cause, and syncs them alone
// as `auto-rollback`, the reason recorded in the history. Returns what it did, one line each, for the
// sync's error.
import type { ProgramReport } from "../components/report";
import { history } from "./commands/history";
import { readPins, writePins, type Pin } from "./commands/rollback";
import { sync, SyncError, type SyncOptions } from "./commands/sync";
import { planAutoRollbacks, planRolloutRollbacks, rollbackReason } from "./rollout-rollback";
import { appRecords, readState, type AppRecord } from "./commands/state";
import { resolve } from "node:path";

export async function rollBackAfterFailure(
    options: SyncOptions,
    report: ProgramReport,
    failure: SyncError,
    progress: (line: string) => void,
    allow: { autoRollback: boolean },
): Promise<string[]> {
    const sets = Object.values(report.applicationSets ?? {});
    const autoRollback = allow.autoRollback
        ? Object.values(report.applications)
              .filter((a) => a.autoRollback)
              .map((a) => a.application)
        : [];
    const rollouts = sets.some((s) => s.rollbackOnFailure);
    const gates = Object.keys(failure.failedGates).some((app) => autoRollback.includes(app));
    if (!rollouts && !gates) return [];
    const lines: string[] = [];
    const say = (line: string) => {
        progress(line);
        lines.push(line);
    };
    const entries = await history(options);
    const failedRevisions = Object.fromEntries(Object.values(report.applications).flatMap((a) => (a.commit ? [[a.application, a.commit]] : [])));
    const stepPlans = planRolloutRollbacks(sets, failure.failedApplications, entries, failedRevisions);
    const covered = new Set(stepPlans.flatMap((p) => [...Object.keys(p.targets), ...p.without]));
    const appPlans = planAutoRollbacks(autoRollback, failure.failedGates, failedRevisions, entries, covered);
    const plans = [...stepPlans, ...appPlans];
    if (plans.length === 0) return lines;
    const pins = await readPins(options);
    const targets: Record<string, string> = {};
    const rolledBack: Record<string, string> = {};
    for (const plan of plans) {
        const reason = rollbackReason(plan);
        if ("applicationSet" in plan.scope) {
            say(`ApplicationSet ${plan.scope.applicationSet}: step ${plan.scope.step} failed (${plan.failed.join(", ")}): the rollout halts; rolling the step back (rollback-on-failure)`);
        }
        else say(`${plan.scope.application}: ${reason}: rolling back (autoRollback)`);
        for (const app of plan.without) {
            say(`  ${app}: ${"application" in plan.scope ? "no earlier revision of it ended Healthy in the history" : "no revision of it ended Healthy in the history"}: not rolled back`);
        }
        for (const [app, revision] of Object.entries(plan.targets)) {
            pins[app] = pinFor(revision, reason, pins[app]);
            targets[app] = revision;
            rolledBack[app] = `rolled back ${app} to ${revision}: ${reason}`;
            say(`  ${app}: back to ${revision.slice(0, 12)}, pinned (syncwave unpin ${app} ${"applicationSet" in plan.scope ? "resumes the rollout" : "lets it follow its branch again"})`);
        }
    }
    if (Object.keys(targets).length === 0) return lines;
    await writePins(options, pins);
    // Pins live in the stack's configuration file, not in its backend: a CI job that throws its working
    // copy away would deploy the bad commit again on its next run.
    say(`  pinned in the stack's configuration (syncwave:pins in Pulumi.${options.stack.split("/").pop()}.yaml): where the working copy is thrown away (CI), commit that file`);
    // What the state holds now (after the failed update): whom to hold where, and who was never synced.
    const records = appRecords(readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env));
    const started = Date.now();
    try {
        const result = await sync({
            ...options,
            env: { ...(options.env ?? {}), SYNCWAVE_REVISIONS: JSON.stringify(heldRevisions(records, targets)) },
            kind: "auto-rollback",
            rolledBack,
            force: true,
            allowFleetDeletion: false,
            skipApps: neverSynced(records, report, targets),
        });
        say(`auto-rollback ${result.result} in ${Math.round((Date.now() - started) / 1000)}s: ${Object.entries(targets).map(([a, r]) => `${a}@${r.slice(0, 12)}`).join(", ")}`);
    } catch (err) {
        say(`auto-rollback failed too (not retried): ${err instanceof SyncError ? err.message.split("\n").slice(0, 4).join(" ") : (err as Error).message}`);
    }
    return lines;
}

function pinFor(revision: string, reason: string, earlier: Pin | undefined): Pin {
    return { revision, pinnedAt: new Date().toISOString(), reason: `auto-rollback: ${reason}${earlier ? `; was pinned to ${earlier.revision}` : ""}` };
}

/**
 * Every other Application is held at the commits it last synced: declared as it is (a targeted update
 * that left them out would have the engine count those waiting on a step as deleted), changing
 * nothing of theirs, while the rolled-back Applications go to their pins.
 */
function heldRevisions(records: readonly AppRecord[], targets: Record<string, string>): Record<string, string | string[]> {
    const hold: Record<string, string | string[]> = {};
    for (const record of records) {
        if (targets[record.application] !== undefined || !record.revision) continue;
        const sources = (record as { sources?: { revision: string }[] }).sources;
        hold[record.application] = sources && sources.length > 1 ? sources.map((s) => s.revision) : record.revision;
    }
    return hold;
}

/**
 * What the failed sync declared but never synced (a new Application, a later step's, one waiting on
 * the failed one) stays unsynced: a rollback goes back, it never creates anything new.
 */
function neverSynced(records: readonly AppRecord[], report: ProgramReport, targets: Record<string, string>): string[] {
    const synced = new Set(records.map((r) => r.application));
    return Object.keys(report.applications).filter((app) => !synced.has(app) && targets[app] === undefined);
}
