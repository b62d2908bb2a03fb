// The clusters SyncWave knows, as the ApplicationSet clusters generator sees them: every entry of
// syncwave:clusters (its name, server, labels and annotations, as an Argo CD cluster secret has them)
// and the default cluster, `in-cluster` at https://kubernetes.default.svc, which Argo CD lists too
// unless an entry of its own gives it labels (applicationset/utils/clusterUtils.go, ListClusters).
import { connectionServer, DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SERVER, type ClusterConnection } from "../cluster-connection";
import { SyncWaveInputError } from "../sync/errors";

export interface FleetCluster {
    name: string;
    server: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
}

const CLUSTER_FIELDS = ["kubeconfig", "context", "server", "labels", "annotations"];

function stringMap(value: unknown, field: string): Record<string, string> {
    if (value === undefined) return {};
    if (!value || typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
        throw new SyncWaveInputError("must be a map of strings", { field });
    }
    return value as Record<string, string>;
}

/** Every cluster of syncwave:clusters, checked, plus the default one; unknown fields are refused. */
export function fleetClusters(clusters: Record<string, ClusterConnection>): FleetCluster[] {
    const result: FleetCluster[] = [];
    for (const [name, c] of Object.entries(clusters)) {
        const field = `syncwave:clusters.${name}`;
        for (const key of Object.keys(c ?? {})) {
            if (!CLUSTER_FIELDS.includes(key)) throw new SyncWaveInputError(`unknown field (expected one of ${CLUSTER_FIELDS.join(", ")})`, { field: `${field}.${key}` });
        }
        const isDefault = name === DEFAULT_CLUSTER_NAME || name === DEFAULT_CLUSTER_SERVER;
        const server = connectionServer(name, c) ?? (/^https?:\/\//.test(name) ? name : undefined);
        if (!server) throw new SyncWaveInputError("the cluster's server URL is not known: set server, or a kubeconfig whose context names one", { field: `${field}.server` });
        result.push({
            name: isDefault ? DEFAULT_CLUSTER_NAME : name,
            server,
            labels: stringMap(c.labels, `${field}.labels`),
            ...(c.annotations ? { annotations: stringMap(c.annotations, `${field}.annotations`) } : {}),
        });
    }
    if (!result.some((c) => c.server === DEFAULT_CLUSTER_SERVER)) result.unshift({ name: DEFAULT_CLUSTER_NAME, server: DEFAULT_CLUSTER_SERVER, labels: {} });
    return result;
}
