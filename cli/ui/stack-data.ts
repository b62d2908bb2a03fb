// One stack as the web UI sees it: what the CLI's readers return (the state's records and health rows,
// the pins, the history, `syncwave drift`'s classified fields, `syncwave diff`'s preview), plus every
// managed object read live for its health. Each part is kept with when it was read; a read that fails
// for want of the cluster marks the stack stale with the error, and the last good data stays shown.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { assessHealth } from "../../components/health/assess";
import { worst, type Health, type LiveObject } from "../../components/health/status";
import { getJSON, type KubeObject } from "../../components/cluster/kube-http";
import { readLiveObjects, refKey } from "../../components/cluster/live-objects";
import { connect } from "../../components/providers/kube-client";
import { gitCacheDir, mirrorPath } from "../../components/source/git";
import { configObject, readProjectFile, stackConfigFile, stackConfigValues } from "../fast/stack-files";
import { comparable, objectDiff, projectOnto } from "../format/object-diff";
import type { StackOptions } from "../stack";
import type { DiffResult } from "../commands/diff";
import { desiredObjects, type DriftReport } from "../commands/drift";
import type { HistoryEntry } from "../commands/history";
import type { Pin } from "../commands/rollback";
import { healthRows, type HealthRow } from "../commands/stack-health";
import { appRecords, managedObjects, readState, recordCluster, type AppRecord, type ManagedObject, type StateResource } from "../commands/state";
import type { NodeDetail } from "./html";
import {
    applicationOwners,
    driftCount,
    lastSyncOf,
    ownedTree,
    redactSecret,
    resourceName,
    resourceTree,
    syncStatus,
    type AppRow,
    type OwnedObject,
    type TreeColumn,
} from "./view-model";

const run = promisify(execFile);

/** Kinds whose ReplicaSets, Jobs and Pods the tree shows (read live), and the live updates watch. */
export const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

export interface Timed<T> {
    value?: T;
    at?: string;
    error?: string;
    running?: boolean;
}

export class StackData {
    readonly options: StackOptions & { cwd: string };
    state: StateResource[] = [];
    records: AppRecord[] = [];
    objects: ManagedObject[] = [];
    rows: HealthRow[] = [];
    owners = new Map<string, string>();
    pins: Record<string, Pin> = {};
    labels = new Map<string, Record<string, string>>();
    /** Each managed object's live health, by Application and then resource name. */
    live = new Map<string, Map<string, Health>>();
    liveObjects = new Map<string, KubeObject>();
    drift: Timed<DriftReport[]> = {};
    /** When the drift last changed: a preview older than that no longer says what a sync would do. */
    driftChangedAt = 0;
    diff: Timed<Omit<DiffResult, "events">> = {};
    history: Timed<HistoryEntry[]> = {};
    stale?: { error: string; since: string };
    commitMessages = new Map<string, string>();
    /** Bumped on every change a page shows: the live updates tell the pages to fetch again. */
    version = 0;

    /** The policy packs the preview runs (the root options --policy-pack and --policy-pack-config). */
    readonly policy: { packs?: string[]; configs?: string[] };

    constructor(
        options: StackOptions & { policyPacks?: string[]; policyPackConfigs?: string[] },
        private readonly changed: (data: StackData) => void = () => undefined,
    ) {
        const { policyPacks, policyPackConfigs, ...stack } = options;
        this.options = { ...stack, cwd: resolve(stack.cwd ?? process.cwd()) };
        this.policy = { packs: policyPacks, configs: policyPackConfigs };
    }

    get stack(): string {
        return this.options.stack;
    }

    private bump(): void {
        this.version++;
        this.changed(this);
    }

    /** The state, pins and labels: files (or `pulumi stack export` for other backends), no cluster. */
    async readStored(): Promise<void> {
        this.state = readState(this.stack, this.options.cwd, this.options.env);
        this.records = appRecords(this.state);
        this.objects = managedObjects(this.state);
        this.rows = healthRows(this.state);
        this.owners = applicationOwners(this.state);
        const { readPins } = await import("../commands/rollback");
        this.pins = await readPins(this.options).catch(() => ({}));
        this.labels = this.readLabels();
        await this.readCommitMessages();
    }

    /** `syncwave:applications.<name>.labels` of the stack configuration (Applications declared in manifests have theirs in git). */
    private readLabels(): Map<string, Record<string, string>> {
        try {
            const file = stackConfigFile(this.options.cwd, readProjectFile(this.options.cwd), this.stack);
            if (!file.text) return new Map();
            const apps = configObject<Record<string, { labels?: Record<string, string> }>>(stackConfigValues(file.text), "syncwave:applications") ?? {};
            return new Map(Object.entries(apps).map(([name, a]) => [name, a?.labels ?? {}]));
        } catch {
            return new Map();
        }
    }

    /** Each synced commit's subject, from the git cache's mirror when it holds the commit (nothing is fetched). */
    private async readCommitMessages(): Promise<void> {
        const cacheDir = gitCacheDir(this.options.cwd);
        await Promise.all(
            this.records.map(async (r) => {
                if (!r.revision || this.commitMessages.has(r.revision)) return;
                try {
                    const mirror = mirrorPath(r.repoURL, cacheDir, this.options.cwd);
                    if (!existsSync(mirror)) return;
                    const { stdout } = await run("git", ["--git-dir", mirror, "log", "-1", "--format=%s", r.revision], { timeout: 5_000 });
                    if (stdout.trim()) this.commitMessages.set(r.revision, stdout.trim());
                } catch {
                    // Not in the mirror (a Helm chart's version, a pruned commit): the SHA alone is shown.
                }
            }),
        );
    }

    /** Every managed object read live (a LIST per kind and namespace), its health assessed by the built-in rules. */
    async readLive(): Promise<void> {
        const byCluster = new Map<string, { cluster: ReturnType<typeof recordCluster>; objects: ManagedObject[] }>();
        const recordOf = new Map(this.records.map((r) => [r.application, r]));
        for (const o of this.objects) {
            const record = recordOf.get(o.application);
            if (!record) continue;
            const cluster = recordCluster(record);
            const key = JSON.stringify(cluster);
            const entry = byCluster.get(key) ?? { cluster, objects: [] };
            entry.objects.push(o);
            byCluster.set(key, entry);
        }
        const live = new Map<string, Map<string, Health>>();
        const liveObjects = new Map<string, KubeObject>();
        try {
            for (const { cluster, objects } of byCluster.values()) {
                const { kc } = connect({ cluster });
                const read = await readLiveObjects(kc, objects);
                for (const o of objects) {
                    const object = read.get(refKey(o));
                    if (object) liveObjects.set(refKey(o), object);
                    const health = assessHealth(object ? ({ ...object, apiVersion: o.apiVersion, kind: o.kind } as LiveObject) : undefined);
                    const byResource = live.get(o.application) ?? new Map<string, Health>();
                    byResource.set(resourceName(o), health);
                    live.set(o.application, byResource);
                }
            }
            this.live = live;
            this.liveObjects = liveObjects;
            this.stale = undefined;
        } catch (err) {
            this.markStale(err);
        }
        this.bump();
    }

    markStale(err: unknown): void {
        const error = err instanceof Error ? err.message : String(err);
        this.stale = { error, since: this.stale?.since ?? new Date().toISOString() };
    }

    async readDrift(): Promise<void> {
        const { drift } = await import("../commands/drift");
        try {
            const value = await drift(this.options, this.state);
            if (JSON.stringify(value) !== JSON.stringify(this.drift.value)) this.driftChangedAt = Date.now();
            this.drift = { value, at: new Date().toISOString() };
        } catch (err) {
            this.drift = { ...this.drift, error: err instanceof Error ? err.message : String(err) };
            this.markStale(err);
        }
        this.bump();
    }

    async readHistory(): Promise<void> {
        const { history } = await import("../commands/history");
        this.history = { ...this.history, running: true };
        try {
            this.history = { value: await history(this.options), at: new Date().toISOString() };
        } catch (err) {
            this.history = { ...this.history, running: false, error: err instanceof Error ? err.message : String(err) };
        }
        this.bump();
    }

    private diffRun?: Promise<void>;

    /** `syncwave diff`'s preview; one at a time (a request while one runs waits for it). */
    readDiff(): Promise<void> {
        if (this.diffRun) return this.diffRun;
        // Running from now: a page rendered next says so.
        this.diff = { ...this.diff, running: true };
        this.bump();
        this.diffRun = (async () => {
            const { diff } = await import("../commands/diff");
            // When the preview started: what changed after that may not be in it.
            const started = new Date().toISOString();
            try {
                const { events, ...result } = await diff({ ...this.options, syncKind: "automated", policyPacks: this.policy.packs, policyPackConfigs: this.policy.configs });
                // A refused preview (a mandatory policy, a bad input) is still a result, but says nothing of sync status.
                const refused = events.find((e) => e.diagnosticEvent?.severity === "error")?.diagnosticEvent?.message;
                this.diff = { value: result, at: started, ...(refused ? { error: refused.trim() } : {}) };
            } catch (err) {
                this.diff = { ...this.diff, running: false, error: err instanceof Error ? err.message : String(err) };
            }
            this.bump();
        })().finally(() => (this.diffRun = undefined));
        return this.diffRun;
    }

    /** Resolves once no preview runs (a signal has already told the engine to cancel it). */
    previewDone(): Promise<void> {
        return this.diffRun ?? Promise.resolve();
    }

    /** The preview's verdict on one Application: OutOfSync when it plans changes or prunes, Unknown when it cannot sync. */
    private previewSync(application: string): { sync: AppRow["sync"]; at?: string } | undefined {
        const d = this.diff.value;
        if (!d) return undefined;
        if (this.diff.error || d.failed.some((f) => f.application === application)) return { sync: "Unknown", at: this.diff.at };
        const prune = d.prunes.find((p) => p.application === application);
        const changed = d.changes.some((c) => c.application === application) || (prune?.prune.length ?? 0) > 0 || (prune?.requiresPruning.length ?? 0) > 0;
        return { sync: changed ? "OutOfSync" : "Synced", at: this.diff.at };
    }

    appRows(): AppRow[] {
        return this.records.map((r) => {
            const live = this.live.get(r.application);
            const recorded = this.rows.filter((row) => row.application === r.application).map((row): Health => ({ status: (row.status || "Unknown") as Health["status"], message: row.message }));
            const health = live && live.size > 0 ? worst([...live.values()]) : recorded.length ? worst(recorded) : { status: "Unknown" as const, message: "not read yet" };
            const drifted = driftCount(r.application, this.drift.value);
            const { sync, reason } = syncStatus(this.previewSync(r.application), drifted);
            return {
                stack: this.stack,
                application: r.application,
                project: r.project,
                revision: r.revision ?? "",
                commitMessage: this.commitMessages.get(r.revision),
                sync,
                syncReason: reason,
                health,
                lastSync: lastSyncOf(r.application, this.history.value ?? []),
                pinned: Boolean(this.pins[r.application]),
                driftCount: drifted,
                labels: this.labels.get(r.application) ?? {},
                owner: this.owners.get(r.application),
            };
        });
    }

    /** The Application's resource tree; workloads' ReplicaSets and Pods read live now. */
    async tree(application: string): Promise<TreeColumn[]> {
        let owned: Map<string, ReturnType<typeof ownedTree> extends Map<string, infer V> ? V : never> | undefined;
        const record = this.records.find((r) => r.application === application);
        const workloads = this.objects.filter((o) => o.application === application && WORKLOAD_KINDS.has(o.kind) && o.namespace);
        if (record && workloads.length > 0 && !this.stale) {
            try {
                const { kc } = connect({ cluster: recordCluster(record) });
                const namespaces = [...new Set(workloads.map((w) => w.namespace!))];
                const children: OwnedObject[] = [];
                for (const ns of namespaces) {
                    const [replicaSets, pods, jobs] = await Promise.all([
                        getJSON<{ items: KubeObject[] }>(kc, `/apis/apps/v1/namespaces/${ns}/replicasets`, 10_000),
                        getJSON<{ items: KubeObject[] }>(kc, `/api/v1/namespaces/${ns}/pods`, 10_000),
                        getJSON<{ items: KubeObject[] }>(kc, `/apis/batch/v1/namespaces/${ns}/jobs`, 10_000),
                    ]);
                    const add = (items: KubeObject[] | undefined, apiVersion: string, kind: string) => {
                        for (const o of items ?? []) {
                            const refs = (o.metadata.ownerReferences as { uid: string }[] | undefined) ?? [];
                            if (refs.length === 0) continue;
                            children.push({ kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: String(o.metadata.uid), ownerUids: refs.map((x) => x.uid), health: assessHealth({ ...o, apiVersion, kind } as LiveObject) });
                        }
                    };
                    add(replicaSets?.items, "apps/v1", "ReplicaSet");
                    add(pods?.items, "v1", "Pod");
                    add(jobs?.items, "batch/v1", "Job");
                }
                const roots = workloads.map((w) => ({ resource: resourceName(w), uid: String(this.liveObjects.get(refKey(w))?.metadata.uid ?? "") })).filter((w) => w.uid);
                owned = ownedTree(roots, children);
            } catch (err) {
                this.markStale(err);
            }
        }
        return resourceTree({ application, rows: this.rows, objects: this.objects, live: this.live.get(application) ?? new Map(), owned, drift: this.drift.value });
    }

    /** One resource of the Application: its live manifest (a Secret's values hidden), its diff against git, its events. */
    async detail(application: string, resource: string): Promise<NodeDetail> {
        const managed = this.objects.find((o) => o.application === application && resourceName(o) === resource);
        const record = this.records.find((r) => r.application === application);
        if (!record) return { resource, diff: [], events: [], error: "no such application" };
        const [kind, rest = ""] = resource.split(" ");
        const [namespace, name] = rest.includes("/") ? rest.split("/") : [undefined, rest];
        try {
            const { kc } = connect({ cluster: recordCluster(record) });
            const ref = managed ?? { apiVersion: kind === "Pod" ? "v1" : kind === "ReplicaSet" ? "apps/v1" : kind === "Job" ? "batch/v1" : "v1", kind, namespace, name };
            const { readObject } = await import("../../components/cluster/kube-http");
            const live = await readObject(kc, ref);
            const desired = managed ? desiredObjects(this.state).find((d) => d.application === application && refKey(d.ref) === refKey(managed))?.desired : undefined;
            // The diff of the review: the live object cut to the fields git declares, against git; a Secret's values hidden.
            const diff = desired ? objectDiff(live ? (projectOnto(comparable(live), desired) as Record<string, unknown>) : undefined, { ...desired, apiVersion: ref.apiVersion, kind: ref.kind }) : [];
            const selector = [`involvedObject.name=${name}`, `involvedObject.kind=${kind}`].join(",");
            const events = ref.namespace
                ? ((await getJSON<{ items: { type: string; reason: string; message: string; count?: number; lastTimestamp?: string; eventTime?: string }[] }>(kc, `/api/v1/namespaces/${ref.namespace}/events?fieldSelector=${encodeURIComponent(selector)}`, 10_000))?.items ?? [])
                : [];
            const manifest = live ? stringify(redactSecret(withoutManagedFields(live)), { sortMapEntries: false, lineWidth: 0 }) : undefined;
            return {
                resource,
                manifest,
                diff,
                events: events
                    .map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count, last: e.lastTimestamp ?? e.eventTime ?? undefined }))
                    .sort((a, b) => (b.last ?? "").localeCompare(a.last ?? "")),
            };
        } catch (err) {
            this.markStale(err);
            return { resource, diff: [], events: [], error: err instanceof Error ? err.message : String(err) };
        }
    }
}

function withoutManagedFields(o: KubeObject): KubeObject {
    const copy = structuredClone(o);
    delete (copy.metadata as { managedFields?: unknown }).managedFields;
    return copy;
}
