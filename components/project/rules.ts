// A Project's boundaries as pure functions, shared by the Project component and the policy pack.
// Each check returns a violation that says which rule refused what, and what would be allowed.
import type { ResourceKey } from "../sync/manifest";
import { allowedByList, globMatch } from "./glob";
import type { ProjectDestination, ProjectSpec, ResourceFilter } from "./project-spec";

export interface Violation {
    rule: string;
    message: string;
}

export interface Destination {
    server?: string;
    name?: string;
    namespace?: string;
}

function list(values: readonly string[] | undefined): string {
    return values && values.length ? values.map((v) => `"${v}"`).join(", ") : "(none)";
}

export function checkSourceRepo(project: string, spec: ProjectSpec, repoURL: string): Violation | undefined {
    const result = allowedByList(spec.sourceRepos ?? [], repoURL);
    if (result.allowed) return undefined;
    return {
        rule: "project-source-repos",
        message: result.by
            ? `source repository ${repoURL} is denied by "${result.by}" in project ${project}'s sourceRepos`
            : `source repository ${repoURL} is not allowed by project ${project}: sourceRepos allows ${list(spec.sourceRepos)}`,
    };
}

function destinationText(d: ProjectDestination | Destination): string {
    const cluster = d.server ?? d.name ?? "*";
    return `${cluster}/${d.namespace ?? "*"}`;
}

function matchesCluster(pattern: ProjectDestination, d: Destination): boolean {
    const check = (p: string | undefined, v: string | undefined) => p === undefined || (v !== undefined && globMatch(p.replace(/^!/, ""), v));
    if (pattern.server !== undefined) return check(pattern.server, d.server);
    if (pattern.name !== undefined) return check(pattern.name, d.name);
    return true;
}

/**
 * A destination (cluster and namespace; namespace "" for cluster-scoped resources) is allowed when
 * some destination entry matches it and no `!` entry denies it, as Argo CD decides.
 */
export function checkDestination(project: string, spec: ProjectSpec, d: Destination): Violation | undefined {
    const destinations = spec.destinations ?? [];
    const isDeny = (p: ProjectDestination) => Boolean(p.server?.startsWith("!") || p.name?.startsWith("!") || p.namespace?.startsWith("!"));
    const namespaceMatches = (p: ProjectDestination) => {
        if (d.namespace === undefined || d.namespace === "") return true;
        return p.namespace === undefined || globMatch(p.namespace.replace(/^!/, ""), d.namespace);
    };
    // A `!` namespace entry denies that namespace; it says nothing about cluster-scoped resources.
    const deny = destinations.find(
        (p) => isDeny(p) && matchesCluster(p, d) && (p.namespace?.startsWith("!") ? Boolean(d.namespace) && namespaceMatches(p) : true),
    );
    if (deny) {
        return {
            rule: "project-destinations",
            message: `destination ${destinationText(d)} is denied by ${destinationText(deny)} in project ${project}'s destinations`,
        };
    }
    if (destinations.some((p) => !isDeny(p) && matchesCluster(p, d) && namespaceMatches(p))) return undefined;
    return {
        rule: "project-destinations",
        message: `destination ${destinationText(d)} is not allowed by project ${project}: destinations allows ${list(
            destinations.filter((p) => !isDeny(p)).map(destinationText),
        )}`,
    };
}

function filterMatches(f: ResourceFilter, key: ResourceKey): boolean {
    return globMatch(f.group, key.group) && globMatch(f.kind, key.kind) && (f.name === undefined || globMatch(f.name, key.name));
}

function filterText(f: ResourceFilter): string {
    return `${f.group || '""'}/${f.kind}${f.name ? `/${f.name}` : ""}`;
}

/**
 * Resource kinds: cluster-scoped kinds must be whitelisted (none are by default, as in Argo CD);
 * namespaced kinds are allowed unless a whitelist exists and misses them; blacklists always deny.
 */
export function checkResourceKind(project: string, spec: ProjectSpec, key: ResourceKey, clusterScoped: boolean): Violation | undefined {
    const scope = clusterScoped ? "cluster" : "namespace";
    const whitelist = clusterScoped ? spec.clusterResourceWhitelist : spec.namespaceResourceWhitelist;
    const blacklist = clusterScoped ? spec.clusterResourceBlacklist : spec.namespaceResourceBlacklist;
    const whitelistField = `${scope}ResourceWhitelist`;
    const blacklisted = (blacklist ?? []).find((f) => filterMatches(f, key));
    if (blacklisted) {
        return {
            rule: `project-${scope}-resource-blacklist`,
            message: `${key.group || "core"}/${key.kind} is denied by ${filterText(blacklisted)} in project ${project}'s ${scope}ResourceBlacklist`,
        };
    }
    const mustBeListed = clusterScoped || (whitelist !== undefined && whitelist.length > 0);
    if (mustBeListed && !(whitelist ?? []).some((f) => filterMatches(f, key))) {
        return {
            rule: `project-${scope}-resource-whitelist`,
            message: `${scope === "cluster" ? "cluster-scoped" : "namespaced"} kind ${key.group || "core"}/${key.kind} is not allowed by project ${project}: ${whitelistField} allows ${list(
                (whitelist ?? []).map(filterText),
            )}`,
        };
    }
    return undefined;
}

/** The ServiceAccount an Application's destination is applied as, if the project names one. */
export function destinationServiceAccount(spec: ProjectSpec, d: Destination): string | undefined {
    const match = (spec.destinationServiceAccounts ?? []).find(
        (a) => globMatch(a.server, d.server ?? d.name ?? "") && globMatch(a.namespace, d.namespace ?? ""),
    );
    if (!match) return undefined;
    // "namespace:name" names an account in another namespace; a plain name lives in the destination namespace.
    const [ns, name] = match.defaultServiceAccount.includes(":")
        ? match.defaultServiceAccount.split(":", 2)
        : [d.namespace ?? "default", match.defaultServiceAccount];
    return `system:serviceaccount:${ns}:${name}`;
}
