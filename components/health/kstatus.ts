import { condition, type Health, type LiveObject } from "./status";

/**
 * The generic rule for kinds without their own, as sigs.k8s.io/cli-utils pkg/kstatus/status/core.go
 * (checkGenericProperties, checkGeneration) computes it:
 * - a status.observedGeneration that differs from metadata.generation means the controller has not
 *   acted on the latest spec: Progressing, whatever the conditions say, since they describe an older
 *   spec. The check applies only when both fields exist, as in kstatus, because many CRDs never write
 *   observedGeneration.
 * - Stalled=True is Degraded, Reconciling=True is Progressing; then Ready decides when present.
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
    const stalled = condition(obj, "Stalled");
    if (stalled?.status === "True") return { status: "Degraded", message: stalled.message ?? stalled.reason };
    const reconciling = condition(obj, "Reconciling");
    if (reconciling?.status === "True") return { status: "Progressing", message: reconciling.message ?? reconciling.reason };
    const ready = condition(obj, "Ready");
    if (ready?.status === "True") return { status: "Healthy", message: ready.message };
    if (ready?.status === "False") {
        return { status: /fail|error/i.test(ready.reason ?? "") ? "Degraded" : "Progressing", message: ready.message ?? ready.reason };
    }
    if (ready) return { status: "Progressing", message: ready.message ?? ready.reason };
    return { status: "Healthy" };
}
