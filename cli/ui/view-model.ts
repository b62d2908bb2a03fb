// What the web UI's pages show, built from what the CLI's readers return (state records, health rows,
// history, drift, diff, live objects). Pure functions: no I/O, so each is tested on its own.
import type { Health } from "../../components/health/status";
import type { HealthRow } from "../commands/stack-health";
import type { HistoryEntry } from "../commands/history";
import type { DriftReport } from "../commands/drift";
import type { ManagedObject, StateResource } from "../commands/state";

export interface LastSync {
    id: number;
    time: string;
    kind: string;
    result: string;
    health: string;
}

export interface AppRow {
    stack: string;
    application: string;
    project: string;
    revision: string;
    commitMessage?: string;
    /** Synced, OutOfSync or Unknown: from the last preview, overruled by live drift since. */
    sync: "Synced" | "OutOfSync" | "Unknown";
    /** Why the sync status is what it is ("preview at 10:02", "2 drifted fields"). */
    syncReason: string;
    health: Health;
    lastSync?: LastSync;
    pinned: boolean;
    driftCount: number;
    labels: Record<string, string>;
    /** The ApplicationSet or parent Application that declares it ("ApplicationSet services", "application root"). */
    owner?: string;
}

/** Each Application's owner: an ApplicationSet or a parent Application, from the component URNs. */
export function applicationOwners(resources: readonly StateResource[]): Map<string, string> {
    const owners = new Map<string, string>();
    for (const r of resources) {
        if (r.type !== "syncwave:index:Application" || !r.parent) continue;
        const name = r.urn.split("::").slice(3).join("::");
        const parentParts = r.parent.split("::");
        const parentType = parentParts[2] ?? "";
        const parentName = parentParts.slice(3).join("::");
        if (parentType.endsWith("syncwave:index:ApplicationSet")) owners.set(name, `ApplicationSet ${parentName}`);
        else if (parentType.endsWith("syncwave:index:Application")) owners.set(name, `application ${parentName}`);
    }
    return owners;
}

/** The newest history entry that synced the Application (its commit is among the entry's revisions). */
export function lastSyncOf(application: string, history: readonly HistoryEntry[]): LastSync | undefined {
    const entry = history.find((e) => e.operation === "update" && e.revisions[application] !== undefined);
    return entry ? { id: entry.id, time: entry.startTime, kind: entry.kind, result: entry.result, health: entry.health } : undefined;
}

/** The history entries of one Application, newest first, with each one's duration when known. */
export function applicationHistory(application: string, history: readonly HistoryEntry[]): { id: number; time: string; commit: string; kind: string; result: string; durationMs?: number; health: string; reason?: string }[] {
    return history
        .filter((e) => e.revisions[application] !== undefined)
        .map((e) => ({
            id: e.id,
            time: e.startTime,
            commit: e.revisions[application],
            kind: e.kind,
            result: e.result,
            durationMs: e.endTime ? Date.parse(e.endTime) - Date.parse(e.startTime) : undefined,
            health: healthOf(application, e.health),
            reason: e.reason,
        }));
}

/** An entry's HEALTH column is one value when every Application agrees, else `app=Health app=Health`. */
export function healthOf(application: string, health: string): string {
    const own = health.split(" ").find((part) => part.startsWith(`${application}=`));
    if (own) return own.slice(application.length + 1);
    return health.includes("=") ? "" : health;
}

export function resourceName(o: { kind: string; namespace?: string; name: string }): string {
    return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

export interface TreeNode {
    /** "Deployment shop/shop-api": the CLI's name of the resource, unique within an Application. */
    resource: string;
    kind: string;
    namespace?: string;
    name: string;
    health: Health;
    /** The object is not among the managed ones (a ReplicaSet, a Pod): read live under its owner. */
    children: TreeNode[];
    drifted: number;
}

export interface TreeColumn {
    /** "PreSync hooks", "PreSync wave 0", "Sync wave -1", "Sync wave 1", "PostSync hooks", "Not gated". */
    title: string;
    phase: string;
    wave?: number;
    nodes: TreeNode[];
}

const PHASES = ["PreSync", "Sync", "PostSync", "SyncFail"];

/** "PreSync wave 0" → { phase PreSync, wave 0 }; "PostSync hook" → { phase PostSync }. */
export function parseStage(stage: string): { phase: string; wave?: number; hook: boolean } {
    const wave = /^(\w+) wave (-?\d+)$/.exec(stage);
    if (wave) return { phase: wave[1], wave: Number(wave[2]), hook: false };
    const hook = /^(\w+) hook$/.exec(stage);
    if (hook) return { phase: hook[1], hook: true };
    return { phase: "Sync", hook: false };
}

/** The Argo CD order of stages: phase first (PreSync, Sync, PostSync, SyncFail), then wave; a phase's hooks before its waves. */
export function compareStages(a: string, b: string): number {
    const pa = parseStage(a);
    const pb = parseStage(b);
    const phase = (p: string) => (PHASES.includes(p) ? PHASES.indexOf(p) : PHASES.length);
    if (phase(pa.phase) !== phase(pb.phase)) return phase(pa.phase) - phase(pb.phase);
    if (pa.hook !== pb.hook) return pa.hook ? -1 : 1;
    return (pa.wave ?? 0) - (pb.wave ?? 0);
}

function splitResource(resource: string): { kind: string; namespace?: string; name: string } {
    const [kind, ...rest] = resource.split(" ");
    const full = rest.join(" ");
    const slash = full.indexOf("/");
    return slash >= 0 ? { kind, namespace: full.slice(0, slash), name: full.slice(slash + 1) } : { kind, name: full };
}

/**
 * The resource tree of one Application, as columns in sync order: each gate's stage (the wave its
 * objects were applied in), each phase's hooks, and managed objects no gate covers (the namespace CreateNamespace makes) first. `live`
 * gives each resource's health now (else the health its gate measured); `owned` the objects read
 * live under a workload (its ReplicaSets, their Pods).
 */
export function resourceTree(input: {
    application: string;
    rows: readonly HealthRow[];
    objects: readonly ManagedObject[];
    live: ReadonlyMap<string, Health>;
    owned?: ReadonlyMap<string, TreeNode[]>;
    drift?: readonly DriftReport[];
}): TreeColumn[] {
    const columns = new Map<string, TreeColumn>();
    const placed = new Set<string>();
    const driftCounts = new Map<string, number>();
    for (const report of input.drift ?? []) {
        if (report.application !== input.application) continue;
        for (const f of report.fields) if (f.class !== "ignored") driftCounts.set(f.resource, (driftCounts.get(f.resource) ?? 0) + 1);
    }
    const node = (resource: string, recorded?: Health): TreeNode => {
        const parts = splitResource(resource);
        const health = input.live.get(resource) ?? recorded ?? { status: "Unknown", message: "not read" };
        return { resource, ...parts, health, children: input.owned?.get(resource) ?? [], drifted: driftCounts.get(resource) ?? 0 };
    };
    for (const row of input.rows) {
        if (row.application !== input.application) continue;
        const { phase, wave, hook } = parseStage(row.stage);
        const title = hook ? `${phase} hooks` : row.stage;
        const column = columns.get(title) ?? { title, phase, wave, nodes: [] };
        columns.set(title, column);
        if (placed.has(`${title}\0${row.resource}`)) continue;
        placed.add(`${title}\0${row.resource}`);
        placed.add(row.resource);
        column.nodes.push(node(row.resource, { status: (row.status || "Unknown") as Health["status"], message: row.message }));
    }
    const ordered = [...columns.values()].sort((a, b) => compareStages(a.title.replace(/ hooks$/, " hook"), b.title.replace(/ hooks$/, " hook")));
    const ungated = input.objects.filter((o) => o.application === input.application && !placed.has(resourceName(o)));
    // Objects no gate measured (the destination namespace CreateNamespace makes) come before every phase, as it is created.
    if (ungated.length > 0) ordered.unshift({ title: "Not gated", phase: "none", nodes: ungated.map((o) => node(resourceName(o))) });
    return ordered;
}

export interface OwnedObject {
    kind: string;
    namespace?: string;
    name: string;
    uid: string;
    ownerUids: string[];
    health: Health;
}

/**
 * The objects under each workload: ReplicaSets a Deployment owns, Pods a ReplicaSet, StatefulSet,
 * DaemonSet or Job owns, followed down by ownerReferences' uids.
 */
export function ownedTree(workloads: readonly { resource: string; uid: string }[], objects: readonly OwnedObject[]): Map<string, TreeNode[]> {
    const byOwner = new Map<string, OwnedObject[]>();
    for (const o of objects) for (const uid of o.ownerUids) byOwner.set(uid, [...(byOwner.get(uid) ?? []), o]);
    const below = (uid: string, depth: number): TreeNode[] =>
        depth > 3
            ? []
            : (byOwner.get(uid) ?? [])
                  .slice()
                  .sort((a, b) => a.name.localeCompare(b.name))
                  .map((o) => ({ resource: resourceName(o), kind: o.kind, namespace: o.namespace, name: o.name, health: o.health, children: below(o.uid, depth + 1), drifted: 0 }));
    return new Map(workloads.map((w) => [w.resource, below(w.uid, 0)]));
}

export interface AppFilter {
    project?: string;
    health?: string;
    sync?: string;
    /** "key=value" or "key" (any value). */
    label?: string;
}

export function matchesFilter(row: AppRow, filter: AppFilter): boolean {
    if (filter.project && row.project !== filter.project) return false;
    if (filter.health && row.health.status !== filter.health) return false;
    if (filter.sync && row.sync !== filter.sync) return false;
    if (filter.label) {
        const [key, ...value] = filter.label.split("=");
        if (!(key in row.labels)) return false;
        if (value.length > 0 && row.labels[key] !== value.join("=")) return false;
    }
    return true;
}

export interface AppGroup {
    /** The owner's name ("ApplicationSet services"), or undefined for top-level Applications. */
    owner?: string;
    /** The parent Application's own row when the owner is an Application of the same stack. */
    rows: AppRow[];
}

/**
 * Rows grouped under their owner: top-level Applications first (a parent followed by a group of its
 * children), then each ApplicationSet's group. A child whose filter keeps it stays under its owner
 * even when the owner itself is filtered out.
 */
export function groupRows(rows: readonly AppRow[]): AppGroup[] {
    const groups: AppGroup[] = [];
    const byOwner = new Map<string, AppRow[]>();
    for (const r of rows) if (r.owner) byOwner.set(`${r.stack}\0${r.owner}`, [...(byOwner.get(`${r.stack}\0${r.owner}`) ?? []), r]);
    const top = rows.filter((r) => !r.owner);
    const emitted = new Set<string>();
    const emit = (stack: string, owner: string) => {
        const key = `${stack}\0${owner}`;
        if (emitted.has(key) || !byOwner.has(key)) return;
        emitted.add(key);
        groups.push({ owner, rows: byOwner.get(key)! });
    };
    for (const r of top) {
        groups.push({ rows: [r] });
        emit(r.stack, `application ${r.application}`);
    }
    for (const key of byOwner.keys()) {
        const [stack, owner] = key.split("\0");
        emit(stack, owner);
    }
    // Consecutive ungrouped rows form one group.
    const merged: AppGroup[] = [];
    for (const g of groups) {
        const last = merged[merged.length - 1];
        if (!g.owner && last && !last.owner) last.rows.push(...g.rows);
        else merged.push({ owner: g.owner, rows: [...g.rows] });
    }
    return merged;
}

/** Sync status: the last preview's, unless live drift (after it) says the cluster moved away from git. */
export function syncStatus(preview: { sync: "Synced" | "OutOfSync" | "Unknown"; at?: string } | undefined, driftCount: number): { sync: AppRow["sync"]; reason: string } {
    if (driftCount > 0) return { sync: "OutOfSync", reason: `${driftCount} drifted field(s) in the live cluster` };
    if (!preview) return { sync: "Unknown", reason: "no preview yet" };
    return { sync: preview.sync, reason: preview.at ? `preview at ${preview.at}` : "preview" };
}

/** Drifted fields that count: ignored ones are by definition not a difference. */
export function driftCount(application: string, reports: readonly DriftReport[] | undefined): number {
    return (reports ?? []).filter((r) => r.application === application).reduce((n, r) => n + r.fields.filter((f) => f.class !== "ignored").length, 0);
}

/** A Secret's live manifest without any value: each data and stringData key says "(hidden)". */
export function redactSecret<T extends Record<string, unknown>>(object: T): T {
    if (object.kind !== "Secret") return object;
    const copy = structuredClone(object) as Record<string, unknown>;
    for (const field of ["data", "stringData"]) {
        const values = copy[field];
        if (values && typeof values === "object") copy[field] = Object.fromEntries(Object.keys(values).map((k) => [k, "(hidden)"]));
        else if (values !== undefined) copy[field] = "(hidden)";
    }
    const metadata = copy.metadata as { annotations?: Record<string, string>; managedFields?: unknown } | undefined;
    // The last-applied annotation and managed fields would repeat the values.
    if (metadata?.annotations) delete metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"];
    if (metadata) delete metadata.managedFields;
    return copy as T;
}
