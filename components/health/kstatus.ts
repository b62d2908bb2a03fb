import { condition, type Health, type LiveObject } from "./status";

/**
 * The generic rule for kinds without their own, in the kstatus way: a controller that has not observed
 * the latest generation is still Progressing; Stalled is Degraded; Reconciling is Progressing; Ready
 * decides when present; no status at all counts as Healthy once applied, as in Argo CD.
 */
export function kstatusHealth(obj: LiveObject): Health {
    const s = obj.status;
    if (s === undefined || s === null || Object.keys(s).length === 0) return { status: "Healthy" };
    if (typeof s.observedGeneration === "number" && (obj.metadata.generation ?? 0) > s.observedGeneration) {
        return { status: "Progressing", message: "the controller has not observed the latest generation" };
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
