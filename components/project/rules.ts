// A Project's boundaries as pure functions, shared by the Project component and the policy pack.
// Each check returns a violation that says which rule refused what, and what would be allowed.
import type { ResourceKey } from "../sync/manifest";
import { destinationVerdict, isDenyEntry, resolveCluster, IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from "./destinations";
import { filepathMatch } from "./filepath-match";
import { globMatch } from "./glob";
import type { ProjectDestination, ProjectSpec, ResourceFilter } from "./project-spec";
import { sourceRepoVerdict } from "./source-repos";

export interface Violation {
    rule: string;
    message: string;
}

export interface Destination {
    server?: string;
    name?: string;
    /** "" (or absent) for a cluster-scoped object, or an Application without destination.namespace. */
    namespace?: string;
}

export interface DestinationCheckOptions {
    /**
     * The object is namespaced: an empty namespace is then refused rather than matched, because the
     * object would land in whatever namespace the connection defaults to.
     */
    namespaced?: boolean;
}

function list(values: readonly string[] | undefined): string {
    return values && values.length ? values.map((v) => `"${v}"`).join(", ") : "(none)";
}

export function checkSourceRepo(project: string, spec: ProjectSpec, repoURL: string): Violation | undefined {
    const verdict = sourceRepoVerdict(spec.sourceRepos ?? [], repoURL);
    if (verdict.allowed) return undefined;
    return {
        rule: "project-source-repos",
        message: verdict.by
            ? `source repository ${repoURL} is denied by "${verdict.by}" in project ${project}'s sourceRepos`
            : `source repository ${repoURL} is not allowed by project ${project}: sourceRepos allows ${list(spec.sourceRepos)}`,
    };
}

function entryText(e: ProjectDestination): string {
    const fields = [e.server !== undefined ? `server ${e.server}` : "", e.name !== undefined ? `name ${e.name}` : ""].filter(Boolean);
    return `{${[...fields, `namespace ${e.namespace ?? '""'}`].join(", ")}}`;
}

function destinationText(server: string, name: string, namespace: string): string {
    const cluster = server && name ? `${server} (${name})` : server || name;
    return `${cluster}/${namespace || "(no namespace)"}`;
}

/**
 * A destination (cluster and namespace; namespace "" for cluster-scoped objects) is allowed when some
 * destination entry without `!` matches it and no `!` entry refuses it (destinations.ts).
 */
export function checkDestination(
    project: string,
    spec: ProjectSpec,
    d: Destination,
    options: DestinationCheckOptions = {},
): Violation | undefined {
    const namespace = d.namespace ?? "";
    if (options.namespaced && namespace === "") {
        return {
            rule: "project-destinations",
            message: `a namespaced object has no metadata.namespace and the Application has no destination.namespace, so project ${project} cannot place it: set one of them`,
        };
    }
    const cluster = resolveCluster(d);
    if ("error" in cluster) return { rule: "project-destinations", message: cluster.error };
    const destinations = spec.destinations ?? [];
    const verdict = destinationVerdict(destinations, { ...cluster, namespace });
    if (verdict.allowed) return undefined;
    const text = destinationText(cluster.server, cluster.name, namespace);
    if (verdict.deniedBy) {
        const unknown = !cluster.name ? "name" : !cluster.server ? "server" : undefined;
        const hint = unknown && verdict.deniedBy[unknown]?.startsWith("!") ? ` (the destination gives no cluster ${unknown} to test it against)` : "";
        return {
            rule: "project-destinations",
            message: `destination ${text} is denied by ${entryText(verdict.deniedBy)} in project ${project}'s destinations${hint}`,
        };
    }
    return {
        rule: "project-destinations",
        message: `destination ${text} is not allowed by project ${project}: destinations allows ${
            destinations.filter((e) => !isDenyEntry(e)).map(entryText).join(", ") || "(none)"
        }`,
    };
}

/** checkDestination for a namespaced object: its namespace must be set, and allowed. */
export function checkNamespacedTarget(project: string, spec: ProjectSpec, d: Destination): Violation | undefined {
    return checkDestination(project, spec, d, { namespaced: true });
}

function filterMatches(f: ResourceFilter, key: ResourceKey, byName: boolean): boolean {
    return filepathMatch(f.kind, key.kind) && filepathMatch(f.group, key.group) && (!byName || !f.name || filepathMatch(f.name, key.name));
}

function filterText(f: ResourceFilter): string {
    return `${f.group || '""'}/${f.kind}${f.name ? `/${f.name}` : ""}`;
}

/**
 * Resource kinds (argo-cd app_project_types.go, IsGroupKindNamePermitted). A blacklist entry always
 * denies. Cluster-scoped kinds must be in clusterResourceWhitelist: absent or empty, nothing
 * cluster-scoped is allowed. Namespaced kinds: an absent namespaceResourceWhitelist allows every
 * kind, a present but empty one allows none (Argo CD tells nil from an empty list).
 *
 * Argo CD's namespaced lists hold group and kind only. SyncWave honours a `name` in the namespaced
 * whitelist (narrower) and ignores it in the namespaced blacklist, which then denies the whole kind
 * as Argo CD would: both readings are the stricter one.
 */
export function checkResourceKind(project: string, spec: ProjectSpec, key: ResourceKey, clusterScoped: boolean): Violation | undefined {
    const scope = clusterScoped ? "cluster" : "namespace";
    const whitelist = clusterScoped ? spec.clusterResourceWhitelist : spec.namespaceResourceWhitelist;
    const blacklist = clusterScoped ? spec.clusterResourceBlacklist : spec.namespaceResourceBlacklist;
    const whitelistField = `${scope}ResourceWhitelist`;
    const kindText = `${key.group || "core"}/${key.kind}`;
    const blacklisted = (blacklist ?? []).find((f) => filterMatches(f, key, clusterScoped));
    if (blacklisted) {
        return {
            rule: `project-${scope}-resource-blacklist`,
            message: `${kindText} is denied by ${filterText(blacklisted)} in project ${project}'s ${scope}ResourceBlacklist`,
        };
    }
    if (!clusterScoped && whitelist === undefined) return undefined;
    if ((whitelist ?? []).some((f) => filterMatches(f, key, true))) return undefined;
    const what = `${clusterScoped ? "cluster-scoped" : "namespaced"} kind ${kindText}`;
    const why =
        whitelist === undefined
            ? `${whitelistField} is not set, which allows no cluster-scoped kind`
            : whitelist.length === 0
              ? `${whitelistField} is empty, which allows no ${clusterScoped ? "cluster-scoped" : "namespaced"} kind`
              : `${whitelistField} allows ${list(whitelist.map(filterText))}`;
    return { rule: `project-${scope}-resource-whitelist`, message: `${what} is not allowed by project ${project}: ${why}` };
}

/**
 * The ServiceAccount an Application's destination is applied as, if the project names one
 * (argo-cd util/settings/impersonation.go: the cluster's server and the destination namespace).
 */
export function destinationServiceAccount(spec: ProjectSpec, d: Destination): string | undefined {
    const server = d.name === IN_CLUSTER_NAME && !d.server ? IN_CLUSTER_SERVER : (d.server ?? d.name ?? "");
    const match = (spec.destinationServiceAccounts ?? []).find((a) => globMatch(a.server, server) && globMatch(a.namespace, d.namespace ?? ""));
    if (!match) return undefined;
    // "namespace:name" names an account in another namespace; a plain name lives in the destination namespace.
    const [ns, name] = match.defaultServiceAccount.includes(":")
        ? match.defaultServiceAccount.split(":", 2)
        : [d.namespace ?? "default", match.defaultServiceAccount];
    return `system:serviceaccount:${ns}:${name}`;
}
