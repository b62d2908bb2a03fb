// The API server's discovery documents turned into SyncWave's kind table. Two forms exist: aggregated
// discovery (apidiscovery.k8s.io v2, one document for /api and one for /apis, GA in Kubernetes 1.30)
// and the older one (a list of group versions, then one resource list per group version), which
// client-go still falls back to. Pure, so both are tested with captured documents.
import { kindKey, type DiscoveredKinds, type Scope } from "../sync/scope";

/** apidiscovery.k8s.io APIGroupDiscoveryList, as /api and /apis answer when asked for it. */
export interface AggregatedDiscovery {
    kind: "APIGroupDiscoveryList";
    items?: {
        metadata?: { name?: string };
        versions?: {
            version: string;
            freshness?: "Current" | "Stale";
            resources?: { resource: string; responseKind?: { kind?: string }; scope: Scope }[];
        }[];
    }[];
}

/** metav1.APIResourceList, as /api/v1 or /apis/GROUP/VERSION answer. */
export interface ResourceList {
    groupVersion: string;
    resources?: { name: string; kind: string; namespaced: boolean }[];
}

/** Where discovery stands while it is being gathered. */
export function emptyDiscovery(): DiscoveredKinds {
    return { kinds: {}, unavailable: {} };
}

function addKind(into: DiscoveredKinds, group: string, kind: string, version: string, scope: Scope): void {
    const key = kindKey(group, kind);
    const info = (into.kinds[key] ??= { scope, versions: [] });
    if (!info.versions.includes(version)) info.versions.push(version);
}

/** Adds an aggregated discovery document (of /api or of /apis). */
export function addAggregated(into: DiscoveredKinds, doc: AggregatedDiscovery): void {
    for (const group of doc.items ?? []) {
        const name = group.metadata?.name ?? "";
        for (const v of group.versions ?? []) {
            const groupVersion = name ? `${name}/${v.version}` : v.version;
            // A stale group version is an aggregated API the server could not reach: its list may be
            // empty or out of date, so its kinds are reported as unavailable rather than absent.
            if (v.freshness === "Stale") into.unavailable[groupVersion] = "its API service is unavailable (discovery is stale)";
            for (const r of v.resources ?? []) {
                if (!r.responseKind?.kind) continue;
                addKind(into, name, r.responseKind.kind, v.version, r.scope);
            }
        }
    }
}

/** Adds one group version's resource list (older discovery). Subresources ("pods/log") are skipped. */
export function addResourceList(into: DiscoveredKinds, list: ResourceList): void {
    const slash = list.groupVersion.indexOf("/");
    const group = slash < 0 ? "" : list.groupVersion.slice(0, slash);
    const version = slash < 0 ? list.groupVersion : list.groupVersion.slice(slash + 1);
    for (const r of list.resources ?? []) {
        if (r.name.includes("/")) continue;
        addKind(into, group, r.kind, version, r.namespaced ? "Namespaced" : "Cluster");
    }
}
