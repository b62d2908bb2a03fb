// When a gate fails on a Degraded pod. Argo CD's pod rule calls a pod Degraded on the first
// ErrImagePull or CreateContainerConfigError, states the kubelet often leaves by itself a moment
// later (a registry hiccup, a ConfigMap applied in the same wave). A sync fails on such a pod only
// once it has stayed Degraded past a grace period; a back-off means the kubelet already retried and
// failed, so it fails at once. Pure: the gate's runtime supplies the clock.
import { parseDuration } from "../duration";
import { SyncWaveInputError } from "../sync/errors";
import type { Health, LiveObject } from "./status";

export const DEGRADED_GRACE_ANNOTATION = "syncwave.dev/degraded-grace";

/** How long a pod may stay Degraded, when neither the Application nor the resource says. */
export const DEFAULT_DEGRADED_GRACE_MS = 30_000;

/** Waiting reasons that mean the kubelet has retried and backs off: no grace. */
const BACK_OFF_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff"]);

interface ContainerStatus {
    name?: string;
    state?: { waiting?: { reason?: string; message?: string } };
}

/**
 * What backs off in the pod, init containers included ("init container migrate: CrashLoopBackOff:
 * ..."), or undefined. Argo CD's pod rule does not read init containers (such a pod stays Pending,
 * Progressing), but one that backs off will not start without a change either.
 */
export function backOff(pod: LiveObject): string | undefined {
    const lists: [string, unknown][] = [["init container", pod.status?.initContainerStatuses], ["container", pod.status?.containerStatuses]];
    for (const [what, list] of lists) {
        if (!Array.isArray(list)) continue;
        const c = (list as ContainerStatus[]).find((s) => BACK_OFF_REASONS.has(s.state?.waiting?.reason ?? ""));
        if (c) return `${what} ${c.name ?? ""}: ${c.state!.waiting!.reason}${c.state!.waiting!.message ? `: ${c.state!.waiting!.message}` : ""}`;
    }
    return undefined;
}

/** A container of the pod is in a back-off. */
export function isBackingOff(pod: LiveObject): boolean {
    return backOff(pod) !== undefined;
}

/**
 * Pods a workload's controller no longer counts (Failed or Succeeded: evicted, or finished on a node
 * that went away): the ReplicaSet, StatefulSet and DaemonSet controllers replace them and the
 * workload's own status shows whether the replacement came up.
 */
export function isFinished(pod: LiveObject): boolean {
    return pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";
}

/** The grace an annotation asks for, or undefined without one; an error naming the resource otherwise. */
export function degradedGraceOf(annotations: Record<string, string> | undefined, where: { application?: string; resource: string }): number | undefined {
    const text = annotations?.[DEGRADED_GRACE_ANNOTATION];
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) {
        throw new SyncWaveInputError(`"${text}" is not a duration like 30s, 2m or 1m30s`, { ...where, field: `metadata.annotations["${DEGRADED_GRACE_ANNOTATION}"]` });
    }
    return ms;
}

/**
 * Since when each watched pod has been Degraded. `observe` takes every pod's health at once (a pod
 * left out has recovered or gone) and says which one has been Degraded for longer than the grace, or
 * when to look again.
 */
export class DegradedSince {
    private readonly since = new Map<string, number>();

    observe(degraded: ReadonlyMap<string, Health>, now: number, graceMs: number): { expired?: { key: string; health: Health; forMs: number }; checkAgainAt?: number } {
        for (const key of [...this.since.keys()]) if (!degraded.has(key)) this.since.delete(key);
        let checkAgainAt: number | undefined;
        for (const [key, health] of degraded) {
            const since = this.since.get(key) ?? now;
            this.since.set(key, since);
            if (now - since >= graceMs) return { expired: { key, health, forMs: now - since } };
            checkAgainAt = Math.min(checkAgainAt ?? Infinity, since + graceMs);
        }
        return { checkAgainAt };
    }
}
