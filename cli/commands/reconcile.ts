// `syncwave reconcile`: Argo CD's automated sync and selfHeal. Every interval: an Application with
// syncPolicy.automated whose source moved to a new commit that changes its objects is synced; one with
// automated.selfHeal and unauthorised drift is repaired; without automated both are only reported; a
// pinned Application is left alone (see reconcile-plan.ts). Sync windows are
// respected (the program refuses an automated sync in a deny window), failures back off as the
// Application's retry policy says, and SIGTERM or SIGINT stop the loop between steps.
import { resolve } from "node:path";
import { parseDuration } from "../../components/sync/annotations";
import { currentCommit } from "../../components/source/git";
import type { StackOptions } from "../stack";
import { diff } from "./diff";
import { drift } from "./drift";
import { roundAction } from "./reconcile-plan";
import { readPins, type Pin } from "./rollback";
import { appRecords, readState, type AppRecord } from "./state";
import { StackBusy, sync } from "./sync";
import { hasFleet } from "../last-sync-env";
import { timings } from "../timings";
import { relayToEngine } from "../engine-signals";
import { notifyDrift } from "../notifications/drift-notifications";

export interface ReconcileOptions extends StackOptions {
    intervalMs: number;
    /** Stop after this many rounds (for tests and one-shot jobs); forever when undefined. */
    rounds?: number;
    log: (line: string) => void;
}

/** Delay before retry `attempt` (1-based), as Argo CD's retry backoff computes it. */
export function backoffDelay(attempt: number, backoff: { duration?: string; factor?: number; maxDuration?: string } = {}): number {
    const base = parseDuration(backoff.duration ?? "5s") ?? 5_000;
    const max = parseDuration(backoff.maxDuration ?? "3m") ?? 180_000;
    return Math.min(max, base * Math.pow(backoff.factor ?? 2, attempt - 1));
}

export async function reconcile(options: ReconcileOptions): Promise<void> {
    let stopping = false;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
            // A second signal: the operator does not want to wait for the current step.
            options.log(`${signal} again: stopping now; if a sync was running, run 'syncwave sync' (and 'pulumi refresh' if it reports pending operations)`);
            process.exit(128 + (signal === "SIGINT" ? 2 : 15));
        }
        stopping = true;
        // Ctrl-C is passed on to a running update, which it cancels; a SIGTERM (as Kubernetes sends to
        // the process) lets the current step finish.
        options.log(`${signal}: stopping after the current step`);
        if (timer) clearTimeout(timer);
        wake?.();
    };
    // `on`, not `once`: a listener must stay for the whole loop, or signal-exit (used by the process
    // libraries underneath) sees none left and re-raises the signal, killing the process mid-step.
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    // Ctrl-C also cancels a running update (the engine finishes the resource step under way); SIGTERM
    // is this loop's alone, so the sync under way finishes.
    relayToEngine(["SIGINT"]);
    options.log(`reconciling stack ${options.stack} every ${options.intervalMs / 1000}s; SIGTERM or Ctrl-C stops it`);
    const failures = new Map<string, { attempts: number; notBefore: number }>();
    const saidPinned = new Set<string>();
    // Per Application, whether a sync to a given commit would change anything (a preview's answer).
    const verdicts = new Map<string, { commit: string; outOfSync: boolean }>();
    const sleep = (ms: number) =>
        new Promise<void>((r) => {
            wake = r;
            timer = setTimeout(r, ms);
        });
    try {
        for (let round = 1; !stopping && (options.rounds === undefined || round <= options.rounds); round++) {
            const state = readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env);
            const records = appRecords(state);
            // What ApplicationSets generate and parents render is known only by running the program:
            // a round syncs the members it knows, one by one, as Argo CD's controller syncs Applications;
            // members that appear or leave come with `syncwave sync`, as the ApplicationSet controller's.
            if (round === 1 && hasFleet(state)) {
                options.log("this stack has ApplicationSets or app-of-apps parents: reconcile syncs and repairs the Applications they declared at the last sync; 'syncwave sync' regenerates them (new or removed members)");
            }
            const pins = await readPins(options);
            // A pinned Application is never moved to a new commit: said once per pin, not every round.
            for (const record of records) {
                const pin = pins[record.application];
                if (!pin || saidPinned.has(`${record.application}@${pin.revision}`)) continue;
                saidPinned.add(`${record.application}@${pin.revision}`);
                options.log(`${record.application}: pinned to ${pin.revision.slice(0, 12)} (${pin.reason}): new commits are not synced until 'syncwave unpin ${record.application}'`);
            }
            const reports = await drift(options, state);
            await notifyDrift(options, reports, options.log);
            const moved = await newRevisions(options, records, pins, verdicts);
            for (const record of records) {
                if (stopping) break;
                const app = record.application;
                const unauthorised = reports.find((r) => r.application === app)?.fields.filter((f) => f.class === "unauthorised") ?? [];
                const next = moved.get(app);
                const step = roundAction({
                    pinned: pins[app] !== undefined,
                    automated: record.syncPolicy.automated !== undefined && record.syncPolicy.automated !== null,
                    selfHeal: record.syncPolicy.automated?.selfHeal === true,
                    outOfSyncAtNewRevision: next?.outOfSync === true,
                    unauthorisedDrift: unauthorised.length > 0,
                });
                if (step.action === "none") continue;
                const newCommit = next?.outOfSync ? ` at new commit ${next.commit.slice(0, 12)}` : "";
                if (step.action === "report") {
                    if (step.why === "pinned") options.log(`${app}: drifted, but pinned to ${pins[app].revision.slice(0, 12)} (${pins[app].reason}): left alone`);
                    else if (step.why === "not automated") options.log(`${app}: OutOfSync${newCommit}${unauthorised.length ? `, ${unauthorised.length} unauthorised change(s)` : ""}; automated sync is off: reported only`);
                    else options.log(`${app}: ${unauthorised.length} unauthorised change(s); selfHeal is off: reported only`);
                    continue;
                }
                const failure = failures.get(app);
                if (failure && Date.now() < failure.notBefore) continue;
                options.log(
                    step.why === "new revision"
                        ? `${app}: syncing${newCommit} (automated)`
                        : `${app}: repairing ${unauthorised.map((f) => `${f.resource} ${f.path}`).join(", ")}`,
                );
                try {
                    // An automated sync: a deny window blocks it whatever manualSync says.
                    await sync({ ...options, app, kind: "reconcile", syncKind: "automated", progress: options.log });
                    failures.delete(app);
                    options.log(step.why === "new revision" ? `${app}: synced${newCommit}` : `${app}: repaired`);
                } catch (err) {
                    if (stopping) {
                        options.log(`${app}: the sync was interrupted by the stop; run 'syncwave sync --app ${app}' to finish it`);
                        break;
                    }
                    // Someone else's sync of the stack is under way: not a failure of the Application
                    // (no retry counted), and what it finds is looked at again next round.
                    if (err instanceof StackBusy) {
                        options.log(`${app}: not synced this round: ${(err as Error).message.split("\n")[0]}; trying again next round`);
                        continue;
                    }
                    const attempts = (failure?.attempts ?? 0) + 1;
                    const limit = record.syncPolicy.retry?.limit ?? 5;
                    const delay = backoffDelay(attempts, record.syncPolicy.retry?.backoff);
                    failures.set(app, { attempts, notBefore: attempts >= limit ? Number.POSITIVE_INFINITY : Date.now() + delay });
                    options.log(
                        `${app}: sync failed (attempt ${attempts} of ${limit})${attempts >= limit ? ", giving up until restarted" : `, retrying in ${delay / 1000}s`}: ${(err as Error).message.split("\n").slice(0, 3).join(" ")}`,
                    );
                }
            }
            if (!stopping && (options.rounds === undefined || round < options.rounds)) await sleep(options.intervalMs);
        }
    } finally {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
    }
}

/**
 * The Applications whose source moved past the commit last synced, and whether a sync would change
 * their objects. `git ls-remote` tells cheaply which moved (a repository it cannot reach counts as
 * moved); then one preview of the stack, as `syncwave diff` makes it, tells which of those are
 * OutOfSync, as Argo CD compares rendered manifests rather than commits. Each answer is kept per commit.
 */
async function newRevisions(
    options: ReconcileOptions,
    records: readonly AppRecord[],
    pins: Record<string, Pin>,
    verdicts: Map<string, { commit: string; outOfSync: boolean }>,
): Promise<Map<string, { commit: string; outOfSync: boolean }>> {
    const cwd = resolve(options.cwd ?? process.cwd());
    const candidates: AppRecord[] = [];
    const result = new Map<string, { commit: string; outOfSync: boolean }>();
    // One remote query per repository and revision, all at once.
    const heads = await timings.span("git resolve (ls-remote)", () =>
        Promise.all(
            records.map((record) =>
                pins[record.application]
                    ? Promise.resolve(record.revision)
                    : currentCommit(record.repoURL, record.targetRevision, { baseDir: cwd, timeoutMs: 30_000 }),
            ),
        ),
    );
    for (const [i, record] of records.entries()) {
        if (pins[record.application]) continue;
        const head = heads[i];
        if (head === record.revision) continue;
        const known = verdicts.get(record.application);
        if (head && known?.commit === head) result.set(record.application, known);
        else candidates.push(record);
    }
    if (candidates.length === 0) return result;
    const preview = await diff({ ...options, syncKind: "automated" });
    for (const record of candidates) {
        const app = record.application;
        const commit = preview.revisions.find((r) => r.application === app)?.commit;
        const failure = preview.failed.find((f) => f.application === app);
        if (failure) {
            options.log(`${app}: cannot be synced now: ${failure.reason.split("\n")[0]}`);
            continue;
        }
        if (!commit || commit === record.revision) continue;
        const prune = preview.prunes.find((p) => p.application === app);
        const outOfSync = preview.changes.some((c) => c.application === app) || (prune?.prune.length ?? 0) > 0 || (prune?.requiresPruning.length ?? 0) > 0;
        if (!outOfSync && verdicts.get(app)?.commit !== commit) options.log(`${app}: new commit ${commit.slice(0, 12)} changes none of its objects: in sync`);
        verdicts.set(app, { commit, outOfSync });
        result.set(app, { commit, outOfSync });
    }
    return result;
}
