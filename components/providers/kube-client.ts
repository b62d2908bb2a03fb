// Cluster I/O for the dynamic providers, on @kubernetes/client-node: discovery of a kind's API path,
// reads, and watches that resolve as soon as an object reaches the state a caller waits for. Loaded
// inside the providers' methods, never captured in their closures.
import * as k8s from "@kubernetes/client-node";
import { resolveKubeconfig, type ClusterAccess } from "../cluster/connection-ref";
import { collectionPath, getJSON, type KubeObject, type ObjectRef } from "../cluster/kube-http";

// Reads without client-node live in cluster/kube-http.ts; the providers keep importing them from here.
export { collectionPath, getJSON, readObject, type KubeObject, type ObjectRef } from "../cluster/kube-http";

export interface Connection {
    kc: k8s.KubeConfig;
    objects: k8s.KubernetesObjectApi;
    core: k8s.CoreV1Api;
}

/** A connection from kubeconfig content (the program's own), or from a ClusterRef resolved in this process. */
export function connect(target: string | Partial<ClusterAccess>): Connection {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(typeof target === "string" ? target : resolveKubeconfig(target));
    return { kc, objects: k8s.KubernetesObjectApi.makeApiClient(kc), core: kc.makeApiClient(k8s.CoreV1Api) };
}

export type PropagationPolicy = "foreground" | "background" | "orphan";

/** Deletes an object with the given propagation (foreground, Argo CD's default for prunes). */
export async function deleteObject(
    conn: Connection,
    ref: ObjectRef,
    propagation: PropagationPolicy = "foreground",
    preconditions?: { uid?: string; resourceVersion?: string },
): Promise<void> {
    const policy = propagation === "background" ? "Background" : propagation === "orphan" ? "Orphan" : "Foreground";
    await conn.objects.delete(
        { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
        undefined,
        undefined,
        undefined,
        undefined,
        policy,
        preconditions ? { propagationPolicy: policy, preconditions } : undefined,
    );
}

export class WaitTimeout extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WaitTimeout";
    }
}

/**
 * Watches a collection (narrowed by field or label selectors) until `decide` returns a result or the
 * timeout passes. `decide` sees every object currently in the collection, by name. The watch starts
 * from a fresh list, so nothing that happened before is missed, and restarts if the server ends it.
 */
export async function watchCollection<T>(
    kc: k8s.KubeConfig,
    path: string,
    selectors: { fieldSelector?: string; labelSelector?: string },
    decide: (objects: Map<string, KubeObject>) => T | undefined,
    timeoutMs: number,
    describeLast: (objects: Map<string, KubeObject>) => string,
    signal?: AbortSignal,
): Promise<T> {
    const watch = new k8s.Watch(kc);
    const objects = new Map<string, KubeObject>();
    return new Promise<T>((resolve, reject) => {
        let finished = false;
        let controller: AbortController | undefined;
        const finish = (fn: () => void) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            controller?.abort();
            fn();
        };
        const timer = setTimeout(
            () => finish(() => reject(new WaitTimeout(`timed out after ${Math.round(timeoutMs / 1000)}s; last seen: ${describeLast(objects)}`))),
            timeoutMs,
        );
        signal?.addEventListener("abort", () => finish(() => reject(new Error("watch cancelled"))));
        const consider = () => {
            const result = decide(objects);
            if (result !== undefined) finish(() => resolve(result));
        };
        const query = Object.entries(selectors)
            .filter(([, v]) => v)
            .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
            .join("&");
        const start = async () => {
            if (finished) return;
            try {
                const list = await getJSON<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(kc, `${path}${query ? `?${query}` : ""}`);
                objects.clear();
                for (const item of list?.items ?? []) objects.set(item.metadata.name, item);
                consider();
                if (finished) return;
                controller = await watch.watch(
                    path,
                    { ...selectors, resourceVersion: list?.metadata.resourceVersion, allowWatchBookmarks: true },
                    (type: string, obj: KubeObject) => {
                        if (type === "BOOKMARK") return;
                        if (type === "DELETED") objects.delete(obj.metadata.name);
                        else objects.set(obj.metadata.name, obj);
                        consider();
                    },
                    () => {
                        // The server ends watches from time to time: start again from a fresh list.
                        if (!finished) setTimeout(() => void start(), 200);
                    },
                );
            } catch {
                if (!finished) setTimeout(() => void start(), 1_000);
            }
        };
        void start();
    });
}

/** Watches one object until `decide` returns a result; `decide` sees undefined while it does not exist. */
export async function watchObject<T>(
    kc: k8s.KubeConfig,
    ref: ObjectRef,
    decide: (obj: KubeObject | undefined) => T | undefined,
    timeoutMs: number,
    describeLast: (obj: KubeObject | undefined) => string,
    signal?: AbortSignal,
): Promise<T> {
    const path = await collectionPath(kc, ref.apiVersion, ref.kind, ref.namespace);
    const withKind = (objects: Map<string, KubeObject>) => {
        const obj = objects.get(ref.name);
        // Lists omit each item's apiVersion and kind; the health rules need them.
        return obj ? { ...obj, apiVersion: obj.apiVersion ?? ref.apiVersion, kind: obj.kind ?? ref.kind } : undefined;
    };
    return watchCollection(
        kc,
        path,
        { fieldSelector: `metadata.name=${ref.name}` },
        (objects) => decide(withKind(objects)),
        timeoutMs,
        (objects) => describeLast(withKind(objects)),
        signal,
    );
}
