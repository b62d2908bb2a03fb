import { condition, type Health, type LiveObject } from "./status";

/** As Argo CD: Degraded when it cannot scale or fetch metrics, Healthy once it can. */
export function horizontalPodAutoscalerHealth(obj: LiveObject): Health {
    const ableToScale = condition(obj, "AbleToScale");
    if (ableToScale?.status === "False") return { status: "Degraded", message: ableToScale.message };
    const scalingActive = condition(obj, "ScalingActive");
    if (scalingActive?.status === "False" && scalingActive.reason === "FailedGetResourceMetric") {
        return { status: "Degraded", message: scalingActive.message };
    }
    if (!obj.status?.conditions) return { status: "Progressing", message: "waiting for the autoscaler to observe its target" };
    return { status: "Healthy", message: scalingActive?.message };
}
