// The live objects a stack manages, read straight from the API server: one LIST per kind and
// namespace where several objects share them, a GET where one or two do, a few requests at a time.
// What `pulumi refresh` would read, without starting the engine, the language host and the provider.
import type { HttpsConfig } from "./https-config";
import { collectionPath, getJSON, type KubeObject, type ObjectRef } from "./kube-http";

/** Below this many objects of one kind in one namespace, GETs are cheaper than a LIST of everything there. */
const LIST_FROM = 3;
const CONCURRENCY = 8;
const TIMEOUT_MS = 30_000;

export function refKey(ref: ObjectRef): string {
    return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** Runs the tasks with at most `limit` at once, keeping their order in the result. */
export async function bounded<T>(tasks: readonly (() => Promise<T>)[], limit = CONCURRENCY): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const i = next++;
            results[i] = await tasks[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

/**
 * The live object of every ref (by refKey), absent when it does not exist. A request that fails
 * (other than 404) fails the whole read, naming the object or collection: a caller never mistakes
 * an unreachable cluster for deleted objects.
 */
export async function readLiveObjects(kc: HttpsConfig, refs: readonly ObjectRef[]): Promise<Map<string, KubeObject>> {
    const groups = new Map<string, ObjectRef[]>();
    for (const ref of refs) {
        const key = `${ref.apiVersion}\0${ref.kind}\0${ref.namespace ?? ""}`;
        const group = groups.get(key);
        if (group) group.push(ref);
        else groups.set(key, [ref]);
    }
    const live = new Map<string, KubeObject>();
    const tasks: (() => Promise<void>)[] = [];
    for (const members of groups.values()) {
        const { apiVersion, kind, namespace } = members[0];
        // A kind the API server no longer serves (its CRD is gone) has no objects left.
        const pathOf = () =>
            collectionPath(kc, apiVersion, kind, namespace).catch((err: Error) => {
                if (err.message.startsWith("the API server does not serve")) return undefined;
                throw err;
            });
        const getEach = (refs: readonly ObjectRef[]) =>
            refs.map((ref) => async () => {
                const path = await pathOf();
                if (!path) return;
                const object = await getJSON<KubeObject>(kc, `${path}/${encodeURIComponent(ref.name)}`, TIMEOUT_MS).catch((err: Error) => {
                    throw new Error(`reading ${kind} ${namespace ? `${namespace}/` : ""}${ref.name}: ${err.message}`);
                });
                if (object) live.set(refKey(ref), object);
            });
        if (members.length < LIST_FROM) {
            tasks.push(...getEach(members));
            continue;
        }
        tasks.push(async () => {
            const path = await pathOf();
            if (!path) return;
            let list: { items?: KubeObject[] } | undefined;
            try {
                list = await getJSON<{ items?: KubeObject[] }>(kc, path, TIMEOUT_MS);
            } catch (err) {
                // An identity that may get but not list its objects (a narrow deployer role) is read one by one.
                if (/: 403 /.test((err as Error).message)) {
                    await bounded(getEach(members));
                    return;
                }
                throw new Error(`listing ${kind} in ${namespace ?? "the cluster"}: ${(err as Error).message}`);
            }
            const wanted = new Set(members.map((m) => m.name));
            for (const item of list?.items ?? []) {
                if (!wanted.has(item.metadata.name)) continue;
                // Items of a list carry no apiVersion and kind of their own.
                live.set(refKey({ apiVersion, kind, namespace, name: item.metadata.name }), { ...item, apiVersion, kind });
            }
        });
    }
    await bounded(tasks);
    return live;
}
