// What a HealthGate does, in the dynamic provider's process: watch every resource of its stage until
// all are Healthy, fail fast on Degraded, time out with the resource, its status and its message; and,
// when the sync fails, run the Application's SyncFail hooks before the error is returned.
import type { ClusterAccess } from "../cluster/connection-ref";
import { assessHealth, type CustomHealthRules } from "../health/assess";
import { withoutContainerText } from "../health/container-text";
import type { Health, HealthStatus, LiveObject } from "../health/status";
import { runHook, type RunHookInputs } from "./hook-runtime";
import { groupKind } from "../health/assess";
import { connect, readObject, watchCollection, watchObject, WaitTimeout, type Connection, type KubeObject, type ObjectRef } from "./kube-client";

export interface GateResource extends ObjectRef {
    /** Per-resource timeout (syncwave.dev/health-timeout), else the gate's. */
    timeoutMs?: number;
}

export interface ResourceHealth {
    resource: string;
    status: HealthStatus;
    message: string;
    /** When the gate saw this resource reach its final status. */
    observedAt: string;
}

export interface SyncFailHook extends Omit<RunHookInputs, keyof ClusterAccess | "syncId"> {}

export interface GateInputs extends ClusterAccess {
    application: string;
    stage: string;
    resources: GateResource[];
    timeoutMs: number;
    syncId: string;
    syncFailHooks: SyncFailHook[];
}

export function describeRef(r: ObjectRef): string {
    return `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

class Degraded extends Error {}

/** Runs the SyncFail hooks; their own failures are added to the message, never hide the first one. */
export async function runSyncFailHooks(access: ClusterAccess, syncId: string, hooks: SyncFailHook[], cause: string, rules: CustomHealthRules = {}): Promise<string> {
    const notes: string[] = [];
    for (const hook of hooks) {
        try {
            const run = await runHook({ ...hook, cluster: access.cluster, kubeconfig: access.kubeconfig, syncId: `${syncId}:syncfail` }, rules);
            notes.push(`SyncFail hook ${run.hookName} ran: ${run.status}`);
        } catch (err) {
            notes.push(`SyncFail hook failed too: ${(err as Error).message.split("\n")[0]}`);
        }
    }
    return notes.length ? `${cause}\n${notes.join("\n")}` : cause;
}

const REVISION = "deployment.kubernetes.io/revision";
const WORKLOADS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet"]);

/**
 * Better than Argo CD, which calls a crash-looping Deployment Progressing until its progress deadline
 * (ten minutes by default): a workload whose pod is Degraded is Degraded now, with the pod's reason.
 * For a Deployment only the current ReplicaSet's pods count, once the controller has seen the latest
 * spec: an earlier rollout's failing pods are on their way out. The current one is the ReplicaSet whose
 * revision is the Deployment's revision, not the newest by creation: a rollback reuses an older
 * ReplicaSet, and the Deployment's status can arrive before the ReplicaSet's new revision does.
 * For a StatefulSet only pods of its update revision count, for a DaemonSet only pods of its current
 * template generation.
 */
interface RolloutTracker {
    observedCurrent: boolean;
    /** Deployment: its revision annotation; StatefulSet: status.updateRevision; DaemonSet: its template generation. */
    revision?: string;
    changed: () => void;
}

/** The revision a workload's current pods belong to, read from the workload itself. */
function currentRevisionOf(kind: string, obj: KubeObject | undefined): string | undefined {
    const meta = obj?.metadata as { annotations?: Record<string, string>; generation?: number } | undefined;
    if (kind === "Deployment") return meta?.annotations?.[REVISION];
    if (kind === "StatefulSet") return (obj?.status as { updateRevision?: string } | undefined)?.updateRevision;
    // Not metadata.generation: that also moves for changes outside the pod template.
    if (kind === "DaemonSet") return meta?.annotations?.["deprecated.daemonset.template.generation"];
    return undefined;
}

/** The pod's revision label, compared with the tracker's revision (which pods are current). */
const POD_REVISION_LABEL: Record<string, string> = { StatefulSet: "controller-revision-hash", DaemonSet: "pod-template-generation" };

async function firstDegradedPod(conn: Connection, r: GateResource, timeoutMs: number, signal: AbortSignal, tracker: RolloutTracker): Promise<Health> {
    const workload = await readObject(conn.kc, r);
    const labels = (workload?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
    if (!labels || Object.keys(labels).length === 0) return new Promise<Health>(() => undefined);
    const labelSelector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
    return new Promise<Health>((resolveHealth) => {
        let pods = new Map<string, KubeObject>();
        let hashByRevision = new Map<string, string>();
        const check = () => {
            if (r.kind !== "ReplicaSet" && !tracker.observedCurrent) return;
            const currentHash = r.kind === "Deployment" && tracker.revision !== undefined ? hashByRevision.get(tracker.revision) : undefined;
            if (r.kind === "Deployment" && currentHash === undefined) return;
            const label = POD_REVISION_LABEL[r.kind];
            for (const pod of pods.values()) {
                const podLabels = (pod.metadata as { labels?: Record<string, string> }).labels ?? {};
                if (r.kind === "Deployment" && podLabels["pod-template-hash"] !== currentHash) continue;
                // A pod of an earlier revision is on its way out; without the labels, every pod counts.
                if (label && tracker.revision !== undefined && podLabels[label] !== undefined && podLabels[label] !== tracker.revision) continue;
                const h = assessHealth({ ...pod, apiVersion: "v1", kind: "Pod" } as LiveObject);
                if (h.status === "Degraded") return resolveHealth({ status: "Degraded", message: `pod ${pod.metadata.name}: ${h.message ?? "failed"}` });
            }
        };
        tracker.changed = check;
        const quietly = () => undefined;
        if (r.kind === "Deployment") {
            void watchCollection<never>(
                conn.kc,
                `/apis/apps/v1/namespaces/${r.namespace}/replicasets`,
                { labelSelector },
                (sets) => {
                    hashByRevision = new Map();
                    for (const rs of sets.values()) {
                        const meta = rs.metadata as { annotations?: Record<string, string>; labels?: Record<string, string> };
                        const revision = meta.annotations?.[REVISION];
                        const hash = meta.labels?.["pod-template-hash"];
                        if (revision !== undefined && hash !== undefined) hashByRevision.set(revision, hash);
                    }
                    check();
                    return undefined;
                },
                timeoutMs,
                () => "",
                signal,
            ).catch(quietly);
        }
        void watchCollection<never>(
            conn.kc,
            `/api/v1/namespaces/${r.namespace}/pods`,
            { labelSelector },
            (current) => {
                pods = current;
                check();
                return undefined;
            },
            timeoutMs,
            () => "",
            signal,
        ).catch(quietly);
    });
}

/** Waits for one resource; resolves Healthy (or Suspended, as Argo CD accepts), rejects otherwise. */
async function awaitHealthy(inputs: GateInputs, r: GateResource, rules: CustomHealthRules): Promise<ResourceHealth> {
    const conn = connect(inputs);
    const timeoutMs = r.timeoutMs ?? inputs.timeoutMs;
    const stopPodWatch = new AbortController();
    const tracker: RolloutTracker = { observedCurrent: false, changed: () => undefined };
    const podFailure = WORKLOADS.has(groupKind(r)) ? firstDegradedPod(conn, r, timeoutMs, stopPodWatch.signal, tracker) : new Promise<Health>(() => undefined);
    const describe = (obj: unknown) => {
        const h = assessHealth(obj as LiveObject | undefined, rules);
        return `${describeRef(r)} is ${h.status}${h.message ? `: ${h.message}` : ""}`;
    };
    const stopWatch = new AbortController();
    const own = watchObject<Health>(
        conn.kc,
        r,
        (obj) => {
            const status = obj?.status as { observedGeneration?: number } | undefined;
            const generation = (obj?.metadata as { generation?: number } | undefined)?.generation ?? 0;
            const observed = (status?.observedGeneration ?? 0) >= generation;
            const revision = currentRevisionOf(r.kind, obj as KubeObject | undefined);
            if (observed !== tracker.observedCurrent || revision !== tracker.revision) {
                tracker.observedCurrent = observed;
                tracker.revision = revision;
                tracker.changed();
            }
            const h = assessHealth(obj as LiveObject | undefined, rules);
            return h.status === "Healthy" || h.status === "Suspended" || h.status === "Degraded" ? h : undefined;
        },
        timeoutMs,
        describe,
        stopWatch.signal,
    ).catch((err: Error) => {
        if (err instanceof WaitTimeout) {
            throw new WaitTimeout(`${describeRef(r)} did not become Healthy: ${err.message}`);
        }
        throw err;
    });
    // Whichever settles second is cancelled; its outcome is no longer wanted.
    own.catch(() => undefined);
    let health: Health;
    try {
        health = await Promise.race([own, podFailure]);
    } finally {
        stopPodWatch.abort();
        stopWatch.abort();
    }
    if (health.status === "Degraded") throw new Degraded(`${describeRef(r)} is Degraded: ${health.message ?? "no message"}`);
    return { resource: describeRef(r), status: health.status, message: health.message ?? "", observedAt: new Date().toISOString() };
}

export async function runGate(inputs: GateInputs, rules: CustomHealthRules = {}): Promise<ResourceHealth[]> {
    try {
        return await Promise.all(inputs.resources.map((r) => awaitHealthy(inputs, r, rules)));
    } catch (err) {
        const cause = `application ${inputs.application}, ${inputs.stage}: ${(err as Error).message}`;
        throw new Error(await runSyncFailHooks(inputs, inputs.syncId, inputs.syncFailHooks, cause, rules));
    }
}

/**
 * Current health of each resource, for `pulumi refresh`: one read each, no waiting. What containers
 * wrote about themselves is left out of the messages: they go into the state.
 */
export async function currentHealth(inputs: GateInputs, rules: CustomHealthRules = {}): Promise<ResourceHealth[]> {
    const conn = connect(inputs);
    return Promise.all(
        inputs.resources.map(async (r) => {
            // A kind the API server no longer serves (its CRD is gone) means the object is gone too.
            const live = await readObject(conn.kc, r).catch(() => undefined);
            const h = assessHealth(withoutContainerText(live as LiveObject | undefined), rules);
            return { resource: describeRef(r), status: h.status, message: h.message ?? "", observedAt: new Date().toISOString() };
        }),
    );
}
