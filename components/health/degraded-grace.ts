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
    state?: { waiting?: { reason?: string } };
}

/** A container of the pod is in a back-off. */
export function isBackingOff(pod: LiveObject): boolean {
    const lists: unknown[] = [pod.status?.initContainerStatuses, pod.status?.containerStatuses];
    return lists.some((list) => Array.isArray(list) && (list as ContainerStatus[]).some((c) => BACK_OFF_REASONS.has(c.state?.waiting?.reason ?? "")));
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
