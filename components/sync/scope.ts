// Which kinds are cluster-scoped. Built-in kinds are listed; custom kinds take the scope of a CRD
// rendered by the same Application. Anything else is treated as namespaced, as most kinds are.
import type { Manifest } from "./manifest";
import { apiGroup } from "./manifest";

const CLUSTER_SCOPED = new Set([
    "/Namespace",
    "/Node",
    "/PersistentVolume",
    "rbac.authorization.k8s.io/ClusterRole",
    "rbac.authorization.k8s.io/ClusterRoleBinding",
    "apiextensions.k8s.io/CustomResourceDefinition",
    "apiregistration.k8s.io/APIService",
    "storage.k8s.io/StorageClass",
    "storage.k8s.io/CSIDriver",
    "storage.k8s.io/VolumeAttachment",
    "networking.k8s.io/IngressClass",
    "scheduling.k8s.io/PriorityClass",
    "admissionregistration.k8s.io/MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
    "node.k8s.io/RuntimeClass",
    "policy/PodSecurityPolicy",
    "certificates.k8s.io/CertificateSigningRequest",
    "flowcontrol.apiserver.k8s.io/FlowSchema",
    "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
]);

export type ScopeOf = (group: string, kind: string) => "Cluster" | "Namespaced";

/** A scope lookup that knows the built-in kinds and the CRDs among `manifests`. */
export function scopeResolver(manifests: readonly Manifest[]): ScopeOf {
    const crdScopes = new Map<string, "Cluster" | "Namespaced">();
    for (const m of manifests) {
        if (m.kind !== "CustomResourceDefinition" || apiGroup(m.apiVersion) !== "apiextensions.k8s.io") continue;
        const spec = m.spec as { group?: string; names?: { kind?: string }; scope?: string } | undefined;
        if (spec?.group && spec.names?.kind) {
            crdScopes.set(`${spec.group}/${spec.names.kind}`, spec.scope === "Cluster" ? "Cluster" : "Namespaced");
        }
    }
    return (group, kind) => {
        if (CLUSTER_SCOPED.has(`${group}/${kind}`)) return "Cluster";
        return crdScopes.get(`${group}/${kind}`) ?? "Namespaced";
    };
}
