// `syncwave diff`: a preview, grouped by Application, phase and wave, with each Application's resolved
// revision, what the sync prunes or leaves requiring pruning, the Applications that cannot be synced
// now (and why), and the policy packs' verdicts.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ProgramReport } from "../../components/report";
import type { SyncKind } from "../../components/sync/prune";
import { pruneReports, type PruneReport } from "../prune-report";
import { programEnv, reportFile } from "../program-env";
import { runEngine } from "../engine-run";
import { applicationOfStep, describeId, revisionsFromReport, stagesFromReport, type ResolvedRevision, type StackOptions } from "../stack";
import { bold as boldColour, green as greenColour, red as redColour, yellow as yellowColour } from "../format/colors";
import { hookRunKeys, lastSyncs } from "../hook-runs";
import { appRecords, readState } from "./state";
import { resolve } from "node:path";
import { EngineTimings } from "../engine-timings";
import { timings } from "../timings";
import { applicationOfUrn } from "../application-urn";
import { lastSyncEnv } from "../last-sync-env";
import { cascadingOrphans, cascadingOrphansMessage } from "../fleet-removal";
import { mergedShape, objectDiff, projectOnto } from "../format/object-diff";
import { ignoredPaths, prepareIgnoreDifferences } from "../../components/sync/ignore-differences";
import { isUnder, toPropertyPath } from "../../components/sync/json-pointer";
import { apiGroup } from "../../components/sync/manifest";
import type { IgnoreDifference } from "../../components/application-spec";
import { driftedSegmentsOf } from "./drift-classify";

export interface PlannedChange {
    application: string;
    stage: string;
    resource: string;
    op: string;
    /** The fields the engine reports as changed. */
    diffs: string[];
    /** A unified diff of the live object against the one the sync would make (a Secret's values hidden); none for a hook. */
    unified: string[];
    /** The live object differs from what the last sync applied (someone changed it since): the sync puts it back. */
    drifted?: boolean;
    /** Why a hook runs: the desired state changed, the last sync did not complete, or --force-hooks. */
    why?: string;
    /** Fields an ignoreDifferences rule of the Application covers, with the rule ("spec.replicas (ignoreDifferences jsonPointers /spec/replicas)"). */
    ignored?: string[];
}

/** The Application's ignoreDifferences rules, ready to use (jq loaded), by Application. */
export type IgnoreRules = ReadonlyMap<string, readonly IgnoreDifference[]>;

export interface DiffResult {
    revisions: ResolvedRevision[];
    changes: PlannedChange[];
    prunes: PruneReport[];
    /** Applications a sync would leave out now, with why. */
    failed: { application: string; reason: string }[];
    policyViolations: { policy: string; level: string; message: string; resource?: string }[];
    /** Per ApplicationSet and parent Application: the Applications it adds, changes and removes. */
    fleet: FleetChange[];
    events: EngineEvent[];
}

export interface FleetChange {
    /** "ApplicationSet NAME" or "application NAME" (a parent). */
    owner: string;
    added: string[];
    changed: string[];
    removed: string[];
    /** Children that left a parent's render and stay, since the sync does not prune: they require pruning. */
    kept?: string[];
}

const SYMBOL: Record<string, string> = { run: ">", create: "+", update: "~", replace: "+-", "create-replacement": "+-", delete: "-", "delete-replaced": "-", same: " " };

function opColourOf(op: string): (s: string) => string {
    if (op === "run") return boldColour;
    if (op.startsWith("create")) return greenColour;
    if (op.startsWith("delete")) return redColour;
    return op === "same" ? (s) => s : yellowColour;
}

export async function diff(
    options: StackOptions & {
        policyPacks?: string[];
        policyPackConfigs?: string[];
        syncKind?: SyncKind;
        prune?: boolean;
        forceHooks?: boolean;
        allowFleetDeletion?: boolean;
        /** Diff these Applications' (first) source at this branch, tag or commit instead of their targetRevision: an unmerged change against the live cluster. */
        revision?: { ref: string; apps: string[] };
    },
): Promise<DiffResult> {
    const report = reportFile();
    // The hooks a sync would run: the same run keys `sync` computes from the state.
    const state = timings.span("state read", () => readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env));
    const runKeys = hookRunKeys(lastSyncs(state), options.forceHooks ? { apps: "all" } : undefined);
    const events: EngineEvent[] = [];
    const engine = new EngineTimings("preview");
    await timings.span("preview", () =>
        runEngine("preview", {
            stack: options.stack,
            cwd: options.cwd,
            env: {
                ...(options.env ?? {}),
                SYNCWAVE_HOOK_RUN_KEYS: JSON.stringify(runKeys),
                // As a sync pins the commits its preview resolved: the program fetches REF for these
                // Applications instead of their targetRevision. A preview writes no state.
                ...(options.revision ? { SYNCWAVE_REVISIONS: JSON.stringify(Object.fromEntries(options.revision.apps.map((a) => [a, options.revision!.ref]))) } : {}),
                ...lastSyncEnv(state, { allowFleetDeletion: options.allowFleetDeletion }),
                ...programEnv({ operation: "preview", kind: options.syncKind, prune: options.prune, isolate: true, report: report.path }),
            },
            diff: true,
            // Compare with the live cluster, as Argo CD does, not only with the last sync's state.
            refresh: true,
            policyPacks: options.policyPacks,
            policyPackConfigs: options.policyPackConfigs,
            onEvent: (e) => {
                engine.push(e);
                events.push(e);
            },
        }),
    ).catch((err: Error) => {
        // A refused preview (policy, project, bad input) is still a result to show.
        events.push({ sequence: -1, timestamp: 0, diagnosticEvent: { message: err.message, color: "never", severity: "error" } } as EngineEvent);
    });
    engine.finish();
    // What the last sync applied, by URN: the preview's refresh rewrites the old inputs from the live object.
    const lastApplied = new Map(state.filter((r) => r.inputs).map((r) => [r.urn, r.inputs!]));
    // Each Application's ignoreDifferences, as its last sync recorded them.
    const records = appRecords(state);
    for (const r of records) await prepareIgnoreDifferences(r.application, r.ignoreDifferences ?? []);
    const rules: IgnoreRules = new Map(records.map((r) => [r.application, r.ignoreDifferences ?? []]));
    const summary = summarize(events, report.read(), lastApplied, rules);
    // Why each hook runs, from the run keys a sync would use.
    const result = { ...summary, changes: summary.changes.map((c) => (c.op === "run" ? { ...c, why: hookRunReason(runKeys[c.application]) } : c)) };
    const override = options.revision;
    if (!override) return result;
    // The Application still declares its targetRevision: say which revision this diff took instead.
    const revisions = result.revisions.map((r) => (override.apps.includes(r.application) ? { ...r, targetRevision: `${override.ref} (instead of ${r.targetRevision})` } : r));
    return { ...result, revisions };
}

export function summarize(events: EngineEvent[], report: ProgramReport, lastApplied: ReadonlyMap<string, Record<string, unknown>> = new Map(), rules: IgnoreRules = new Map()): DiffResult {
    const stageOf = stagesFromReport(report);
    const changes: PlannedChange[] = [];
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.op === "same" || m.op === "read" || m.op === "refresh") continue;
        const application = applicationOfStep(e);
        if (application && m.type.endsWith("syncwave:Hook") && ["create", "replace", "create-replacement"].includes(m.op)) {
            // A hook that the sync runs: its phase and wave are the stage the report gives it.
            const name = (m.urn.split("::").pop() ?? "").replace(/^[A-Za-z]+:/, "");
            const resource = describeId(name);
            // A replaced hook is two steps (replace, create-replacement): it runs once.
            if (!changes.some((c) => c.application === application && c.op === "run" && c.resource === `hook ${resource}`)) {
                changes.push({ application, stage: stageOf.get(`${application}|${resource}`) ?? "Sync wave 0", resource: `hook ${resource}`, op: "run", diffs: [], unified: [] });
            }
            continue;
        }
        if (!application || !m.type.startsWith("kubernetes:") || m.type.startsWith("pulumi:providers")) continue;
        // Every managed object is retained by the engine: its "delete" only drops it from the state;
        // what the cluster loses is in the prune report.
        if (m.op === "delete" && m.old?.retainOnDelete === true) continue;
        // A replacement is three steps (create the new, replace, delete the old, which is retained):
        // the review sees one.
        if (m.op === "create-replacement" || m.op === "delete-replaced") continue;
        const name = m.urn.split("::").pop() ?? "";
        const resource = describeId(name);
        // The rendered manifest against the live object (as the preview refreshed it) cut to the fields
        // declared now or at the last sync.
        const desired = knownValues(m.new?.inputs as Record<string, unknown> | undefined);
        const live = m.op === "create" ? undefined : (projectOnto(m.old?.outputs, mergedShape(m.old?.inputs, m.new?.inputs)) as Record<string, unknown> | undefined);
        // A replacement reports its fields only in detailedDiff ("data.password"), even a secret one's.
        const changed = [...new Set([...(m.diffs ?? []), ...Object.keys(m.detailedDiff ?? {})])];
        // Drifted: the live object's declared fields are not what the last sync applied (values the
        // state keeps encrypted cannot be compared and never count).
        const applied = lastApplied.get(m.urn);
        const drifted = m.op !== "create" && applied !== undefined && objectDiff(projectOnto(m.old?.outputs, applied) as Record<string, unknown>, applied, []).length > 0;
        const ignored = ignoredFields(application, rules.get(application) ?? [], live, desired);
        changes.push({ application, stage: stageOf.get(`${application}|${resource}`) ?? "Sync wave 0", resource, op: m.op, diffs: changed, unified: objectDiff(live, desired, changed), ...(drifted ? { drifted } : {}), ...(ignored.length ? { ignored } : {}) });
    }
    const policyViolations = events
        .filter((e) => e.policyEvent)
        .map((e) => ({
            policy: e.policyEvent!.policyName,
            level: e.policyEvent!.enforcementLevel,
            message: e.policyEvent!.message,
            resource: e.policyEvent!.resourceUrn,
        }));
    const leftOut = Object.values(report.applications)
        .filter((a) => a.status === "failed")
        .map((a) => ({ application: a.application, reason: a.reason ?? "failed" }));
    // A parent that failed the preview is left out, not removed: only a real removal counts.
    const failed = [
        ...leftOut,
        ...cascadingOrphans(events)
            .filter((o) => !leftOut.some((f) => f.application === o.parent))
            .map((o) => ({ application: o.parent, reason: cascadingOrphansMessage(o) })),
    ];
    const fleet = fleetChanges(events);
    for (const a of Object.values(report.applications)) {
        if (!a.keptChildren?.length) continue;
        const owner = `application ${a.application}`;
        const entry = fleet.find((f) => f.owner === owner) ?? fleet[fleet.push({ owner, added: [], changed: [], removed: [] }) - 1];
        entry.kept = a.keptChildren;
    }
    return { revisions: revisionsFromReport(report), changes, prunes: pruneReports(events), failed, policyViolations, fleet, events };
}

/**
 * The fields of a changed object that an ignoreDifferences rule covers and that differ: Argo CD leaves
 * them out of its diff and its sync status, but a sync still applies them unless the Application has
 * RespectIgnoreDifferences=true (components/application/graph.ts), so the review sees them marked.
 */
export function ignoredFields(application: string, rules: readonly IgnoreDifference[], live: Record<string, unknown> | undefined, desired: Record<string, unknown> | undefined): string[] {
    const object = desired ?? live;
    if (!object || rules.length === 0) return [];
    const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
    const key = { group: apiGroup(String(object.apiVersion ?? "")), kind: String(object.kind ?? ""), namespace: metadata.namespace ?? "", name: metadata.name ?? "" };
    const changedPaths = driftedSegmentsOf(desired ?? {}, live ?? {});
    const covered = ignoredPaths(application, rules, key, [live ?? {}, desired ?? {}]);
    return [...new Set(covered.filter((c) => changedPaths.some((p) => isUnder(p, c.segments))).map((c) => `${toPropertyPath(c.segments)} (${c.source})`))];
}

/** Why a hook would run: its Application's run key says a retry or a forced run; otherwise its desired state changed. */
export function hookRunReason(runKey: string | undefined): string {
    if (runKey?.startsWith("forced-")) return "--force-hooks";
    if (runKey) return "the last sync did not complete";
    return "the desired state changed";
}

/** The engine's placeholder for a value known only once applied. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A preview's object with its unknown values written as a reviewer reads them. */
function knownValues<T>(value: T): T {
    if (value === UNKNOWN) return "(known after the sync)" as T;
    if (Array.isArray(value)) return value.map(knownValues) as T;
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, knownValues(v)])) as T;
    return value;
}

/** The fleet members a preview adds, changes (their record changes) and removes, by who declares them. */
export function fleetChanges(events: readonly EngineEvent[]): FleetChange[] {
    const owners = new Map<string, FleetChange>();
    const ownerOf = (parent: string | undefined): FleetChange | undefined => {
        if (!parent) return undefined;
        const parts = parent.split("::");
        const type = parts[2] ?? "";
        const name = parts.slice(3).join("::");
        const owner = type.endsWith("syncwave:index:ApplicationSet") ? `ApplicationSet ${name}` : applicationOfUrn(parent) !== undefined ? `application ${name}` : undefined;
        if (!owner) return undefined;
        if (!owners.has(owner)) owners.set(owner, { owner, added: [], changed: [], removed: [] });
        return owners.get(owner);
    };
    const memberOwner = new Map<string, FleetChange | undefined>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.type !== "syncwave:index:Application") continue;
        const owner = ownerOf(m.new?.parent ?? m.old?.parent);
        const name = applicationOfUrn(m.urn) ?? "";
        memberOwner.set(name, owner);
        if (!owner) continue;
        if (m.op === "create") owner.added.push(name);
        else if (m.op === "delete") owner.removed.push(name);
    }
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || !m.type.endsWith("syncwave:ApplicationRecord") || m.op !== "update") continue;
        const name = applicationOfUrn(m.new?.parent ?? m.old?.parent);
        const owner = name ? memberOwner.get(name) : undefined;
        if (owner && name && !owner.added.includes(name)) owner.changed.push(name);
    }
    return [...owners.values()].filter((o) => o.added.length + o.changed.length + o.removed.length > 0);
}

/** `--exit-code`, as `kubectl diff`: 0 nothing to do, 1 changes, 2 an error, a refused Application or a mandatory policy violation. */
export function diffExitCode(result: Pick<DiffResult, "changes" | "prunes" | "failed" | "policyViolations" | "fleet" | "events">): 0 | 1 | 2 {
    const errors = result.events.some((e) => e.diagnosticEvent?.severity === "error");
    if (errors || result.failed.length > 0 || result.policyViolations.some((v) => v.level === "mandatory")) return 2;
    const changed =
        result.changes.length > 0 ||
        result.prunes.some((p) => p.prune.length > 0 || p.requiresPruning.length > 0 || p.removed !== undefined) ||
        result.fleet.some((f) => f.added.length + f.changed.length + f.removed.length + (f.kept?.length ?? 0) > 0);
    return changed ? 1 : 0;
}

/** The diff of one Application (and the policy verdicts and errors, which may concern it). */
export function onlyApplication(result: DiffResult, app: string): DiffResult {
    const known = [...result.revisions, ...result.changes, ...result.prunes, ...result.failed].some((x) => x.application === app);
    if (!known) throw new Error(`no application named ${app} in the diff (it has: ${[...new Set(result.revisions.map((r) => r.application))].join(", ") || "none"})`);
    return {
        ...result,
        revisions: result.revisions.filter((r) => r.application === app),
        changes: result.changes.filter((c) => c.application === app),
        prunes: result.prunes.filter((p) => p.application === app),
        failed: result.failed.filter((f) => f.application === app),
        fleet: result.fleet.filter((f) => f.owner === `application ${app}` || [...f.added, ...f.changed, ...f.removed].includes(app)),
    };
}

export function formatDiff(result: DiffResult, options: { color?: boolean } = {}): string {
    const plain = (s: string) => s;
    const [bold, green, red, yellow] = options.color === false ? [plain, plain, plain, plain] : [boldColour, greenColour, redColour, yellowColour];
    const opColour = (op: string) => (options.color === false ? plain : opColourOf(op));
    const lines: string[] = [];
    const apps = new Set([
        ...result.revisions.map((r) => r.application),
        ...result.changes.map((c) => c.application),
        ...result.prunes.map((p) => p.application),
        ...result.failed.map((f) => f.application),
    ]);
    // Fleet changes first: which Applications appear and go, before any of their objects.
    for (const f of result.fleet ?? []) {
        lines.push(`${bold(f.owner)}: Applications`);
        for (const a of f.added) lines.push(`  ${green("+")}  ${a}`);
        for (const a of f.changed) lines.push(`  ${yellow("~")}  ${a}`);
        for (const a of f.removed) lines.push(`  ${red("-")}  ${a}`);
        for (const a of f.kept ?? []) lines.push(`  ${yellow("!")}  ${a} (left the manifests; kept: requires pruning, sync --prune deletes it)`);
    }
    for (const app of [...apps].sort()) {
        const rev = result.revisions.find((r) => r.application === app);
        const failure = result.failed.find((f) => f.application === app);
        const prune = result.prunes.find((p) => p.application === app);
        lines.push(`application ${bold(app)}${rev ? `  ${rev.repoURL}@${rev.targetRevision} = ${rev.commit.slice(0, 12)}` : ""}`);
        if (failure) {
            lines.push(`  ${red("cannot sync")}: ${failure.reason.split("\n").join("\n    ")}`);
            continue;
        }
        const mine = result.changes.filter((c) => c.application === app);
        if (prune?.removed) {
            lines.push(
                prune.removed.cascade
                    ? `  ${red("application removed")}: its objects are deleted (cascade finalizer): ${prune.removed.objects.join(", ") || "none"}`
                    : `  ${yellow("application removed")}: its objects stay in the cluster (orphaned; no cascade finalizer): ${prune.removed.objects.join(", ") || "none"}`,
            );
            continue;
        }
        if (mine.length === 0 && !prune?.prune.length && !prune?.requiresPruning.length) lines.push("  in sync: no changes");
        let stage = "";
        for (const c of mine) {
            if (c.stage !== stage) {
                stage = c.stage;
                lines.push(`  ${stage}`);
            }
            const notes = [...(c.diffs.length ? [c.diffs.join(", ")] : []), ...(c.drifted ? ["drifted since the last sync"] : []), ...(c.why ? [`runs: ${c.why}`] : []), ...(c.ignored?.length ? [`ignored by ${c.ignored.join(", ")}`] : [])];
            lines.push(`    ${opColour(c.op)((SYMBOL[c.op] ?? c.op).padEnd(2))} ${c.resource}${notes.length ? `  [${notes.join("; ")}]` : ""}`);
            if (c.op !== "create") for (const l of c.unified) lines.push(`        ${l.startsWith("+") ? green(l) : l.startsWith("-") ? red(l) : l}`);
        }
        if (prune?.prune.length) lines.push(`  ${red("prune")} (later waves first): ${prune.prune.join(", ")}`);
        if (prune?.requiresPruning.length) lines.push(`  ${yellow("requires pruning")} (stays; 'syncwave sync --prune' deletes it): ${prune.requiresPruning.join(", ")}`);
    }
    for (const v of result.policyViolations) lines.push(`${(v.level === "mandatory" ? red : yellow)("policy")} ${v.policy} (${v.level}): ${v.message}`);
    for (const e of result.events.filter((x) => x.diagnosticEvent?.severity === "error")) {
        lines.push(`error: ${e.diagnosticEvent!.message.trim().split("\n").slice(0, 6).join("\n       ")}`);
    }
    return lines.join("\n");
}
