// What the Pruner does, in the dynamic provider's process: delete the objects a sync prunes (or, when
// an Application with the cascade finalizer is deleted, all it manages), later waves first, each wave
// waited for until its objects are gone. An object whose live tracking id names anyone else is never
// deleted: it is left alone and reported.
import type { ClusterAccess } from "../cluster/connection-ref";
import { apiGroup } from "../sync/manifest";
import { liveOwner } from "../sync/tracking";
import { deletionWaves, type InventoryEntry } from "../sync/prune";
import { connect, deleteObject, readObject, watchObject, type Connection } from "./kube-client";

export interface PruneRun extends ClusterAccess {
    application: string;
    installation: string;
    timeoutMs: number;
}

export interface PruneOutcome {
    /** Deleted now, or already gone. */
    pruned: string[];
    /** Left alone: someone else's now. */
    skipped: { id: string; reason: string }[];
}

const describe = (e: InventoryEntry) => `${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name}`;

async function deleteOne(conn: Connection, run: PruneRun, e: InventoryEntry): Promise<"deleted" | { skipped: string }> {
    let live;
    try {
        live = await readObject(conn.kc, e);
    } catch (err) {
        // The kind is no longer served (its CRD went first): nothing of it is left to delete.
        if (/does not serve/.test((err as Error).message)) return "deleted";
        throw err;
    }
    if (!live) return "deleted";
    const annotations = (live.metadata as { annotations?: Record<string, string> }).annotations;
    const key = { group: apiGroup(e.apiVersion), kind: e.kind, namespace: e.namespace ?? "", name: e.name };
    const owner = liveOwner(annotations, run.application, run.installation, key);
    if (owner.kind !== "ours") {
        return { skipped: owner.kind === "other" ? `now managed by ${owner.owner}` : "its tracking id was removed: it is no longer ours" };
    }
    // Only the object just checked: if it was replaced or taken over since, the API server refuses.
    const { uid, resourceVersion } = live.metadata as { uid?: string; resourceVersion?: string };
    await deleteObject(conn, e, e.propagationPolicy ?? "foreground", { uid, resourceVersion });
    return "deleted";
}

/** Deletes `entries` wave by wave (later waves first), waiting until each wave's objects are gone. */
export async function pruneObjects(run: PruneRun, entries: InventoryEntry[]): Promise<PruneOutcome> {
    const conn = connect(run);
    const outcome: PruneOutcome = { pruned: [], skipped: [] };
    for (const wave of deletionWaves(entries)) {
        const deleted: InventoryEntry[] = [];
        for (const e of wave) {
            try {
                const result = await deleteOne(conn, run, e);
                if (result === "deleted") deleted.push(e);
                else outcome.skipped.push({ id: e.id, reason: result.skipped });
            } catch (err) {
                throw new Error(`application ${run.application}: pruning ${describe(e)} failed: ${(err as Error).message.split("\n")[0]}`);
            }
        }
        await Promise.all(
            deleted.map((e) =>
                watchObject(conn.kc, e, (obj) => (obj ? undefined : true), run.timeoutMs, (obj) =>
                    obj ? `still present${(obj.metadata as { deletionTimestamp?: string }).deletionTimestamp ? " (being deleted; finalizers pending)" : ""}` : "gone",
                ).catch((err: Error) => {
                    if (/does not serve/.test(err.message)) return true;
                    throw new Error(`application ${run.application}: waiting for ${describe(e)} to be deleted: ${err.message}`);
                }),
            ),
        );
        outcome.pruned.push(...deleted.map((e) => e.id));
    }
    return outcome;
}
