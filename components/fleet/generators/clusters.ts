// The clusters generator (applicationset/generators/cluster.go): one parameter set per cluster the
// selector matches, as Argo CD reads its cluster secrets. SyncWave's clusters are syncwave:clusters;
// each is a cluster secret, so its labels include argocd.argoproj.io/secret-type: cluster as every
// cluster secret's do. Parameters:
//   name, nameNormalized, server, project ("": SyncWave clusters belong to no project),
//   flat:       metadata.labels.<k>, metadata.annotations.<k>, values.<k>
//   goTemplate: metadata: {labels, annotations} (each only when not empty), values: {<k>: ...}
// The default cluster without an entry of its own ("in-cluster", which Argo CD knows without a secret)
// has only name, nameNormalized, server and project, comes last, and only when the selector is empty:
// with no secret it has no labels to match.
import type { ClusterGeneratorSpec } from "../applicationset-spec";
import { DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SERVER } from "../../cluster-connection";
import type { FleetCluster } from "../fleet-clusters";
import type { GenerationContext } from "./context";
import { sanitizeName, type Params } from "./go-values";
import { compileLabelSelector, isEmptySelector } from "./label-selector";
import { appendValues } from "./values";

export const CLUSTER_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/**
 * The default cluster as fleetClusters adds it when syncwave:clusters has no entry for it (no labels,
 * no annotations): Argo CD's in-cluster without a secret. An entry of its own is a secret like any.
 */
function isImplicitDefault(cluster: FleetCluster): boolean {
    return cluster.server === DEFAULT_CLUSTER_SERVER && Object.keys(cluster.labels).length === 0 && Object.keys(cluster.annotations ?? {}).length === 0;
}

export async function clusterParams(gen: ClusterGeneratorSpec, ctx: GenerationContext, field: string): Promise<Params[]> {
    const selector = gen.selector ?? {};
    const matches = compileLabelSelector(ctx.check, selector, `${field}.selector`, true);
    const secrets = ctx.clusters.filter((c) => !isImplicitDefault(c));
    const sets: Params[] = [];
    for (const cluster of secrets) {
        const labels = { ...cluster.labels, [CLUSTER_SECRET_TYPE_LABEL]: "cluster" };
        if (!matches(labels)) continue;
        sets.push(secretParams(cluster, labels, ctx.template.goTemplate));
    }
    const withDefault = isEmptySelector(selector) && !secrets.some((c) => c.server === DEFAULT_CLUSTER_SERVER);
    if (withDefault) sets.push({ name: DEFAULT_CLUSTER_NAME, nameNormalized: DEFAULT_CLUSTER_NAME, server: DEFAULT_CLUSTER_SERVER, project: "" });
    await appendValues(sets, gen.values, ctx, field);
    // flatList: all clusters as one parameter set, {clusters: [...]}.
    return gen.flatList ? [{ clusters: sets }] : sets;
}

function secretParams(cluster: FleetCluster, labels: Record<string, string>, goTemplate: boolean): Params {
    const params: Params = { name: cluster.name, nameNormalized: sanitizeName(cluster.name), server: cluster.server, project: "" };
    const annotations = cluster.annotations ?? {};
    if (goTemplate) {
        params.metadata = {
            ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
            ...(Object.keys(labels).length > 0 ? { labels } : {}),
        };
    } else {
        for (const [k, v] of Object.entries(annotations)) params[`metadata.annotations.${k}`] = v;
        for (const [k, v] of Object.entries(labels)) params[`metadata.labels.${k}`] = v;
    }
    return params;
}
