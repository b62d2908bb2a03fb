// HorizontalPodAutoscaler health from the shapes of gitops-engine pkg/health/testdata/hpa-*.yaml.
import { describe, expect, it } from "vitest";
import { assessHealth } from "../../components/health/assess";
import type { Condition, LiveObject } from "../../components/health/status";

const hpa = (apiVersion: string, conditions?: Condition[]): LiveObject => ({
    apiVersion,
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "sample", namespace: "argocd" },
    spec: { maxReplicas: 2, minReplicas: 1, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "sample" } },
    status: { currentReplicas: 1, desiredReplicas: 1, ...(conditions ? { conditions } : {}) },
});

const v1 = (conditions: Condition[] | string | undefined): LiveObject => ({
    ...hpa("autoscaling/v1"),
    metadata: {
        name: "sample",
        namespace: "argocd",
        ...(conditions === undefined ? {} : { annotations: { "autoscaling.alpha.kubernetes.io/conditions": typeof conditions === "string" ? conditions : JSON.stringify(conditions) } }),
    },
});

const c = (type: string, status: string, reason: string, message = `${type} ${reason}`): Condition => ({ type, status, reason, message });

describe("HorizontalPodAutoscaler health as gitops-engine health_hpa.go", () => {
    it.each(([
        // testdata/hpa-v2-healthy.yaml
        ["v2 able to scale", hpa("autoscaling/v2", [c("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"), c("ScalingActive", "True", "ValidMetricFound"), c("ScalingLimited", "False", "DesiredWithinRange")]), "Healthy", "recommended size matches current size"],
        // testdata/hpa-v2-degraded.yaml: the first condition decides
        ["v2 unable to get the scale", hpa("autoscaling/v2", [c("AbleToScale", "False", "FailedGetScale", "the HPA controller was unable to get the target's current scale"), c("ScalingActive", "True", "ValidMetricFound"), c("ScalingLimited", "False", "DesiredWithinRange")]), "Degraded", "the HPA controller was unable to get the target's current scale"],
        // testdata/hpa-v2-progressing.yaml: no AbleToScale, ScalingLimited False
        ["v2 waiting", hpa("autoscaling/v2", [c("ScalingActive", "True", "ValidMetricFound"), c("ScalingLimited", "False", "DesiredWithinRange")]), "Progressing", "Waiting to Autoscale"],
        ["v2 without conditions", hpa("autoscaling/v2"), "Progressing", "Waiting to Autoscale"],
        // testdata/hpa-v2beta2-healthy.yaml, hpa-v2beta1-healthy.yaml
        ["v2beta2 able to scale", hpa("autoscaling/v2beta2", [c("AbleToScale", "True", "SucceededGetScale")]), "Healthy"],
        // testdata/hpa-v2beta1-healthy-disabled.yaml: scaling disabled for a target at zero is still Healthy
        ["v2beta1 scaling disabled", hpa("autoscaling/v2beta1", [c("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale"), c("ScalingActive", "False", "ScalingDisabled")]), "Healthy"],
        // ScalingLimited True alone is Healthy: the autoscaler works, at its bounds.
        ["v2 at its maximum", hpa("autoscaling/v2", [c("ScalingActive", "True", "ValidMetricFound"), c("ScalingLimited", "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")]), "Healthy", "the desired replica count is more than the maximum replica count"],
        // Degraded by type and reason, whatever the status, and in list order.
        ["v2 metrics unavailable after AbleToScale", hpa("autoscaling/v2", [c("ScalingActive", "False", "FailedGetResourceMetric", "missing request for cpu"), c("AbleToScale", "True", "SucceededGetScale")]), "Degraded", "missing request for cpu"],
        ["v2 metrics unavailable listed second", hpa("autoscaling/v2", [c("AbleToScale", "True", "SucceededGetScale"), c("ScalingActive", "False", "FailedGetResourceMetric")]), "Healthy"],
        ["v2 invalid selector", hpa("autoscaling/v2", [c("ScalingActive", "False", "InvalidSelector", "bad selector")]), "Degraded", "bad selector"],
        ["v2 failed update", hpa("autoscaling/v2", [c("AbleToScale", "False", "FailedUpdateScale")]), "Degraded"],
        // An AbleToScale False for another reason is not Degraded: the controller is still trying.
        ["v2 backing off", hpa("autoscaling/v2", [c("AbleToScale", "False", "BackoffBoth")]), "Progressing"],
        // testdata/hpa-v1-*.yaml: v1 keeps its conditions in an annotation
        ["v1 degraded", v1([c("AbleToScale", "True", "FailedGetScale", "the HPA controller was unable to get the target's current scale"), c("ScalingActive", "False", "FailedGetResourceMetric")]), "Degraded", "the HPA controller was unable to get the target's current scale"],
        ["v1 healthy", v1([c("AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to 1")]), "Healthy"],
        ["v1 healthy, too few replicas", v1([c("AbleToScale", "True", "ReadyForNewScale"), c("ScalingActive", "True", "ValidMetricFound"), c("ScalingLimited", "True", "TooFewReplicas")]), "Healthy"],
        ["v1 progressing", v1([c("AbleToScale", "False", "SucceededGetScale", "the HPA controller was not able to get the target's current scale")]), "Progressing", "Waiting to Autoscale"],
        ["v1 without the annotation", v1(undefined), "Progressing", "Waiting to Autoscale"],
        ["v1 with an empty list", v1([]), "Progressing", "Waiting to Autoscale"],
        // A health check error is Unknown, as Argo CD turns its errors into Unknown.
        ["v1 with unreadable conditions", v1("[{not json"), "Unknown"],
        ["an unknown version", hpa("autoscaling/v9", [c("AbleToScale", "True", "SucceededGetScale")]), "Unknown"],
    ] as [string, LiveObject, string, string?][]).map(([name, obj, status, message]): [string, LiveObject, string, string?] => [`${name} is ${status}`, obj, status, message]))("%s", (_name, obj, status, message) => {
        const health = assessHealth(obj);
        expect(health.status).toBe(status);
        if (message) expect(health.message).toBe(message);
    });
});
