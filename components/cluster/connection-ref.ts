// A destination cluster as resources name it in the state: a plain ClusterRef (which cluster, which
// kubeconfig file and context, which user to act as), never its credentials. The process that connects
// (a dynamic provider, the CLI) resolves the ref into a kubeconfig from its own environment when it
// runs, so no gate, hook, record or pruner stores a kubeconfig, and a rotated credential changes
// nothing in the state.
//
// One case cannot be resolved from the environment: a cluster configured in syncwave:clusters with
// inline kubeconfig content (YAML in stack configuration) rather than a file. For that cluster alone
// the content travels with the ref as a secret input (ClusterAccess.kubeconfig), encrypted in the
// state like any Pulumi secret, and a CLI that reads the state without its secrets cannot reach it.
import type { ApplicationDestination } from "../application-spec";
import {
    DEFAULT_CLUSTER_NAME,
    DEFAULT_CLUSTER_SERVER,
    destinationConnection,
    isKubeconfigContent,
    minimalKubeconfig,
    type ClusterConnection,
} from "../cluster-connection";

export interface ClusterRef {
    /** The destination's server URL or name, as the Application names it. */
    cluster: string;
    /** The kubeconfig file syncwave:clusters names for the cluster; the connecting process's KUBECONFIG when absent. */
    kubeconfigPath?: string;
    /** The kubeconfig's context; its current context when absent. */
    context?: string;
    /** A user to act as (Impersonate-User), e.g. the Project's system:serviceaccount:NS:NAME. */
    impersonate?: string;
}

/** What a dynamic provider is given to reach its cluster. */
export interface ClusterAccess {
    cluster: ClusterRef;
    /** Only for a cluster configured with inline kubeconfig content: that content, as a secret input. */
    kubeconfig?: string;
}

/**
 * The ref of a destination, for the program to pass to its dynamic resources. Fails as
 * destinationKubeconfig does when syncwave:clusters has no entry for a cluster other than the default.
 */
export function clusterRef(
    application: string,
    destination: ApplicationDestination,
    clusters: Record<string, ClusterConnection>,
    impersonate?: string,
): ClusterRef {
    const { id, connection } = destinationConnection(application, destination, clusters);
    const path = connection.kubeconfig !== undefined && !isKubeconfigContent(connection.kubeconfig) ? connection.kubeconfig : undefined;
    return {
        cluster: id,
        ...(path ? { kubeconfigPath: path } : {}),
        ...(connection.context ? { context: connection.context } : {}),
        ...(impersonate ? { impersonate } : {}),
    };
}

/** The inline kubeconfig content syncwave:clusters gives for the ref's cluster; undefined for a file or the environment. */
export function inlineKubeconfig(ref: ClusterRef, clusters: Record<string, ClusterConnection>): string | undefined {
    const source = clusters[ref.cluster]?.kubeconfig;
    return isKubeconfigContent(source) ? source : undefined;
}

export const DEFAULT_CLUSTER: ClusterRef = { cluster: DEFAULT_CLUSTER_SERVER };

export function isDefaultCluster(ref: ClusterRef): boolean {
    return ref.cluster === DEFAULT_CLUSTER_SERVER || ref.cluster === DEFAULT_CLUSTER_NAME;
}

/**
 * The kubeconfig `access` stands for, in this process: the inline content when given, else the ref's
 * kubeconfig file, else this process's KUBECONFIG; the ref's context (or the current one); acting as
 * the ref's user. Without a ref: the kubeconfig as given (state written before resources named their
 * cluster holds a self-contained one), or the default cluster.
 */
export function resolveKubeconfig(access: Partial<ClusterAccess>, application?: string): string {
    if (!access.cluster && access.kubeconfig) return access.kubeconfig;
    const ref = access.cluster ?? DEFAULT_CLUSTER;
    return minimalKubeconfig(access.kubeconfig ?? ref.kubeconfigPath, { id: ref.cluster, context: ref.context, impersonate: ref.impersonate, application });
}
