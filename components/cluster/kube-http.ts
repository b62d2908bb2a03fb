// Reads of the API server that need no client library: GET as JSON, a kind's collection path from
// discovery, one object. They take any HttpsConfig (https-config.ts): client-node's KubeConfig, or the
// plain form that spares a process loading client-node.
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import type { HttpsConfig } from "./https-config";
import { sendRetryingAfter } from "./retry-after";

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

/** GET a path of the API server as JSON; undefined on 404. Throttled (429, Retry-After), it waits and asks again within its timeout. */
export async function getJSON<T>(kc: HttpsConfig, path: string, timeoutMs = 30_000): Promise<T | undefined> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(path, cluster.server);
    const answer = await sendRetryingAfter(timeoutMs, (left) => getOnce(kc, url, path, left));
    if (answer.status === 404) return undefined;
    if (answer.status >= 400) throw new Error(`GET ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
    return JSON.parse(answer.body) as T;
}

async function getOnce(kc: HttpsConfig, url: URL, path: string, timeoutMs: number): Promise<{ status: number; retryAfter: string | string[] | undefined; body: string }> {
    const options: import("node:https").RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await kc.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
        const send = url.protocol === "http:" ? httpRequest : request;
        const req = send(url, options, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 500, retryAfter: res.headers["retry-after"], body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs / 1000}s`)));
        req.on("error", reject);
        req.end();
    });
}

const discovery = new Map<string, Promise<{ name: string; kind: string; namespaced: boolean }[]>>();

/** The collection path of a kind, from the API server's discovery (so custom resources work too). */
export async function collectionPath(kc: HttpsConfig, apiVersion: string, kind: string, namespace?: string): Promise<string> {
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

export async function readObject(kc: HttpsConfig, ref: ObjectRef): Promise<KubeObject | undefined> {
    const path = await collectionPath(kc, ref.apiVersion, ref.kind, ref.namespace);
    return getJSON<KubeObject>(kc, `${path}/${encodeURIComponent(ref.name)}`);
}

