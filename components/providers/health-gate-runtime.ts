// What a HealthGate does, in the dynamic provider's process: watch every resource of its stage until
// all are Healthy, fail on Degraded (a pod's only when it backs off or stays Degraded past its grace),
// time out with the resource, its status and its message; and, when the sync fails, run the
// Application's SyncFail hooks before the error is returned.
import type { ClusterAccess } from "../cluster/connection-ref";
import { assessHealth, type CustomHealthRules } from "../health/assess";
import { withoutContainerText } from "../health/container-text";
import { backOff, DEFAULT_DEGRADED_GRACE_MS, degradedGraceOf, DegradedSince, isBackingOff, isFinished } from "../health/degraded-grace";
import { formatDuration } from "../cluster/api-request";
import type { Health, HealthStatus, LiveObject } from "../health/status";
import { runHook, type RunHookInputs } from "./hook-runtime";
import { recordGateOutcome } from "./gate-outcomes";
import { groupKind } from "../health/assess";
import { connect, readObject, watchCollection, watchObject, WaitTimeout, type Connection, type KubeObject, type ObjectRef } from "./kube-client";

export interface GateResource extends ObjectRef {
    /** Per-resource timeout (syncwave.dev/health-timeout), else the gate's. */
    timeoutMs?: number;
    /**
     * How long a pod of this resource (or the Pod itself) may stay Degraded before the sync fails
     * (syncwave.dev/degraded-grace); else the annotation on the live object, else the gate's.
     */
    degradedGraceMs?: number;
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
    /** The Application's grace for Degraded pods; 30 s when not given. */
    degradedGraceMs?: number;
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
 * (ten minutes by default): a workload whose current pod backs off (CrashLoopBackOff,
 * ImagePullBackOff) is Degraded now, with the pod's reason, and one whose current pod stays Degraded
 * past the grace period is Degraded then. A pod Degraded for less (a first ErrImagePull, a container
 * config that the same wave is still applying) does not decide: the workload's own status does, as in
 * Argo CD.
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

/** The failure a Degraded pod is, now or once its grace has passed; undefined while it is not (yet) one. */
function podVerdict(pod: LiveObject, health: Health, degraded: Map<string, Health>): Health | undefined {
    const backingOff = backOff(pod);
    if (backingOff) return health.status === "Degraded" ? health : { status: "Degraded", message: backingOff };
    if (health.status !== "Degraded") return undefined;
    degraded.set(pod.metadata.name, health);
    return undefined;
}

function graceExpired(expired: { key: string; health: Health; forMs: number } | undefined, graceMs: number, what: (key: string) => string): Health | undefined {
    if (!expired) return undefined;
    return { status: "Degraded", message: `${what(expired.key)}Degraded for ${formatDuration(expired.forMs)} (grace ${formatDuration(graceMs)}): ${expired.health.message ?? "no message"}` };
}

/** Calls `check` again at the given time; one pending timer at a time, cancelled with the signal. */
function rechecker(signal: AbortSignal, check: () => void): (at: number | undefined) => void {
    let timer: NodeJS.Timeout | undefined;
    signal.addEventListener("abort", () => clearTimeout(timer));
    return (at) => {
        clearTimeout(timer);
        timer = undefined;
        if (at === undefined || signal.aborted) return;
        timer = setTimeout(check, Math.max(0, at - Date.now()));
    };
}

/** The grace of one resource: its input, else its live annotation, else the gate's. Bad text is an error. */
export function degradedGraceFor(inputs: GateInputs, r: GateResource, live: KubeObject | undefined): number {
    if (r.degradedGraceMs !== undefined) return r.degradedGraceMs;
    const annotations = (live?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    return degradedGraceOf(annotations, { application: inputs.application, resource: describeRef(r) }) ?? inputs.degradedGraceMs ?? DEFAULT_DEGRADED_GRACE_MS;
}

async function firstDegradedPod(conn: Connection, inputs: GateInputs, r: GateResource, timeoutMs: number, signal: AbortSignal, tracker: RolloutTracker): Promise<Health> {
    const workload = await readObject(conn.kc, r);
    const graceMs = degradedGraceFor(inputs, r, workload);
    const labels = (workload?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
    if (!labels || Object.keys(labels).length === 0) return new Promise<Health>(() => undefined);
    const labelSelector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
    return new Promise<Health>((resolveHealth) => {
        let pods = new Map<string, KubeObject>();
        let hashByRevision = new Map<string, string>();
        const since = new DegradedSince();
        const current = (): KubeObject[] | undefined => {
            if (r.kind !== "ReplicaSet" && !tracker.observedCurrent) return undefined;
            const currentHash = r.kind === "Deployment" && tracker.revision !== undefined ? hashByRevision.get(tracker.revision) : undefined;
            if (r.kind === "Deployment" && currentHash === undefined) return undefined;
            const label = POD_REVISION_LABEL[r.kind];
            return [...pods.values()].filter((pod) => {
                const podLabels = (pod.metadata as { labels?: Record<string, string> }).labels ?? {};
                if (r.kind === "Deployment" && podLabels["pod-template-hash"] !== currentHash) return false;
                // A pod of an earlier revision is on its way out; without the labels, every pod counts.
                return !(label && tracker.revision !== undefined && podLabels[label] !== undefined && podLabels[label] !== tracker.revision);
            });
        };
        const check = () => {
            const degraded = new Map<string, Health>();
            for (const kube of current() ?? []) {
                const pod = { ...kube, apiVersion: "v1", kind: "Pod" } as LiveObject;
                if (isFinished(pod)) continue;
                const failure = podVerdict(pod, assessHealth(pod), degraded);
                if (failure) return resolveHealth({ status: "Degraded", message: `pod ${pod.metadata.name}: ${failure.message ?? "failed"}` });
            }
            // Pods of an earlier revision, or none yet: nothing is Degraded, every clock restarts.
            const { expired, checkAgainAt } = since.observe(degraded, Date.now(), graceMs);
            const failure = graceExpired(expired, graceMs, (name) => `pod ${name} has been `);
            if (failure) return resolveHealth(failure);
            recheckAt(checkAgainAt);
        };
        const recheckAt = rechecker(signal, check);
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

/** A Degraded pod's state that may pass by itself (not a back-off, not a finished pod): the grace applies. */
function mayRecover(pod: LiveObject, health: Health): boolean {
    return health.status === "Degraded" && !isBackingOff(pod) && !isFinished(pod);
}

/** For a Pod the gate waits on itself: resolves once it has stayed Degraded (in a state that may pass) past its grace. */
async function podPastGrace(conn: Connection, inputs: GateInputs, r: GateResource, timeoutMs: number, signal: AbortSignal): Promise<Health> {
    const graceMs = degradedGraceFor(inputs, r, await readObject(conn.kc, r));
    const since = new DegradedSince();
    let degraded = new Map<string, Health>();
    let resolveExpired: (h: Health) => void = () => undefined;
    const expiredHealth = new Promise<Health>((resolve) => (resolveExpired = resolve));
    const judge = () => {
        const { expired, checkAgainAt } = since.observe(degraded, Date.now(), graceMs);
        const failure = graceExpired(expired, graceMs, () => "it has been ");
        if (failure) resolveExpired(failure);
        else recheckAt(checkAgainAt);
    };
    const recheckAt = rechecker(signal, judge);
    void watchObject<never>(
        conn.kc,
        r,
        (obj) => {
            const pod = obj as LiveObject | undefined;
            const h = assessHealth(pod);
            degraded = pod && mayRecover(pod, h) ? new Map([[r.name, h]]) : new Map();
            judge();
            return undefined;
        },
        timeoutMs,
        () => "",
        signal,
    ).catch(() => undefined);
    return expiredHealth;
}

/** Waits for one resource; resolves Healthy (or Suspended, as Argo CD accepts), rejects otherwise. */
async function awaitHealthy(inputs: GateInputs, r: GateResource, rules: CustomHealthRules): Promise<ResourceHealth> {
    const conn = connect(inputs);
    const timeoutMs = r.timeoutMs ?? inputs.timeoutMs;
    const stopPodWatch = new AbortController();
    const tracker: RolloutTracker = { observedCurrent: false, changed: () => undefined };
    const isPod = groupKind(r) === "/Pod";
    const podFailure = WORKLOADS.has(groupKind(r))
        ? firstDegradedPod(conn, inputs, r, timeoutMs, stopPodWatch.signal, tracker)
        : isPod
          ? podPastGrace(conn, inputs, r, timeoutMs, stopPodWatch.signal)
          : new Promise<Health>(() => undefined);
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
            // A Pod's passing failure is left to podPastGrace, unless a custom rule judges Pods.
            if (isPod && !rules["/Pod"] && obj && mayRecover(obj as LiveObject, h)) return undefined;
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
    podFailure.catch(() => undefined);
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
        const outcome = err instanceof Degraded ? "Degraded" : err instanceof WaitTimeout ? "timeout" : "error";
        recordGateOutcome({ application: inputs.application, stage: inputs.stage, outcome });
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
