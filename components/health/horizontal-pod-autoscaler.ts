import { conditions, type Condition, type Health, type LiveObject } from "./status";

/**
 * HorizontalPodAutoscaler health as gitops-engine pkg/health/health_hpa.go computes it: the conditions
 * are read in order and the first that decides wins. A condition is Degraded by its type and reason
 * alone, whatever its status (the controller writes FailedGetScale with AbleToScale True as well);
 * AbleToScale or ScalingLimited with status True is Healthy; anything else is "Waiting to Autoscale".
 * autoscaling/v1 keeps its conditions in an annotation, as JSON.
 */
const WAITING: Health = { status: "Progressing", message: "Waiting to Autoscale" };

const DEGRADED: readonly (readonly [type: string, reason: string])[] = [
    ["AbleToScale", "FailedGetScale"],
    ["AbleToScale", "FailedUpdateScale"],
    ["ScalingActive", "FailedGetResourceMetric"],
    ["ScalingActive", "InvalidSelector"],
];

const HEALTHY_TYPES = new Set(["AbleToScale", "ScalingLimited"]);

const V1_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

function decide(list: readonly Condition[]): Health {
    for (const c of list) {
        if (DEGRADED.some(([type, reason]) => c.type === type && c.reason === reason)) return { status: "Degraded", message: c.message };
        if (HEALTHY_TYPES.has(c.type) && c.status === "True") return { status: "Healthy", message: c.message };
    }
    return WAITING;
}

export function horizontalPodAutoscalerHealth(obj: LiveObject): Health {
    switch (obj.apiVersion) {
        case "autoscaling/v1": {
            const annotation = obj.metadata.annotations?.[V1_CONDITIONS];
            if (annotation === undefined) return WAITING;
            // Unreadable conditions are an error, which makes the health Unknown, as in Argo CD.
            const parsed: unknown = JSON.parse(annotation);
            if (parsed !== null && !Array.isArray(parsed)) throw new Error(`annotation ${V1_CONDITIONS} is not a list of conditions`);
            return decide((parsed ?? []) as Condition[]);
        }
        case "autoscaling/v2":
        case "autoscaling/v2beta2":
        case "autoscaling/v2beta1":
            return decide(conditions(obj));
        default:
            throw new Error(`unsupported HPA version ${obj.apiVersion}`);
    }
}
