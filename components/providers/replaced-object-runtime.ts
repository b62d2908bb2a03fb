// What a ReplacedObject does, in the dynamic provider's process. Argo CD's Replace=true is
// `kubectl replace`: a PUT of the whole object at the live resourceVersion, and `kubectl create` when
// it does not exist; only Replace=true,Force=true deletes the object and creates it again
// (`kubectl replace --force`). CRDs and Namespaces are never deleted that way: Argo CD updates them in
// place even with Force (argo-cd gitops-engine/pkg/sync/sync_context.go, applyObject), because
// deleting one deletes everything in it; SyncWave refuses Force on them outright.
// Replace itself: gitops-engine pkg/utils/kube/resource_ops.go, ReplaceResource and CreateResource.
import type { KubeConfig } from "@kubernetes/client-node";
import { apiRequest, isNotFound, KubeApiError } from "../cluster/api-request";
import { DEFAULT_CLUSTER, type ClusterAccess } from "../cluster/connection-ref";
import { declaredDigest, stableJSON } from "../cluster/declared-fields";
import { apiGroup, describeResource, resourceKey, type Manifest } from "../sync/manifest";
import { collectionPath, connect, watchObject, WaitTimeout, type KubeObject } from "./kube-client";

export type PropagationPolicy = "foreground" | "background" | "orphan";

export interface ReplacedObjectInputs extends ClusterAccess {
    manifest: Manifest;
    /** Force=true: delete (foreground, until gone) and create, instead of a replace in place. */
    force: boolean;
    /** How deleting this object cascades to its dependents (PrunePropagationPolicy). */
    propagationPolicy: PropagationPolicy;
    /** Prune=false or Delete=false: leaving the graph deletes nothing in the cluster. */
    retain: boolean;
    /** Longest wait for a deletion to finish, in milliseconds; each request gets at most a minute of it. */
    timeoutMs: number;
}

export interface ReplacedObjectState extends ReplacedObjectInputs {
    uid: string;
    /** The object as last written or read (without managedFields, resourceVersion and status); null once it is gone. */
    live: KubeObject | null;
    /** The declared fields as the server stored them when SyncWave last wrote the object. */
    appliedDigest: string;
    /** The same fields as the last read found them; null when the object is gone. */
    liveDigest: string | null;
}

const DEFAULTS = { cluster: DEFAULT_CLUSTER, force: false, propagationPolicy: "foreground", retain: false, timeoutMs: 300_000 } as const;

/** The inputs with every setting the resource left out at its default. */
export function withDefaults(news: Partial<ReplacedObjectInputs> & { manifest: Manifest }): ReplacedObjectInputs {
    const given = Object.fromEntries(Object.entries(news).filter(([, v]) => v !== undefined && v !== null));
    return { ...DEFAULTS, ...given } as ReplacedObjectInputs;
}

const FIELD_MANAGER = "syncwave";
const REQUEST_TIMEOUT_MS = 60_000;
const CONFLICT_RETRIES = 5;

/** The resource's id: group/Kind/namespace/name, as the plan names it. */
export function objectId(m: Manifest): string {
    return `${apiGroup(m.apiVersion)}/${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name ?? ""}`;
}

function label(m: Manifest): string {
    return describeResource(resourceKey(m));
}

/** Deleting these deletes everything they hold: every custom resource, or every object in the namespace. */
export function deletesWhatItHolds(m: Manifest): boolean {
    const group = apiGroup(m.apiVersion);
    return (group === "apiextensions.k8s.io" && m.kind === "CustomResourceDefinition") || (group === "" && m.kind === "Namespace");
}

/** Problems with the inputs, as the engine's check reports them (in preview, before anything runs). */
export function checkInputs(inputs: ReplacedObjectInputs): { property: string; reason: string }[] {
    const failures: { property: string; reason: string }[] = [];
    const m = inputs.manifest;
    if (!m?.apiVersion || !m.kind || !m.metadata?.name) {
        failures.push({ property: "manifest", reason: "a replaced object needs apiVersion, kind and metadata.name" });
        return failures;
    }
    if (inputs.force && deletesWhatItHolds(m)) {
        failures.push({ property: "force", reason: `${label(m)}: Force=true with Replace=true would delete it and everything it holds` });
    }
    if (!["foreground", "background", "orphan"].includes(inputs.propagationPolicy)) {
        failures.push({ property: "propagationPolicy", reason: `must be foreground, background or orphan, not "${inputs.propagationPolicy}"` });
    }
    return failures;
}

/** Whether the cluster must be written: the manifest changed, or a declared field drifted, or the object is gone. */
export function needsWrite(olds: ReplacedObjectState, news: ReplacedObjectInputs): boolean {
    if (stableJSON(olds.manifest) !== stableJSON(news.manifest)) return true;
    return olds.live === null || olds.liveDigest !== olds.appliedDigest;
}

/** The engine's diff: another object (identity or cluster changed) is a replacement; anything else an update. */
export function diffInputs(olds: ReplacedObjectState, news: ReplacedObjectInputs): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
    // Another cluster is another object; another context, file or user for the same cluster is not.
    const identity = (s: ReplacedObjectInputs) => [objectId(s.manifest), s.cluster.cluster].join("\0");
    if (identity(olds) !== identity(news)) {
        return { changes: true, replaces: [objectId(olds.manifest) !== objectId(news.manifest) ? "manifest" : "cluster"], deleteBeforeReplace: false };
    }
    const settings = (s: ReplacedObjectInputs) => stableJSON([s.force, s.propagationPolicy, s.retain, s.cluster, s.kubeconfig ?? "", s.timeoutMs]);
    return { changes: needsWrite(olds, news) || settings(olds) !== settings(news), replaces: [], deleteBeforeReplace: false };
}

interface Location {
    kc: KubeConfig;
    /** The collection the object belongs to, e.g. /apis/apps/v1/namespaces/shop/deployments. */
    collection: string;
    path: string;
    manifest: Manifest;
}

// The Kubernetes provider's control annotations (pulumi.com/skipAwait, patchForce, ...) mean nothing to
// a replace, and a PUT writes annotations whole: so they are on the live object exactly when the
// Kubernetes provider applied it last. That is how a delete tells a resource that moved back to
// Replace=false (the Kubernetes provider took the object over in this very update) from a prune.
const KUBERNETES_PROVIDER_ANNOTATION = "pulumi.com/";

function withoutProviderAnnotations(m: Manifest): Manifest {
    const annotations = m.metadata.annotations;
    if (!annotations || !Object.keys(annotations).some((a) => a.startsWith(KUBERNETES_PROVIDER_ANNOTATION))) return m;
    const kept = Object.fromEntries(Object.entries(annotations).filter(([a]) => !a.startsWith(KUBERNETES_PROVIDER_ANNOTATION)));
    return { ...m, metadata: { ...m.metadata, annotations: kept } };
}

/** Whether the Kubernetes provider applied the object after SyncWave last replaced it. */
export function takenOverByKubernetesProvider(live: KubeObject): boolean {
    const annotations = (live.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    return Object.keys(annotations).some((a) => a.startsWith(KUBERNETES_PROVIDER_ANNOTATION));
}

/** Where the object lives; a namespaced object without a namespace gets the context's, as kubectl gives it. */
async function locate(kc: KubeConfig, given: Manifest): Promise<Location> {
    const manifest = withoutProviderAnnotations(given);
    const { apiVersion, kind } = manifest;
    let namespace = manifest.metadata.namespace;
    const clusterWide = await collectionPath(kc, apiVersion, kind);
    if (!namespace && (await collectionPath(kc, apiVersion, kind, "_")) !== clusterWide) {
        namespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
    }
    const collection = await collectionPath(kc, apiVersion, kind, namespace);
    const placed = namespace ? { ...manifest, metadata: { ...manifest.metadata, namespace } } : manifest;
    return { kc, collection, path: `${collection}/${encodeURIComponent(manifest.metadata.name ?? "")}`, manifest: placed };
}

function requestTimeout(inputs: ReplacedObjectInputs): number {
    return Math.min(inputs.timeoutMs, REQUEST_TIMEOUT_MS);
}

async function get(loc: Location, timeoutMs: number): Promise<KubeObject | undefined> {
    try {
        return (await apiRequest<KubeObject>(loc.kc, { method: "GET", path: loc.path, timeoutMs })).body;
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

async function create(loc: Location, timeoutMs: number): Promise<KubeObject> {
    const body = { ...loc.manifest, metadata: { ...loc.manifest.metadata } };
    delete body.metadata.resourceVersion;
    const res = await apiRequest<KubeObject>(loc.kc, { method: "POST", path: loc.collection, body, query: { fieldManager: FIELD_MANAGER }, timeoutMs });
    return res.body;
}

/** `kubectl replace`: PUT of the whole object at the live resourceVersion; create when it is gone. */
async function replace(loc: Location, live: KubeObject, timeoutMs: number): Promise<KubeObject> {
    let current: KubeObject | undefined = live;
    for (let attempt = 1; ; attempt++) {
        if (!current) return create(loc, timeoutMs);
        const body = { ...loc.manifest, metadata: { ...loc.manifest.metadata, resourceVersion: current.metadata.resourceVersion } };
        try {
            return (await apiRequest<KubeObject>(loc.kc, { method: "PUT", path: loc.path, body, query: { fieldManager: FIELD_MANAGER }, timeoutMs })).body;
        } catch (err) {
            // A controller wrote the object between the read and the write (status, an annotation):
            // read it again and retry, rather than failing the sync over a race.
            const conflict = err instanceof KubeApiError && err.status === 409 && attempt < CONFLICT_RETRIES;
            if (!conflict && !isNotFound(err)) throw err;
            current = await get(loc, timeoutMs);
        }
    }
}

/** `kubectl replace --force`: delete (foreground, until gone), then create. */
async function recreate(loc: Location, live: KubeObject, inputs: ReplacedObjectInputs): Promise<KubeObject> {
    const name = label(loc.manifest);
    if (deletesWhatItHolds(loc.manifest)) throw new Error(`${name}: Force=true would delete it and everything it holds; refusing`);
    // kubectl deletes first and finds out afterwards that the new object is invalid, leaving nothing.
    // A server-side dry run of the create runs validation and admission first; AlreadyExists is the
    // answer when both pass, since the old object is still there.
    try {
        await apiRequest(loc.kc, { method: "POST", path: loc.collection, body: loc.manifest, query: { dryRun: "All", fieldManager: FIELD_MANAGER }, timeoutMs: requestTimeout(inputs) });
    } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 409 && err.reason === "AlreadyExists")) {
            throw new Error(`${name}: the API server would refuse it (${(err as Error).message}); nothing was deleted`);
        }
    }
    await deleteObject(loc, "foreground", inputs.timeoutMs, (live.metadata as { uid?: string }).uid);
    try {
        return await create(loc, requestTimeout(inputs));
    } catch (err) {
        throw new Error(
            `${name} was deleted to be replaced (Force=true) but creating it again failed: ${(err as Error).message}; ` +
                "it does not exist in the cluster now; the next sync that refreshes first (syncwave sync, pulumi up --refresh) creates it",
        );
    }
}

/** DELETE with the propagation policy, then wait until the object is gone. `uid` guards against deleting a newer object. */
async function deleteObject(loc: Location, policy: PropagationPolicy, timeoutMs: number, uid?: string): Promise<void> {
    const propagationPolicy = policy[0].toUpperCase() + policy.slice(1);
    const body = { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy, ...(uid ? { preconditions: { uid } } : {}) };
    try {
        await apiRequest(loc.kc, { method: "DELETE", path: loc.path, body, timeoutMs: Math.min(timeoutMs, REQUEST_TIMEOUT_MS) });
    } catch (err) {
        if (isNotFound(err)) return;
        throw err;
    }
    const ref = { apiVersion: loc.manifest.apiVersion, kind: loc.manifest.kind, namespace: loc.manifest.metadata.namespace, name: loc.manifest.metadata.name ?? "" };
    try {
        await watchObject(loc.kc, ref, (obj) => (obj && (!uid || obj.metadata.uid === uid) ? undefined : true), timeoutMs, (obj) =>
            obj ? `still there (finalizers: ${JSON.stringify((obj.metadata as { finalizers?: string[] }).finalizers ?? [])})` : "gone",
        );
    } catch (err) {
        if (err instanceof WaitTimeout) throw new Error(`${label(loc.manifest)} was not deleted: ${err.message}`);
        throw err;
    }
}

function trimmed(obj: KubeObject): KubeObject {
    const { managedFields: _managed, resourceVersion: _version, ...metadata } = obj.metadata as KubeObject["metadata"] & { managedFields?: unknown };
    const { status: _status, ...rest } = obj;
    return { ...rest, metadata } as KubeObject;
}

function stateAfterWrite(inputs: ReplacedObjectInputs, written: KubeObject): ReplacedObjectState {
    const digest = declaredDigest(inputs.manifest, written);
    return { ...inputs, uid: String(written.metadata.uid ?? ""), live: trimmed(written), appliedDigest: digest, liveDigest: digest };
}

/** Runs `op` on the object; a failure names the object and what was being done. */
async function about<T>(manifest: Manifest, what: string, op: () => Promise<T>): Promise<T> {
    try {
        return await op();
    } catch (err) {
        const message = (err as Error).message;
        throw message.startsWith(`${manifest.kind} `) ? err : new Error(`${label(manifest)}: ${what} failed: ${message}`);
    }
}

/** Create: `kubectl create` when absent; when present (adopted, or left by an earlier run) a replace. */
export async function createReplaced(inputs: ReplacedObjectInputs): Promise<ReplacedObjectState> {
    return about(inputs.manifest, inputs.force ? "replace (Force=true)" : "replace", async () => {
        const loc = await locate(connect(inputs).kc, inputs.manifest);
        const timeoutMs = requestTimeout(inputs);
        const live = await get(loc, timeoutMs);
        let written: KubeObject;
        if (!live) written = await about(inputs.manifest, "create", () => create(loc, timeoutMs));
        else written = inputs.force ? await recreate(loc, live, inputs) : await replace(loc, live, timeoutMs);
        return stateAfterWrite(inputs, written);
    });
}

/** Update: the same write when the manifest changed or drifted; only the settings otherwise. */
export async function updateReplaced(olds: ReplacedObjectState, news: ReplacedObjectInputs): Promise<ReplacedObjectState> {
    if (!needsWrite(olds, news)) return { ...olds, ...news };
    return createReplaced(news);
}

/** Read (refresh): the live object and its declared fields now; null live when it is gone. */
export async function readReplaced(olds: ReplacedObjectState): Promise<ReplacedObjectState> {
    const loc = await about(olds.manifest, "read", () => locate(connect(olds).kc, olds.manifest));
    const live = await about(olds.manifest, "read", () => get(loc, requestTimeout(olds)));
    if (!live) return { ...olds, live: null, liveDigest: null };
    return { ...olds, uid: String(live.metadata.uid ?? ""), live: trimmed(live), liveDigest: declaredDigest(olds.manifest, live) };
}

/** Delete: with the propagation policy, until gone; nothing when the object is retained. */
export async function deleteReplaced(olds: ReplacedObjectState): Promise<void> {
    if (olds.retain) return;
    await about(olds.manifest, "delete", async () => {
        const loc = await locate(connect(olds).kc, olds.manifest);
        const live = await get(loc, requestTimeout(olds));
        // Gone already, or handed over to the Kubernetes provider (Replace=true was removed): the
        // object is no longer this resource's to delete.
        if (!live || takenOverByKubernetesProvider(live)) return;
        await deleteObject(loc, olds.propagationPolicy, olds.timeoutMs);
    });
}
