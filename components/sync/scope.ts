// Whether a kind is cluster-scoped or namespaced, and which versions of it exist. The API server's
// discovery is the source (what `kubectl api-resources` reads); a CRD rendered by the same sync also
// defines its kind, before it exists. A kind that neither knows fails closed: guessing "namespaced"
// would put an object into the wrong namespace or let it past a project's cluster-resource whitelist.
//
// Argo CD reaches the same verdict in two places: the sync's discovery lookup
// (gitops-engine pkg/sync/sync_context.go, getSyncTasks: ServerResourceForGroupVersionKind, skipped
// only when the sync carries the CRD, hasCRDOfGroupKind) and the message it shows for it
// (argo-cd util/argo/argo.go, AugmentSyncMsg). Its normalisation guesses "namespaced" for unknown
// kinds (gitops-engine pkg/utils/kube/kube.go, IsNamespacedOrUnknown); SyncWave refuses instead.
import { SyncWaveInputError } from "./errors";
import { apiGroup, describeResource, resourceKey, type Manifest } from "./manifest";

export type Scope = "Cluster" | "Namespaced";

export interface KindInfo {
    scope: Scope;
    /** Versions the API serves, e.g. ["v1", "v1beta1"]. */
    versions: string[];
}

/** What the API server's discovery says, keyed "group/Kind" ("" is the core group: "/ConfigMap"). */
export interface DiscoveredKinds {
    kinds: Record<string, KindInfo>;
    /**
     * Group versions the server lists but could not describe (an aggregated API whose service is
     * down), with the reason: their kinds are unknown for now, and the error says why.
     */
    unavailable: Record<string, string>;
}

export interface ScopeResolver {
    /** The kind's scope, or undefined when neither discovery nor a CRD of this sync knows it. */
    scopeOf(group: string, kind: string): Scope | undefined;
    /**
     * The scope of a manifest's kind at its version; throws a SyncWaveInputError naming the resource
     * and file when the kind, or that version of it, is unknown.
     */
    requireScope(manifest: Manifest, where: { application?: string; file?: string }): Scope;
}

export function kindKey(group: string, kind: string): string {
    return `${group}/${kind}`;
}

/** The kinds the CRDs among `manifests` define, with their scope and served versions. */
export function kindsDefinedBy(manifests: readonly Manifest[]): Record<string, KindInfo> {
    const kinds: Record<string, KindInfo> = {};
    for (const m of manifests) {
        if (m.kind !== "CustomResourceDefinition" || apiGroup(m.apiVersion) !== "apiextensions.k8s.io") continue;
        const spec = m.spec as
            | { group?: string; names?: { kind?: string }; scope?: string; version?: string; versions?: { name?: string; served?: boolean }[] }
            | undefined;
        if (!spec?.group || !spec.names?.kind) continue;
        // apiextensions v1 requires scope; v1beta1 defaulted it to Namespaced.
        const scope: Scope = spec.scope === "Cluster" ? "Cluster" : "Namespaced";
        const versions = (spec.versions ?? []).filter((v) => v.name && v.served !== false).map((v) => v.name as string);
        if (spec.version && !versions.includes(spec.version)) versions.push(spec.version);
        kinds[kindKey(spec.group, spec.names.kind)] = { scope, versions };
    }
    return kinds;
}

function versionOf(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** A scope lookup over discovery and the CRDs among `manifests`. */
export function scopeResolver(manifests: readonly Manifest[], discovered: DiscoveredKinds): ScopeResolver {
    const defined = kindsDefinedBy(manifests);
    // The live cluster wins over a CRD of the sync: a CRD's scope is immutable, so a CRD that says
    // otherwise would be refused by the API server anyway.
    const infoOf = (group: string, kind: string): KindInfo | undefined => {
        const key = kindKey(group, kind);
        const live = discovered.kinds[key];
        const own = defined[key];
        if (!live) return own;
        return own ? { scope: live.scope, versions: [...new Set([...live.versions, ...own.versions])] } : live;
    };
    return {
        scopeOf: (group, kind) => infoOf(group, kind)?.scope,
        requireScope(manifest, where) {
            const group = apiGroup(manifest.apiVersion);
            const version = versionOf(manifest.apiVersion);
            const info = infoOf(group, manifest.kind);
            const resource = describeResource(resourceKey(manifest));
            const details = { ...where, resource, field: "apiVersion" };
            const groupKind = kindKey(group, manifest.kind);
            if (!info) {
                const down = discovered.unavailable[manifest.apiVersion];
                throw new SyncWaveInputError(
                    down
                        ? `the Kubernetes API could not describe ${manifest.apiVersion} for ${groupKind} (${down}), so its scope is unknown; fix the API service or retry`
                        : `the Kubernetes API could not find ${groupKind} (the server could not find the requested resource): make sure the "${manifest.kind}" CRD is installed on the destination cluster or is part of this sync`,
                    details,
                );
            }
            if (!info.versions.includes(version)) {
                throw new SyncWaveInputError(
                    `the Kubernetes API could not find version "${version}" of ${groupKind}: the destination serves ${info.versions.join(", ") || "no version"}`,
                    details,
                );
            }
            return info.scope;
        },
    };
}

/**
 * "group/Kind" → scope for the kinds of `manifests`, for the policy pack. Unknown kinds are left out:
 * the program refuses them before the pack runs, and the pack treats a missing kind as unknown.
 */
export function kindScopesFor(manifests: readonly Manifest[], discovered: DiscoveredKinds): Record<string, Scope> {
    const resolver = scopeResolver(manifests, discovered);
    const scopes: Record<string, Scope> = {};
    for (const m of manifests) {
        const group = apiGroup(m.apiVersion);
        const scope = resolver.scopeOf(group, m.kind);
        if (scope) scopes[kindKey(group, m.kind)] = scope;
    }
    return scopes;
}
