// Whether a project's destinations admit a cluster and namespace, as Argo CD decides
// (argo-cd pkg/apis/application/v1alpha1/app_project_types.go, isDestinationMatched).
//
// - Each entry compares the cluster's server and name and the namespace with Argo CD's glob, no
//   separator: `*` crosses `/`. An entry's missing field is the empty pattern, which matches nothing
//   but the empty string: an entry without `name` matches by server only, one without `namespace`
//   matches only the "" namespace (cluster-scoped).
// - The Application's cluster is known by both server and name, as Argo CD resolves it from its
//   cluster list: https://kubernetes.default.svc is "in-cluster" and the other way round.
// - An entry with a `!` field is a deny rule. It refuses (exactly where Argo CD's code does) when its
//   negated name does not admit the cluster, whatever the namespace; when its negated server does
//   not admit the cluster and its namespace matches; when its negated namespace does not admit the
//   namespace and its server matches (SyncWave: or its name).
// - The decision is the one Argo CD documents: some entry without `!` matches and no deny rule
//   refuses. Argo CD's code also lets a deny rule that matches admit the destination, so
//   `{server: "*", namespace: "!kube-system"}` alone admits every other namespace (argo-cd issue
//   #21264): SyncWave does not.
import { globMatch } from "./glob";
import type { ProjectDestination } from "./project-spec";

// argo-cd pkg/apis/application/v1alpha1/application_defaults.go.
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
export const IN_CLUSTER_NAME = "in-cluster";

export interface ResolvedDestination {
    /** "" when only the name is known (a cluster other than in-cluster). */
    server: string;
    /** "" when only the server is known (a cluster other than in-cluster). */
    name: string;
    namespace: string;
}

export type ResolvedCluster = { server: string; name: string } | { error: string };

/**
 * The Application's cluster by server and name. As Argo CD's GetDestinationServer, a destination may
 * give one of them, not both, and a trailing `/` on the server is dropped. SyncWave applies a
 * destination that gives neither to the default cluster, so it is checked as in-cluster.
 */
export function resolveCluster(d: { server?: string; name?: string }): ResolvedCluster {
    const server = d.server ? d.server.replace(/\/+$/, "") : "";
    const name = d.name ?? "";
    if (server && name) {
        return { error: `destination gives both server ${d.server} and name ${name}: Argo CD accepts only one of them` };
    }
    if (server) return { server, name: server === IN_CLUSTER_SERVER ? IN_CLUSTER_NAME : "" };
    if (name) return { server: name === IN_CLUSTER_NAME ? IN_CLUSTER_SERVER : "", name };
    return { server: IN_CLUSTER_SERVER, name: IN_CLUSTER_NAME };
}

const negated = (pattern: string | undefined): boolean => Boolean(pattern?.startsWith("!"));

/** Argo CD's globMatch with negation allowed: `!p` admits what `p` does not match; `*` admits anything. */
function admits(pattern: string | undefined, value: string): boolean {
    const p = pattern ?? "";
    if (negated(p)) return !globMatch(p.slice(1), value);
    return p === "*" || globMatch(p, value);
}

export function isDenyEntry(entry: ProjectDestination): boolean {
    return negated(entry.server) || negated(entry.name) || negated(entry.namespace);
}

export type DestinationVerdict = { allowed: true; by: ProjectDestination } | { allowed: false; deniedBy?: ProjectDestination };

export function destinationVerdict(entries: readonly ProjectDestination[], d: ResolvedDestination): DestinationVerdict {
    let allowedBy: ProjectDestination | undefined;
    for (const entry of entries) {
        const nameMatched = d.name !== "" && admits(entry.name, d.name);
        const serverMatched = d.server !== "" && admits(entry.server, d.server);
        const namespaceMatched = admits(entry.namespace, d.namespace);
        if (isDenyEntry(entry)) {
            const refuses =
                (negated(entry.name) && !nameMatched) ||
                (negated(entry.server) && !serverMatched && namespaceMatched) ||
                (negated(entry.namespace) && !namespaceMatched && (serverMatched || nameMatched));
            if (refuses) return { allowed: false, deniedBy: entry };
        } else if ((serverMatched || nameMatched) && namespaceMatched) {
            allowedBy ??= entry;
        }
    }
    return allowedBy ? { allowed: true, by: allowedBy } : { allowed: false };
}
