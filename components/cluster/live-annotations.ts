// Reads, before anything is applied, whether each object an Application wants to manage already exists
// and what its tracking annotations say, so the program can refuse a silent takeover. Reads go through
// the destination's own kubeconfig (the Project's ServiceAccount when it names one): a LIST per kind
// and namespace where several objects share them (live-objects.ts), so thousands of objects cost a
// few requests, not one each.
import { httpsConfigOf } from "./https-config";
import type { ObjectRef } from "./kube-http";
import { readLiveObjects, refKey } from "./live-objects";

export interface LiveLookup {
    /** Annotations of the live object, or undefined when it does not exist. */
    annotations: Map<string, Record<string, string> | undefined>;
}

/** Every object (by id); a kind the API server does not serve yet (its CRD comes in this sync) does not exist. */
export async function readLiveAnnotations(kubeconfig: string, objects: readonly (ObjectRef & { id: string })[], timeoutMs = 60_000): Promise<LiveLookup> {
    const kc = await httpsConfigOf(kubeconfig);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reading ${objects.length} live objects timed out after ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
        const live = await Promise.race([
            readLiveObjects(kc, objects).catch((err: Error) => {
                throw new Error(`cannot read the live objects to check who owns them: ${err.message.split("\n")[0]}`);
            }),
            timeout,
        ]);
        const annotations = new Map<string, Record<string, string> | undefined>();
        for (const o of objects) {
            const object = live.get(refKey(o));
            annotations.set(o.id, object ? ((object.metadata as { annotations?: Record<string, string> }).annotations ?? {}) : undefined);
        }
        return { annotations };
    } finally {
        clearTimeout(timer);
    }
}
