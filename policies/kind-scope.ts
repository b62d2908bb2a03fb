// Whether a kind is cluster-scoped or namespaced decides which of a Project's rules apply to it, so
// a wrong guess lets an object past them. The scope comes from the Application's record (`kindScopes`,
// from the destination's API discovery), or, for a kind whose CRD the same Application declares and
// discovery cannot know yet, from that CRD. A kind known from neither has no scope: the rules refuse
// it (fail closed), as Argo CD refuses a resource it has no API information for.
//
// The record is written by the program, which the application team can change, so it may add
// knowledge but never make a cluster-scoped kind look namespaced: Kubernetes' own cluster-scoped
// kinds, and kinds whose CRD in the Application says Cluster, stay cluster-scoped whatever it says.
import { apiGroup } from "../components/sync/manifest";
import type { AppView, KindScope, ObjectView } from "./stack-view";

const BUILT_IN_CLUSTER_SCOPED = new Set([
    "/Namespace",
    "/Node",
    "/PersistentVolume",
    "/ComponentStatus",
    "rbac.authorization.k8s.io/ClusterRole",
    "rbac.authorization.k8s.io/ClusterRoleBinding",
    "apiextensions.k8s.io/CustomResourceDefinition",
    "apiregistration.k8s.io/APIService",
    "authentication.k8s.io/SelfSubjectReview",
    "authentication.k8s.io/TokenReview",
    "authorization.k8s.io/SelfSubjectAccessReview",
    "authorization.k8s.io/SelfSubjectRulesReview",
    "authorization.k8s.io/SubjectAccessReview",
    "admissionregistration.k8s.io/MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
    "admissionregistration.k8s.io/MutatingAdmissionPolicy",
    "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
    "certificates.k8s.io/CertificateSigningRequest",
    "certificates.k8s.io/ClusterTrustBundle",
    "flowcontrol.apiserver.k8s.io/FlowSchema",
    "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
    "networking.k8s.io/IngressClass",
    "networking.k8s.io/IPAddress",
    "networking.k8s.io/ServiceCIDR",
    "node.k8s.io/RuntimeClass",
    "resource.k8s.io/DeviceClass",
    "resource.k8s.io/ResourceSlice",
    "scheduling.k8s.io/PriorityClass",
    "storage.k8s.io/CSIDriver",
    "storage.k8s.io/CSINode",
    "storage.k8s.io/StorageClass",
    "storage.k8s.io/VolumeAttachment",
    "storage.k8s.io/VolumeAttributesClass",
]);

export type KindScopeOf = (group: string, kind: string) => KindScope | undefined;

/** The scopes of the CRDs among `objects`, by "group/Kind" of the kinds they define. */
function crdScopes(objects: readonly ObjectView[]): Map<string, KindScope> {
    const scopes = new Map<string, KindScope>();
    for (const o of objects) {
        if (o.manifest.kind !== "CustomResourceDefinition" || apiGroup(o.manifest.apiVersion) !== "apiextensions.k8s.io") continue;
        const spec = o.manifest.spec as { group?: string; names?: { kind?: string }; scope?: string } | undefined;
        if (spec?.group && spec.names?.kind && (spec.scope === "Cluster" || spec.scope === "Namespaced")) {
            scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope);
        }
    }
    return scopes;
}

/** The scope of each kind of `app`, whose objects (hooks included) are `objects`; undefined when unknown. */
export function kindScopeResolver(app: AppView, objects: readonly ObjectView[]): KindScopeOf {
    const crds = crdScopes(objects);
    return (group, kind) => {
        const key = `${group}/${kind}`;
        const reported = app.kindScopes[key] ?? crds.get(key);
        if (reported === undefined) return undefined;
        return BUILT_IN_CLUSTER_SCOPED.has(key) || crds.get(key) === "Cluster" ? "Cluster" : reported;
    };
}
