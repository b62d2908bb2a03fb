// Cluster I/O for the dynamic providers, on @kubernetes/client-node: discovery of a kind's API path,
// reads, and watches that resolve as soon as an object reaches the state a caller waits for. Loaded
// inside the providers' methods (see load-module.ts), never captured in their closures.
import { request } from "node:https";
import * as k8s from "@kubernetes/client-node";

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

export function connect(kubeconfig: string): Connection {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfig);
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

export class WaitTimeout extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WaitTimeout";
    }
}

/**
 * Watches one object until `decide` returns a result (or the timeout passes). `decide` sees the object,
 * or undefined while it does not exist. The watch starts from the object's current state, so nothing
 * that happened before is missed, and is restarted if the API server ends it.
 */
export async function watchObject<T>(
    kc: k8s.KubeConfig,
    ref: ObjectRef,
    decide: (obj: KubeObject | undefined) => T | undefined,
    timeoutMs: number,
    describeLast: (obj: KubeObject | undefined) => string,
): Promise<T> {
    const path = await collectionPath(kc, ref.apiVersion, ref.kind, ref.namespace);
    const watch = new k8s.Watch(kc);
    let last: KubeObject | undefined;
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
            () => finish(() => reject(new WaitTimeout(`timed out after ${Math.round(timeoutMs / 1000)}s; last seen: ${describeLast(last)}`))),
            timeoutMs,
        );
        const consider = (obj: KubeObject | undefined) => {
            last = obj;
            const result = decide(obj);
            if (result !== undefined) finish(() => resolve(result));
        };
        const start = async () => {
            if (finished) return;
            try {
                const list = await getJSON<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(
                    kc,
                    `${path}?fieldSelector=${encodeURIComponent(`metadata.name=${ref.name}`)}`,
                );
                const current = list?.items[0];
                if (current) current.apiVersion ??= ref.apiVersion;
                if (current) current.kind ??= ref.kind;
                consider(current);
                if (finished) return;
                controller = await watch.watch(
                    path,
                    { fieldSelector: `metadata.name=${ref.name}`, resourceVersion: list?.metadata.resourceVersion, allowWatchBookmarks: true },
                    (type: string, obj: KubeObject) => {
                        if (type === "BOOKMARK") return;
                        consider(type === "DELETED" ? undefined : obj);
                    },
                    () => {
                        // The server ends watches from time to time: start again from a fresh read.
                        if (!finished) setTimeout(() => void start(), 200);
                    },
                );
            } catch (err) {
                if (!finished) setTimeout(() => void start(), 1_000);
                last = last ?? undefined;
                void err;
            }
        };
        void start();
    });
}
