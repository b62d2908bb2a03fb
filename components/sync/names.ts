// The names Kubernetes accepts, checked before anything is applied: an object the API server refuses
// for its name would stop a sync half way, after earlier waves changed the cluster. The rules are the
// API server's own (k8s.io/apimachinery/pkg/util/validation/validation.go: IsDNS1123Subdomain,
// IsDNS1123Label, IsDNS1035Label; pkg/api/validation/path/name.go: IsValidPathSegmentName; per kind in
// pkg/apis/*/validation). A kind not listed here gets the most permissive rule any kind has (a path
// segment, as RBAC's), so nothing the API server would accept is ever refused.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

type Rule = "subdomain" | "label" | "dns1035" | "path";

/** Per "group/Kind": what the API server validates a name with (absent: a path segment). */
const RULES: Record<string, Rule> = {
    "/Namespace": "label",
    "/Service": "dns1035",
    "/ConfigMap": "subdomain",
    "/Secret": "subdomain",
    "/ServiceAccount": "subdomain",
    "/Pod": "subdomain",
    "/PersistentVolume": "subdomain",
    "/PersistentVolumeClaim": "subdomain",
    "/Endpoints": "subdomain",
    "/LimitRange": "subdomain",
    "/ResourceQuota": "subdomain",
    "apps/Deployment": "subdomain",
    "apps/StatefulSet": "subdomain",
    "apps/DaemonSet": "subdomain",
    "apps/ReplicaSet": "subdomain",
    "batch/Job": "subdomain",
    "batch/CronJob": "subdomain",
    "networking.k8s.io/Ingress": "subdomain",
    "networking.k8s.io/NetworkPolicy": "subdomain",
    "policy/PodDisruptionBudget": "subdomain",
    "autoscaling/HorizontalPodAutoscaler": "path",
    "storage.k8s.io/StorageClass": "subdomain",
    "scheduling.k8s.io/PriorityClass": "subdomain",
    "apiextensions.k8s.io/CustomResourceDefinition": "subdomain",
};

function problemWith(name: string, rule: Rule): string | undefined {
    switch (rule) {
        case "label":
            if (name.length > 63) return "must be no more than 63 characters";
            return DNS1123_LABEL.test(name) ? undefined : "must consist of lower case letters, digits and '-', and start and end with a letter or digit (RFC 1123 label)";
        case "dns1035":
            if (name.length > 63) return "must be no more than 63 characters";
            return DNS1035_LABEL.test(name) ? undefined : "must consist of lower case letters, digits and '-', start with a letter and end with a letter or digit (RFC 1035 label)";
        case "subdomain":
            if (name.length > 253) return "must be no more than 253 characters";
            return DNS1123_SUBDOMAIN.test(name)
                ? undefined
                : "must consist of lower case letters, digits, '-' and '.', and start and end with a letter or digit (RFC 1123 subdomain)";
        case "path":
            if (name === "." || name === "..") return `may not be "${name}"`;
            return /[/%]/.test(name) ? "may not contain '/' or '%'" : undefined;
    }
}

/** Why the API server would refuse this object name, or undefined. */
export function nameProblem(group: string, kind: string, name: string): string | undefined {
    return problemWith(name, RULES[`${group}/${kind}`] ?? "path");
}

/** Why the API server would refuse this namespace name (an RFC 1123 label), or undefined. */
export function namespaceProblem(namespace: string): string | undefined {
    return problemWith(namespace, "label");
}

/** Why this is not an RFC 1123 subdomain (the rule of most object names, an Argo CD Application's too), or undefined. */
export function subdomainProblem(name: string): string | undefined {
    return problemWith(name, "subdomain");
}
