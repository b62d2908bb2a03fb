// Reads, before anything is applied, whether each object an Application wants to manage already exists
// and what its tracking annotations say, so the program can refuse a silent takeover. Reads go through
// the destination's own kubeconfig (the Project's ServiceAccount when it names one).
import { connect, readObject, type ObjectRef } from "../providers/kube-client";

export interface LiveLookup {
    /** Annotations of the live object, or undefined when it does not exist. */
    annotations: Map<string, Record<string, string> | undefined>;
}

const CONCURRENCY = 8;

/** GETs every object (by id); a kind the API server does not serve yet (its CRD comes in this sync) does not exist. */
export async function readLiveAnnotations(kubeconfig: string, objects: readonly (ObjectRef & { id: string })[], timeoutMs = 60_000): Promise<LiveLookup> {
    const conn = connect(kubeconfig);
    const annotations = new Map<string, Record<string, string> | undefined>();
    const queue = [...objects];
    const deadline = Date.now() + timeoutMs;
    const worker = async () => {
        for (let o = queue.shift(); o; o = queue.shift()) {
            if (Date.now() > deadline) throw new Error(`reading ${objects.length} live objects timed out after ${timeoutMs / 1000}s (at ${o.kind} ${o.name})`);
            try {
                const live = await readObject(conn.kc, o);
                annotations.set(o.id, live ? ((live.metadata as { annotations?: Record<string, string> }).annotations ?? {}) : undefined);
            } catch (err) {
                const message = (err as Error).message;
                if (/does not serve/.test(message)) {
                    annotations.set(o.id, undefined);
                    continue;
                }
                throw new Error(`cannot read ${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} to check who owns it: ${message.split("\n")[0]}`);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, objects.length) }, worker));
    return { annotations };
}
