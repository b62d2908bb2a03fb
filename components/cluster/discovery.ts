// Which kinds a cluster serves, at which versions and with which scope: the API server's discovery,
// read once per kubeconfig per process (a preview renders every Application against the same few
// clusters). Argo CD keeps the same facts in its cluster cache (gitops-engine pkg/cache/cluster.go:
// namespacedResources, filled from discovery) and answers IsNamespaced from it.
import { createHash } from "node:crypto";
import { httpsConfigOf } from "./https-config";
import type { DiscoveredKinds } from "../sync/scope";
import { apiRequest, formatDuration, type ApiRequest } from "./api-request";
import { addAggregated, addResourceList, emptyDiscovery, type AggregatedDiscovery, type ResourceList } from "./discovery-documents";

// Aggregated discovery first (v2, then v2beta1), plain JSON when the server predates it; the same
// negotiation client-go does.
const AGGREGATED =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList," +
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/** Older servers answer one request per group version; this many run at once. */
const PARALLEL_REQUESTS = 8;

const cache = new Map<string, Promise<DiscoveredKinds>>();

/**
 * Discovery of the cluster that `kubeconfig` (YAML content) points at, within `timeoutMs` in all.
 * Cached per kubeconfig for the life of the process; `refresh` reads it again (after a CRD was added).
 */
export async function discoverKinds(kubeconfig: string, timeoutMs: number, options: { refresh?: boolean } = {}): Promise<DiscoveredKinds> {
    const key = createHash("sha256").update(kubeconfig).digest("hex");
    let pending = options.refresh ? undefined : cache.get(key);
    if (!pending) {
        pending = discover(kubeconfig, timeoutMs);
        cache.set(key, pending);
        // A failure is not remembered: the next caller asks the server again.
        pending.catch(() => cache.delete(key));
    }
    // Callers get their own copy, so none can change what the others see.
    return structuredClone(await pending);
}

async function discover(kubeconfig: string, timeoutMs: number): Promise<DiscoveredKinds> {
    const kc = await httpsConfigOf(kubeconfig);
    const server = kc.getCurrentCluster()?.server ?? "(no server)";
    const deadline = Date.now() + timeoutMs;
    const get = <T>(path: string, accept?: string): Promise<T> => {
        const remaining = deadline - Date.now();
        if (remaining <= 0) return Promise.reject(new Error(`GET ${path} was not reached within ${formatDuration(timeoutMs)}`));
        const req: ApiRequest = { method: "GET", path, accept, timeoutMs: remaining };
        return apiRequest<T>(kc, req).then((r) => r.body);
    };
    const found = emptyDiscovery();
    try {
        const [core, groups] = await Promise.all([
            get<AggregatedDiscovery | { kind: "APIVersions"; versions: string[] }>("/api", AGGREGATED),
            get<AggregatedDiscovery | { kind: "APIGroupList"; groups: { versions: { groupVersion: string }[] }[] }>("/apis", AGGREGATED),
        ]);
        const lists: string[] = [];
        if (core.kind === "APIGroupDiscoveryList") addAggregated(found, core);
        else lists.push(...core.versions.map((v) => `/api/${v}`));
        if (groups.kind === "APIGroupDiscoveryList") addAggregated(found, groups);
        else lists.push(...groups.groups.flatMap((g) => g.versions.map((v) => `/apis/${v.groupVersion}`)));
        await inBatches(lists, PARALLEL_REQUESTS, async (path) => {
            try {
                addResourceList(found, await get<ResourceList>(path));
            } catch (err) {
                // One broken aggregated API must not hide every other kind (kubectl api-resources
                // also lists the rest and warns); its kinds are reported as unavailable instead.
                found.unavailable[path.replace(/^\/apis?\//, "")] = (err as Error).message;
            }
        });
    } catch (err) {
        throw new Error(`API discovery of ${server} failed: ${(err as Error).message}`);
    }
    if (Date.now() > deadline) throw new Error(`API discovery of ${server} did not finish within ${formatDuration(timeoutMs)}`);
    return found;
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
    for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
