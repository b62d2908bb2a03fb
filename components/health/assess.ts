// Health assessment: the built-in rule for a kind, a custom rule when one is registered for its
// group/kind, the kstatus rule otherwise. Pure: it reads a live object and returns its health.
import { apiServiceHealth } from "./api-service";
import { applicationHealth } from "./argo-application";
import { rolloutHealth } from "./argo-rollout";
import { workflowHealth } from "./argo-workflow";
import { certificateHealth } from "./cert-manager-certificate";
import { clusterIssuerHealth, issuerHealth } from "./cert-manager-issuer";
import { cronJobHealth } from "./cronjob";
import { customResourceDefinitionHealth } from "./custom-resource-definition";
import { daemonSetHealth } from "./daemonset";
import { deploymentHealth } from "./deployment";
import { externalSecretHealth } from "./external-secret";
import { helmReleaseHealth, kustomizationHealth } from "./flux";
import { horizontalPodAutoscalerHealth } from "./horizontal-pod-autoscaler";
import { ingressHealth } from "./ingress";
import { jobHealth } from "./job";
import { kstatusHealth } from "./kstatus";
import { namespaceHealth } from "./namespace";
import { persistentVolumeClaimHealth } from "./persistent-volume-claim";
import { podHealth } from "./pod";
import { replicaSetHealth } from "./replicaset";
import { serviceHealth } from "./service";
import { statefulSetHealth } from "./statefulset";
import type { Health, HealthCheck, LiveObject } from "./status";

export const BUILT_IN_HEALTH: Record<string, HealthCheck> = {
    "apps/Deployment": deploymentHealth,
    "apps/StatefulSet": statefulSetHealth,
    "apps/DaemonSet": daemonSetHealth,
    "apps/ReplicaSet": replicaSetHealth,
    "/Pod": podHealth,
    "batch/Job": jobHealth,
    "batch/CronJob": cronJobHealth,
    "/PersistentVolumeClaim": persistentVolumeClaimHealth,
    "/Service": serviceHealth,
    "networking.k8s.io/Ingress": ingressHealth,
    "apiregistration.k8s.io/APIService": apiServiceHealth,
    "autoscaling/HorizontalPodAutoscaler": horizontalPodAutoscalerHealth,
    "apiextensions.k8s.io/CustomResourceDefinition": customResourceDefinitionHealth,
    "/Namespace": namespaceHealth,
    // Custom resources Argo CD ships a check for; each rule names its source.
    "argoproj.io/Rollout": rolloutHealth,
    "argoproj.io/Workflow": workflowHealth,
    "argoproj.io/Application": applicationHealth,
    "cert-manager.io/Certificate": certificateHealth,
    "cert-manager.io/Issuer": issuerHealth,
    "cert-manager.io/ClusterIssuer": clusterIssuerHealth,
    "external-secrets.io/ExternalSecret": externalSecretHealth,
    "helm.toolkit.fluxcd.io/HelmRelease": helmReleaseHealth,
    "kustomize.toolkit.fluxcd.io/Kustomization": kustomizationHealth,
};

/** Custom rules keyed by "group/Kind" ("" group for core), e.g. { "example.com/Widget": check }. */
export type CustomHealthRules = Record<string, HealthCheck>;

export function groupKind(obj: Pick<LiveObject, "apiVersion" | "kind">): string {
    const slash = obj.apiVersion.indexOf("/");
    return `${slash < 0 ? "" : obj.apiVersion.slice(0, slash)}/${obj.kind}`;
}

export function assessHealth(obj: LiveObject | undefined, custom: CustomHealthRules = {}): Health {
    if (!obj) return { status: "Missing", message: "the resource does not exist" };
    if (obj.metadata.deletionTimestamp) return { status: "Progressing", message: "the resource is being deleted" };
    const key = groupKind(obj);
    const check = custom[key] ?? BUILT_IN_HEALTH[key] ?? kstatusHealth;
    try {
        return check(obj);
    } catch (err) {
        return { status: "Unknown", message: `health check of ${key} failed: ${(err as Error).message}` };
    }
}
