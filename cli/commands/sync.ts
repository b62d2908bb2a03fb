// `syncwave sync`: preview, then update to exactly the commits the preview resolved, showing each wave
// as its gate passes; the update's message records every Application's commit in the stack history.
// One Application's failure is its own: the preview reports it (source, render, project, window,
// takeover), the update leaves it out (its state untouched, nothing of it deleted) and syncs the rest,
// and the command then fails naming it.
import { userInfo } from "node:os";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { SyncKind } from "../../components/sync/prune";
import type { ProgramReport } from "../../components/report";
import { pruneReports, type PruneReport } from "../prune-report";
import { hookRunKeys, lastSyncs } from "../hook-runs";
import { openStore } from "../backend/open-store";
import { isStale, lockedMessage, pulumiLocks } from "../stale-lock";
import { acquireSyncLock, syncLockOf, type SyncLock } from "../sync-lock";
import { runSyncFailHooksFor, unhandledFailures } from "../sync-fail";
import { describePending, readCheckpoint, readState, type StackCheckpoint, type StateResource } from "./state";
import { repairFileBackend } from "../recovery/file-backend-repair";
import { recoverPendingCreates } from "../recovery/recover-pending-creates";
import { KEEP_ENV, keptCheckpoints, pruneCheckpointCopies } from "../state-retention";
import { resolve } from "node:path";
import { failureClasses, failureTagName, failureTagValue, type FailureClass } from "../failure-class";
import { numberUpdates } from "./history";
import { gateOutcomesFile, programEnv, reportFile } from "../program-env";
import { failedGatesOf, GATE_OUTCOMES_ENV } from "../../components/providers/gate-outcomes";
import { applicationOfStep, describeId, openStack, revisionsFromReport, syncMessage, type ResolvedRevision, type StackOptions } from "../stack";
import { checkInSync, fingerprintsFor, type FastVerdict } from "../fast/in-sync";
import { EngineTimings } from "../engine-timings";
import { EngineCancelled, runEngine } from "../engine-run";
import { engineCancelledBy } from "../engine-signals";
import { readProjectFile } from "../fast/stack-files";
import { timings } from "../timings";
import { applicationOfUrn } from "../application-urn";
import { ancestorsOf, lastSyncEnv } from "../last-sync-env";
import { cascadingOrphans, cascadingOrphansMessage } from "../fleet-removal";
import { notificationsDelivered, SyncNotifications } from "../notifications/sync-notifications";

export interface SyncOptions extends StackOptions {
    /** Sync only this Application (a targeted update of its resources). */
    app?: string;
    /** Sync only these Applications. */
    apps?: string[];
    /** Leave these out (Applications a halted rollout must not create: its later steps' new ones). */
    skipApps?: string[];
    /** "sync", "rollback" or "reconcile": recorded in the history. */
    kind?: string;
    /**
     * An automatic rollback: the Applications it takes back, each with why ("rolled back web to SHA:
     * web was Degraded at SHA"), recorded in the history under its revisions; the others are only held.
     */
    rolledBack?: Record<string, string>;
    /** Argo CD's kind of sync: automated (the default: CI, reconcile) or manual (a person, --manual). */
    syncKind?: SyncKind;
    /** Delete what left git even without automated.prune (Argo CD's sync --prune). */
    prune?: boolean;
    /** Run the hooks although the desired state did not change (every Application, or --app's). */
    forceHooks?: boolean;
    /** The full preview and update even when nothing changed (no "in sync" answer without Pulumi). */
    force?: boolean;
    /** Let an ApplicationSet or a parent delete more of its Applications than its mass-deletion guard allows. */
    allowFleetDeletion?: boolean;
    policyPacks?: string[];
    policyPackConfigs?: string[];
    progress?: (line: string) => void;
    /** How long to wait for another sync of the stack to finish (0, the default: refuse at once). */
    lockTimeoutMs?: number;
}

export interface FailedApplication {
    application: string;
    reason: string;
}

export interface SyncResult {
    revisions: ResolvedRevision[];
    result: string;
    summary: Record<string, number>;
    prunes: PruneReport[];
    /** Applications left out of this sync, with why; the command exits non-zero when there are any. */
    failed: FailedApplication[];
}

export class SyncError extends Error {
    constructor(
        message: string,
        readonly partial?: SyncResult,
        /** The Applications whose step failed in the engine (gate, hook, apply), from the update's events. */
        readonly failedApplications: string[] = [],
        /** Of those, the ones whose health gate failed, and how (what automatic rollback acts on). */
        readonly failedGates: Record<string, "Degraded" | "timeout"> = {},
    ) {
        super(message);
    }

    /** The program's report of the failed update (its Applications, ApplicationSets): what a rollback decides from. */
    programReport?: ProgramReport;
}

/** Refused because another sync (SyncWave's or a `pulumi up`) holds the stack: nothing was tried. */
export class StackBusy extends SyncError {}

function errorsOf(events: readonly EngineEvent[]): string[] {
    return events
        .filter((e) => e.diagnosticEvent?.severity === "error")
        .map((e) => namingObjects(e.diagnosticEvent!.message.trim()))
        .filter((m) => !/^preview failed$|^update failed$/.test(m));
}

/** The Kubernetes provider names an object by its URN (`resource "urn:pulumi:...::/ConfigMap/shop/x"`): say "ConfigMap shop/x". */
export function namingObjects(message: string): string {
    return message.replace(/resource "(urn:pulumi:[^"]*?::(?:[^"]*\$)?kubernetes:[^":]+:[^":]+::([^"]+))"/g, (_, _urn: string, name: string) => describeId(name));
}

const APPLIED: Record<string, string> = { create: "created", update: "updated", replace: "replaced", "create-replacement": "replaced" };

/** Progress lines for applied objects, gates, hooks and prunes as the engine reports them. */
function progressOf(e: EngineEvent): string | undefined {
    const m = e.resOutputsEvent?.metadata;
    if (!m) return undefined;
    const app = applicationOfStep(e);
    if (m.type.startsWith("kubernetes:") && !m.type.startsWith("kubernetes:providers") && APPLIED[m.op] && app) {
        return `${app}: ${APPLIED[m.op]} ${describeId(m.urn.split("::").pop() ?? "")}`;
    }
    // Only steps that ran something: not refreshes, reads or deletions of earlier runs.
    if (!["create", "update", "replace", "create-replacement"].includes(m.op)) return undefined;
    const outputs = (m.new?.outputs ?? {}) as Record<string, unknown>;
    if (m.type.endsWith("syncwave:HealthGate")) {
        const health = (outputs.health as { resource: string; status: string }[] | undefined) ?? [];
        return `${app}: ${String(outputs.stage)}: ${health.length} resource(s) ${[...new Set(health.map((h) => h.status))].join("/") || "done"}`;
    }
    // A hook's update only rewrites its state (a new connection or run key): it ran only when created or replaced.
    if (m.type.endsWith("syncwave:Hook") && m.op !== "update") {
        return `${app}: ${String(outputs.phase)} hook ${String(outputs.hookName)}: ${String(outputs.status)}`;
    }
    if (m.type.endsWith("syncwave:Pruner")) {
        const pruned = (outputs.lastPruned as string[] | undefined) ?? [];
        const skipped = (outputs.lastSkipped as { id: string; reason: string }[] | undefined) ?? [];
        const lines = [...pruned.map((id) => `pruned ${describeId(id)}`), ...skipped.map((s) => `not pruned ${describeId(s.id)}: ${s.reason}`)];
        return lines.length ? `${app}: ${lines.join("; ")}` : undefined;
    }
    return undefined;
}

export async function sync(options: SyncOptions): Promise<SyncResult> {
    const progress = options.progress ?? (() => undefined);
    // One sync of a stack at a time, for the whole sync: another waits up to --lock-timeout or is
    // refused at once, even where nothing would change (its answer would rest on state that run is
    // rewriting).
    const keep = keepOf(options);
    // Argo CD Notifications (cli/notifications): told what the sync does, they send under this lock.
    const notifications = new SyncNotifications(options, progress);
    const release = await takeSyncLock(options, progress);
    try {
        return await notifications.settle(syncHoldingLock(options, progress, notifications));
    } catch (err) {
        throw await rolledBackAfter(err, options, progress);
    } finally {
        await notificationsDelivered();
        await removeExpiredCheckpoints(options, keep, progress);
        await release().catch((err: Error) => progress(`warning: the stack's sync lock was not released (the next sync on this host removes it; another host needs 'syncwave unlock ${options.stack} --force'): ${err.message}`));
    }
}

/**
 * A progressive rollout's failed step, and an autoRollback Application whose gate failed, go back to
 * their last Healthy revisions, under this sync's lock, after its failure was told (on-sync-failed
 * before on-rolled-back): once; a rollback that fails itself is reported, never retried.
 */
async function rolledBackAfter(err: unknown, options: SyncOptions, progress: (line: string) => void): Promise<unknown> {
    if (!(err instanceof SyncError) || !err.programReport) return err;
    // Never after a rollback (a person's explicit one or an automatic one: what failed there is what a
    // person chose, or the rollback itself), nor after Ctrl-C or SIGTERM: a cancelled sync starts nothing.
    if (options.kind === "auto-rollback" || options.kind === "rollback" || engineCancelledBy()) return err;
    const { rollBackAfterFailure } = await import("../rollout-rollback-run");
    // autoRollback promises to undo what an automated sync deployed; a person's --manual sync is theirs.
    const automated = (options.syncKind ?? "automated") === "automated";
    try {
        const lines = await rollBackAfterFailure(options, err.programReport, err, progress, { autoRollback: automated });
        return lines.length > 0 ? new SyncError(`${err.message}\n${lines.join("\n")}`, err.partial, err.failedApplications, err.failedGates) : err;
    } catch (rollbackErr) {
        // The sync's own failure stays the error; the rollback's is added to it.
        return new SyncError(`${err.message}\nautomatic rollback not attempted: ${(rollbackErr as Error).message}`, err.partial, err.failedApplications, err.failedGates);
    }
}

function keepOf(options: SyncOptions): number {
    try {
        return keptCheckpoints(options.env?.[KEEP_ENV] ?? process.env[KEEP_ENV]);
    } catch (err) {
        throw new SyncError(`nothing was synced: ${(err as Error).message}`);
    }
}

/** The backend's checkpoint copies beyond the newest `keep` go (see state-retention.ts); failing to remove them fails nothing. */
async function removeExpiredCheckpoints(options: SyncOptions, keep: number, progress: (line: string) => void): Promise<void> {
    try {
        const store = openStore(options.env);
        if (!store) return;
        const project = readProjectFile(resolve(options.cwd ?? process.cwd())).name;
        await pruneCheckpointCopies(store, project, options.stack, keep);
    } catch (err) {
        progress(`warning: old checkpoint copies of the stack were not removed: ${(err as Error).message}`);
    }
}

async function takeSyncLock(options: SyncOptions, progress: (line: string) => void): Promise<() => Promise<void>> {
    const project = readProjectFile(resolve(options.cwd ?? process.cwd())).name;
    let lock: SyncLock | undefined;
    try {
        lock = syncLockOf(options.env, project, options.stack);
    } catch (err) {
        throw new SyncError(`nothing was synced: ${(err as Error).message}`);
    }
    if (!lock) return async () => undefined;
    const held = lock;
    try {
        return await acquireSyncLock({ lock: held, stack: options.stack, timeoutMs: options.lockTimeoutMs ?? 0, progress, refuse: (m) => new StackBusy(m) });
    } catch (err) {
        if (err instanceof StackBusy) throw err;
        // The store itself failed (unreachable, refused credentials): nothing ran, nothing changed.
        throw new SyncError(`nothing was synced: the stack's lock in ${held.store.description} could not be taken: ${(err as Error).message}`);
    }
}

async function syncHoldingLock(options: SyncOptions, progress: (line: string) => void, notifications: SyncNotifications): Promise<SyncResult> {
    // Pulumi's own lock, held by a `pulumi up` run outside SyncWave, refuses this sync too (or is
    // waited for); one a killed sync left on this host is removed.
    await releaseStaleLock(options, progress);
    const only = options.apps ?? (options.app ? [options.app] : undefined);
    // A child is declared by its parent: the program declares the parents of the Applications asked
    // for, whose own resources the update then leaves alone (not targeted).
    // Read once, when first needed: the fast path answers without it.
    let read: StackCheckpoint | undefined;
    const checkpoint = () => (read ??= checkpointOf(options));
    const before = () => checkpoint().resources;
    const declared = only ? [...only, ...ancestorsOf(before(), only)] : undefined;
    const settings = { kind: options.syncKind ?? "automated", prune: options.prune ?? false, only: declared } as const;
    // Nothing to do, or only live drift to put back, is known without running Pulumi; an explicit
    // prune, forced hooks or --force always take the full path.
    let fast: FastVerdict | undefined;
    if (!options.force && !options.prune && !options.forceHooks && !options.allowFleetDeletion && !options.apps) {
        fast = await timings.span("fast path", () => checkInSync({ ...options, syncKind: settings.kind }));
        if (fast.inSync) {
            progress(`in sync: ${fast.revisions.map((r) => `${r.application}@${r.commit.slice(0, 12)}`).join(" ")}: the commits, configuration, policy and live objects are those of the last sync (--force syncs anyway)`);
            return { revisions: fast.revisions, result: "in sync", summary: {}, prunes: [], failed: [] };
        }
        if (fast.desiredUnchanged && fast.drift.length > 0) return repair(options, fast, settings, progress, notifications);
        progress(`syncing: ${fast.why}`);
    }
    // A killed update left operations under way: say what, and settle them before anything runs. An
    // object a killed create made is taken into the state as it is live, never created twice; the
    // update then refreshes everything else from the cluster and completes the rest.
    const pending = checkpoint().pending;
    if (pending.length > 0) {
        progress(`the last update was interrupted with ${pending.length} operation(s) under way (${pending.map(describePending).join(", ")}): this sync reads them back from the cluster and completes them`);
        if (pending.some((op) => op.type === "creating")) {
            const settled = await timings.span("pending creates", () => recoverPendingCreates(options, before())).catch((err: Error) => {
                throw new SyncError(`nothing was synced: the unfinished creates of the interrupted update could not be settled: ${err.message}`);
            });
            for (const line of settled) progress(`recovered: ${line}`);
            read = undefined;
        }
    }
    const previewEvents: EngineEvent[] = [];
    const previewReport = reportFile();
    // Hooks run again for an Application whose last sync did not complete, and for all with --force-hooks.
    const runKeys = hookRunKeys(lastSyncs(before()), options.forceHooks ? { apps: only ?? "all" } : undefined);
    for (const [app, key] of Object.entries(runKeys)) {
        if (!only || only.includes(app)) progress(`${app}: hooks run again: ${key.startsWith("forced-") ? "--force-hooks" : "its last sync did not complete"} (${key})`);
    }
    const hookEnv = { SYNCWAVE_HOOK_RUN_KEYS: JSON.stringify(runKeys), ...lastSyncEnv(before(), { allowFleetDeletion: options.allowFleetDeletion }) };
    progress("previewing: fetching sources and planning");
    let previewFailure = "";
    // No refresh here: the preview resolves the commits, the Application's resources and the policy
    // verdicts, none of which depends on live state; the update refreshes before it applies.
    const previewTimings = new EngineTimings("preview");
    await timings
        .span("preview", () =>
            runEngine("preview", {
                stack: options.stack,
                cwd: options.cwd,
                env: { ...(options.env ?? {}), ...hookEnv, ...programEnv({ ...settings, operation: "preview", isolate: true, report: previewReport.path }) },
                policyPacks: options.policyPacks,
                policyPackConfigs: options.policyPackConfigs,
                onEvent: (e) => {
                    previewTimings.push(e);
                    previewEvents.push(e);
                },
            }),
        )
        .catch((err: Error) => (previewFailure = err.message));
    previewTimings.finish();
    const report = previewReport.read();
    addProgramTimings("preview", report);
    await notifications.previewed(report).catch((err: Error) => {
        throw new SyncError(err.message);
    });
    const previewErrors = errorsOf(previewEvents);
    if (previewErrors.length === 0 && previewFailure) previewErrors.push(previewFailure);
    if (previewErrors.length > 0) {
        // An object the API server refused in the preview's dry run fails the sync as Argo CD's dry run
        // does: the Application's SyncFail hooks run (those of its last sync: the new ones never applied).
        for (const line of await runSyncFailHooksFor(unhandledFailures(previewEvents), stateOf(options))) {
            progress(line);
            previewErrors.push(line);
        }
        throw new SyncError(`the preview failed, nothing was synced:\n${previewErrors.join("\n")}`);
    }

    for (const app of only ?? []) if (!report.applications[app]) throw new SyncError(`no application named ${app} in stack ${options.stack}`);
    const failed: FailedApplication[] = Object.values(report.applications)
        .filter((a) => a.status === "failed")
        .map((a) => ({ application: a.application, reason: a.reason ?? "failed" }));
    // A parent that failed the preview is left out, not removed: only a real removal counts.
    const orphans = cascadingOrphans(previewEvents).filter((o) => !failed.some((f) => f.application === o.parent));
    if (orphans.length > 0) throw new SyncError(`nothing was synced:\n${orphans.map(cascadingOrphansMessage).join("\n")}`);
    for (const f of failed) progress(`${f.application}: not synced: ${f.reason.split("\n")[0]}`);
    const revisions = revisionsFromReport(report);
    if (revisions.length === 0) {
        throw new SyncError(`nothing was synced:\n${failed.map((f) => `${f.application}: ${f.reason}`).join("\n")}`, emptyResult(failed));
    }
    for (const r of revisions) progress(`${r.application}: ${r.repoURL}@${r.targetRevision} = ${r.commit}`);
    // With --app the others are not declared but not removed either: the targeted update leaves them alone.
    const prunes = pruneReports(previewEvents).filter(
        (p) => (only ? only.includes(p.application) : p.removed) || revisions.some((r) => r.application === p.application),
    );
    for (const p of prunes) {
        if (p.requiresPruning.length) progress(`${p.application}: requires pruning (not deleted; sync --prune deletes): ${p.requiresPruning.join(", ")}`);
        if (p.removed?.cascade) progress(`${p.application}: removed; its objects are deleted (cascade finalizer): ${p.removed.objects.join(", ") || "none"}`);
        else if (p.removed) progress(`${p.application}: removed; its objects stay in the cluster (orphaned): ${p.removed.objects.join(", ") || "none"}`);
    }
    for (const set of Object.values(report.applicationSets ?? {})) {
        const steps = set.steps.map((step, i) => `step ${i + 1}: ${step.join(", ") || "none"}`).join("; then ");
        progress(`ApplicationSet ${set.applicationSet}: ${set.steps.length > 1 ? `rolls out ${steps}` : `syncs ${set.steps[0]?.join(", ") || "no Applications"}`}${set.unmatched.length ? `; in no step, not synced: ${set.unmatched.join(", ")}` : ""}`);
    }
    for (const a of Object.values(report.applications)) {
        if (a.keptChildren?.length) progress(`${a.application}: child applications left its manifests but stay (requires pruning; sync --prune deletes them): ${a.keptChildren.join(", ")}`);
    }
    await notifications.updateStarting(revisions, prunes);

    // The update applies the commits the preview showed, even if a branch moved meanwhile, and only
    // to the Applications that passed the preview: the others are left out of the program and of the
    // update's targets, so the engine touches nothing of theirs.
    // Every source of a multi-source Application is pinned, not only the first.
    const pinned = Object.fromEntries(revisions.map((r) => [r.application, r.sources ?? r.commit]));
    const skip = [...failed.map((f) => f.application), ...(options.skipApps ?? [])];
    const targets =
        only || skip.length
            ? targetsOf(
                  previewEvents,
                  (app) => (only ? only.includes(app) : true) && !skip.includes(app),
                  (app) => (declared ? declared.includes(app) : true) && !skip.includes(app),
              )
            : undefined;
    const fingerprints = fingerprintsFor(
        { ...options, syncKind: settings.kind },
        Object.fromEntries(revisions.map((r) => [r.application, r.sources ?? [r.commit]])),
        fast?.stackDigest,
    );
    let result: SyncResult;
    try {
        result = await update(options, {
            env: { ...hookEnv, ...programEnv({ ...settings, operation: "update", skip }), SYNCWAVE_REVISIONS: JSON.stringify(pinned), SYNCWAVE_FINGERPRINTS: JSON.stringify(fingerprints) },
            revisions,
            targets,
            prunes,
            failed,
            progress,
        });
    } catch (err) {
        // What the failed update's Applications declared: an automatic rollback decides from it,
        // once this sync's own ending has been told (sync() below).
        if (err instanceof SyncError) err.programReport = report;
        throw err;
    }
    if (failed.length > 0) {
        throw new SyncError(
            `synced ${revisions.map((r) => r.application).join(", ")}; not synced:\n${failed.map((f) => `  ${f.application}: ${f.reason}`).join("\n")}`,
            result,
        );
    }
    return result;
}

/**
 * Puts back what drifted when the desired state is the one the last sync applied (same commits,
 * configuration, Projects, policy and SyncWave): the preview's answers (commits, verdicts, prunes)
 * are those of that sync, so the update runs alone, refreshing and applying only the drifted objects.
 */
async function repair(options: SyncOptions, fast: FastVerdict, settings: { kind: SyncKind; prune: boolean; only?: string[] }, progress: (line: string) => void, notifications: SyncNotifications): Promise<SyncResult> {
    const urns = [...new Set(fast.drift.map((d) => d.urn))];
    for (const d of fast.drift) progress(`drifted: ${d.resource} ${d.path} (${d.class}): put back`);
    progress(`repairing ${urns.length} object(s) at the commits last synced (the desired state is unchanged: no new preview)`);
    // The gates of the stages those objects belong to are refreshed too: one that finds its stage
    // unhealthy (an object deleted or broken behind our back) waits again once it is put back.
    const gates = gatesOf(fast.resources, urns);
    await releaseStaleLock(options, progress);
    const pinned = Object.fromEntries(Object.entries(fast.commits).map(([app, c]) => [app, c.length > 1 ? c : c[0]]));
    await notifications.repairing(fast.drift, fast.revisions, fast.resources);
    return update(options, {
        env: { ...programEnv({ ...settings, operation: "update" }), SYNCWAVE_REVISIONS: JSON.stringify(pinned), SYNCWAVE_FINGERPRINTS: JSON.stringify(fast.fingerprints) },
        revisions: fast.revisions,
        targets: [...urns, ...gates],
        prunes: [],
        failed: [],
        progress,
    });
}

/** The HealthGates whose stage holds any of these objects (by the gate's resource references). */
export function gatesOf(state: readonly StateResource[], urns: readonly string[]): string[] {
    const byUrn = new Map(state.map((r) => [r.urn, r]));
    const refs = new Set(
        urns.flatMap((urn) => {
            const r = byUrn.get(urn);
            const o = (r?.outputs ?? r?.inputs ?? {}) as { kind?: string; metadata?: { name?: string; namespace?: string } };
            return r ? [`${r.parent}|${o.kind}|${o.metadata?.namespace ?? ""}|${o.metadata?.name}`] : [];
        }),
    );
    return state
        .filter((r) => r.type.endsWith("syncwave:HealthGate"))
        .filter((g) => ((g.outputs?.resources ?? []) as { kind: string; namespace?: string; name: string }[]).some((x) => refs.has(`${g.parent}|${x.kind}|${x.namespace ?? ""}|${x.name}`)))
        .map((g) => g.urn);
}

interface UpdateRun {
    env: Record<string, string>;
    revisions: ResolvedRevision[];
    targets?: string[];
    prunes: PruneReport[];
    failed: FailedApplication[];
    progress: (line: string) => void;
}

/** The update itself: refresh, then apply wave by wave, reporting progress; a failure runs SyncFail hooks. */
async function update(options: SyncOptions, run: UpdateRun): Promise<SyncResult> {
    const { progress, revisions } = run;
    // The program's report of this run, read for its step timings only.
    const report = reportFile();
    const gates = gateOutcomesFile();
    const updateEvents: EngineEvent[] = [];
    const said = new Set<string>();
    const updateTimings = new EngineTimings("update");
    try {
        const up = await timings.span("update", () =>
            runEngine("up", {
                stack: options.stack,
                cwd: options.cwd,
                env: { ...(options.env ?? {}), ...run.env, SYNCWAVE_REPORT: report.path, [GATE_OUTCOMES_ENV]: gates.path },
                message: `${syncMessage(options.kind ?? "sync", revisions)} by=${userInfo().username}${options.rolledBack ? `\n${Object.values(options.rolledBack).join("\n")}` : ""}`,
                // What drifted or vanished since the last sync is read first, then put back.
                refresh: true,
                target: run.targets,
                policyPacks: options.policyPacks,
                policyPackConfigs: options.policyPackConfigs,
                onEvent: (e) => {
                    updateTimings.push(e);
                    updateEvents.push(e);
                    const line = progressOf(e);
                    // The engine can report a step's outputs more than once; say each thing once.
                    if (line && !said.has(line)) {
                        said.add(line);
                        progress(line);
                    }
                },
            }),
        );
        updateTimings.finish();
        addProgramTimings("update", report.read());
        gates.read();
        return { revisions, result: up.result, summary: up.resourceChanges, prunes: run.prunes, failed: run.failed };
    } catch (err) {
        updateTimings.finish();
        report.read();
        const reasons = errorsOf(updateEvents);
        const classes = failureClasses(updateEvents);
        await recordFailure(options, classes).catch(() => undefined);
        // A step that failed inside the engine (an apply refused, a prune) ran no SyncFail hooks: run them now.
        const unhandled = unhandledFailures(updateEvents);
        if (unhandled.length > 0) {
            for (const line of await runSyncFailHooksFor(unhandled, stateOf(options))) {
                progress(line);
                reasons.push(line);
            }
        }
        // Cancelled: say so first; the engine's own "update canceled" is no reason to look for.
        const why = err instanceof EngineCancelled ? [err.message, ...reasons.filter((r) => !/update cancell?ed/.test(r))] : reasons;
        throw new SyncError(`the sync failed:\n${why.length ? why.join("\n") : (err as Error).message}`, undefined, Object.keys(classes).filter((a) => a !== ""), failedGatesOf(gates.read()));
    }
}

/** The program's own steps (fetch, render, plan per Application), as its report measured them. */
function addProgramTimings(operation: string, report: ReturnType<ReturnType<typeof reportFile>["read"]>): void {
    for (const a of Object.values(report.applications)) {
        for (const [step, ms] of Object.entries(a.timings ?? {})) timings.add(`${operation}: program: ${step}`, ms);
    }
}

/**
 * Keeps why the update failed, per Application, in a stack tag named after the update's ID in
 * `syncwave history` (the update's own message is written before it starts). Only the last few stay.
 */
async function recordFailure(options: SyncOptions, classes: Record<string, FailureClass>): Promise<void> {
    const stack = await openStack(options);
    const updates = numberUpdates(await stack.history());
    const latest = updates[0];
    if (!latest || latest.result !== "failed") return;
    await stack.workspace.setTag(stack.name, failureTagName(latest.version), failureTagValue(Object.keys(classes).length ? classes : { "": "failed" }));
    const tags = await stack.workspace.listTags(stack.name);
    const kept = new Set(updates.slice(0, KEPT_FAILURES).map((u) => failureTagName(u.version)));
    for (const name of Object.keys(tags)) {
        if (name.startsWith("syncwave:failed:") && !kept.has(name)) await stack.workspace.removeTag(stack.name, name);
    }
}

const KEPT_FAILURES = 50;

/**
 * Removes the lock a killed sync left behind (see stale-lock.ts); any other lock refuses the sync at
 * once, naming its owner, host, pid and age and the command that clears it.
 */
async function releaseStaleLock(options: SyncOptions, progress: (line: string) => void): Promise<void> {
    const project = readProjectFile(resolve(options.cwd ?? process.cwd())).name;
    const store = openStore(options.env);
    if (!store) return;
    const read = () => pulumiLocks(store, project, options.stack);
    const deadline = Date.now() + (options.lockTimeoutMs ?? 0);
    let locks = await read();
    while (locks.some((l) => !isStale(l)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        locks = await read();
    }
    if (locks.length === 0) return;
    const held = locks.filter((l) => !isStale(l));
    if (held.length > 0) throw new StackBusy(lockedMessage(options.stack, held[0]));
    for (const l of locks) progress(`the stack was locked by a sync that no longer runs (pid ${l.pid} on ${l.hostname}, since ${l.timestamp ?? "?"}): lock removed`);
    // The killed process may have been writing the state: what a half-done write left goes first.
    for (const path of repairFileBackend(options.env?.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL, project, options.stack)) {
        progress(`removed ${path}, which a killed write of the state left unfinished (an empty attributes file is read as none; the state itself is intact)`);
    }
    await (await openStack(options)).cancel();
}

/** The stack's resources (secrets stay encrypted); none for a stack that was never updated. */
function checkpointOf(options: SyncOptions): StackCheckpoint {
    return readCheckpoint(options.stack, resolve(options.cwd ?? process.cwd()), options.env);
}

function stateOf(options: SyncOptions): StateResource[] {
    return readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env);
}

function emptyResult(failed: FailedApplication[]): SyncResult {
    return { revisions: [], result: "failed", summary: {}, prunes: [], failed };
}

/**
 * The URNs the update may touch: every resource the preview listed that is not an Application left
 * out of the sync (its component and everything under it), nor the stack or its default providers.
 */
export function targetsOf(events: readonly EngineEvent[], included: (app: string) => boolean, declared: (app: string) => boolean = included): string[] {
    const urns = new Set<string>();
    // Every step's parent, so that what sits under a left-out Application at any depth is left out
    // too: a parent that failed the preview declared none of its children, whose steps are deletes.
    const parentOf = new Map<string, string>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        const parent = m?.new?.parent || m?.old?.parent;
        if (m && parent) parentOf.set(m.urn, parent);
    }
    const underExcluded = (urn: string): boolean => {
        for (let p = parentOf.get(urn), depth = 0; p && depth < 64; p = parentOf.get(p), depth++) {
            const app = applicationOfUrn(p);
            // Only a parent the program did not declare leaves what is under it undeclared.
            if (app !== undefined && !declared(app)) return true;
        }
        return false;
    };
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m) continue;
        const component = m.type === "syncwave:index:Application" ? applicationOfUrn(m.urn) : undefined;
        const app = component ?? applicationOfStep(e);
        if (app !== undefined && !included(app)) continue;
        if (underExcluded(m.urn)) continue;
        // Not the stack itself nor the shared default providers: the engine treats every child and
        // every user of a target as part of it, and would then refuse to leave the others' alone.
        if (m.type === "pulumi:pulumi:Stack" || (m.type.startsWith("pulumi:providers:") && /::default(_[0-9a-z_]+)?$/.test(m.urn))) continue;
        // Nor a component that exists already (an ApplicationSet, a parent Application): the engine
        // would count the members left out of this sync as part of it and refuse to keep them. Its
        // own resources are targets one by one; only a new component must be created with them.
        if ((m.type === "syncwave:index:ApplicationSet" || m.type === "syncwave:index:Application") && m.op !== "create") continue;
        urns.add(m.urn);
    }
    return [...urns];
}
