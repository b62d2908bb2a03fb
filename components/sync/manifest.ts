// A Kubernetes manifest as rendered from a source, and the identity SyncWave gives it.

export interface ObjectMeta {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
}

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    [key: string]: unknown;
}

/** A manifest together with where it came from, so every error can name the file. */
export interface SourcedManifest {
    manifest: Manifest;
    /** Path of the file inside the source (or the renderer's name for generated output). */
    file: string;
}

/** The API group of an apiVersion: "" for the core group ("v1"). */
export function apiGroup(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * What a resource is: group, kind, namespace and name. Its Pulumi name and its ownership depend only
 * on this (and on its Application), never on its wave or phase.
 */
export interface ResourceKey {
    group: string;
    kind: string;
    namespace: string;
    name: string;
}

export function resourceKey(m: Manifest): ResourceKey {
    return {
        group: apiGroup(m.apiVersion),
        kind: m.kind,
        namespace: m.metadata.namespace ?? "",
        name: m.metadata.name ?? m.metadata.generateName ?? "",
    };
}

/** "group/Kind/namespace/name", with empty parts kept, so keys never collide. */
export function keyString(k: ResourceKey): string {
    return `${k.group}/${k.kind}/${k.namespace}/${k.name}`;
}

/** A readable reference for messages: "Deployment payments/api" or "ClusterRole reader". */
export function describeResource(k: ResourceKey): string {
    return `${k.kind} ${k.namespace ? `${k.namespace}/` : ""}${k.name}`;
}
