import { condition, conditions, type Health, type LiveObject } from "./status";

/**
 * The generic rule for kinds without their own, as sigs.k8s.io/cli-utils pkg/kstatus/status/core.go
 * (checkGenericProperties, checkGeneration) computes it:
 * - a status.observedGeneration that differs from metadata.generation means the controller has not
 *   acted on the latest spec: Progressing, whatever the conditions say, since they describe an older
 *   spec. The check applies only when both fields exist, as in kstatus, because many CRDs never write
 *   observedGeneration.
 * - Reconciling=True is Progressing and Stalled=True is Degraded, whichever comes first in the
 *   list, as kstatus walks it; then Ready decides when present (checkReadyCondition): True is Healthy,
 *   False or Unknown Progressing. kstatus never calls a resource Failed from its Ready condition: a
 *   controller reports Ready=False while it works too, and only Stalled says it gave up.
 * - No status at all stays Healthy. kstatus calls such a resource Current, and Argo CD gives a kind
 *   without a health check no health, so it never holds its application back (gitops-engine
 *   pkg/health/health.go GetResourceHealth returns nil; argo-cd controller/health.go skips nil).
 *   Calling it Progressing would block every wave behind a configuration-only CR (no controller, no
 *   status subresource) forever.
 */
export function kstatusHealth(obj: LiveObject): Health {
    const s = obj.status;
    if (s === undefined || s === null || Object.keys(s).length === 0) return { status: "Healthy" };
    const generation = obj.metadata.generation;
    if (typeof s.observedGeneration === "number" && typeof generation === "number" && s.observedGeneration !== generation) {
        return {
            status: "Progressing",
            message: `${obj.kind} generation is ${generation}, but latest observed generation is ${s.observedGeneration}`,
        };
    }
    for (const c of conditions(obj)) {
        if (c.type === "Reconciling" && c.status === "True") return { status: "Progressing", message: c.message || c.reason };
        if (c.type === "Stalled" && c.status === "True") return { status: "Degraded", message: c.message || c.reason };
    }
    const ready = condition(obj, "Ready");
    if (ready?.status === "True") return { status: "Healthy", message: ready.message };
    if (ready?.status === "False" || ready?.status === "Unknown") return { status: "Progressing", message: ready.message || ready.reason };
    return { status: "Healthy" };
}
