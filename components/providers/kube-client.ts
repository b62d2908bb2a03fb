// Cluster I/O for the dynamic providers, on @kubernetes/client-node: discovery of a kind's API path,
// reads, and watches that resolve as soon as an object reaches the state a caller waits for. Loaded
// inside the providers' methods, never captured in their closures.
import { request } from "node:https";
import * as k8s from "@kubernetes/client-node";
import { resolveKubeconfig, type ClusterAccess } from "../cluster/connection-ref";

export interface ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
}

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
    [key: string]: unknown;
}

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

/** GET a path of the API server as JSON; undefined on 404. */
export async function getJSON<T>(kc: k8s.KubeConfig, path: string, timeoutMs = 30_000): Promise<T | undefined> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(path, cluster.server);
    const options: import("node:https").RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await kc.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
        const req = request(url, options, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                if (res.statusCode === 404) return resolve(undefined);
                if ((res.statusCode ?? 500) >= 400) return reject(new Error(`GET ${path}: ${res.statusCode} ${body.slice(0, 300)}`));
                try {
                    resolve(JSON.parse(body) as T);
                } catch (err) {
                    reject(err);
                }
            });
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs / 1000}s`)));
        req.on("error", reject);
        req.end();
    });
}

const discovery = new Map<string, Promise<{ name: string; kind: string; namespaced: boolean }[]>>();

/** The collection path of a kind, from the API server's discovery (so custom resources work too). */
export async function collectionPath(kc: k8s.KubeConfig, apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const key = `${kc.getCurrentCluster()?.server}${base}`;
    let resources = discovery.get(key);
    if (!resources) {
        resources = getJSON<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(kc, base).then((list) => list?.resources ?? []);
        discovery.set(key, resources);
        resources.catch(() => discovery.delete(key));
    }
    const resource = (await resources).find((r) => r.kind === kind && !r.name.includes("/"));
    if (!resource) {
        discovery.delete(key);
        throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    }
    return resource.namespaced && namespace ? `${base}/namespaces/${namespace}/${resource.name}` : `${base}/${resource.name}`;
}

export async function readObject(kc: k8s.KubeConfig, ref: ObjectRef): Promise<KubeObject | undefined> {
    const path = await collectionPath(kc, ref.apiVersion, ref.kind, ref.namespace);
    return getJSON<KubeObject>(kc, `${path}/${encodeURIComponent(ref.name)}`);
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
