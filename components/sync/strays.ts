// Strays: objects the stack's state holds for an Application that its Pruner's inventory does not
// list. A sync that failed after applying them (a gate found its wave Degraded, the run was killed)
// never reached the Pruner, so its inventory lacks them; when they then leave git (a fix, a rollback)
// the engine only drops them from the state. Argo CD prunes such objects, since it finds them live by
// their tracking id; SyncWave hands them to the Pruner as candidates, which treats them as it treats
// its inventory: pruned only when pruning is on, only while their live tracking id is this
// Application's. Pure: the CLI finds them in the state, the program passes them on.
import { DEFAULT_SYNC_OPTIONS, parseSyncOptions, splitSyncOptionsAnnotation, type SyncOptions } from "./sync-options";
import type { InventoryEntry } from "./prune";
import type { Manifest } from "./manifest";
import { TRACKING_ID } from "./tracking";

/**
 * The inventory entry of an object as the state last applied it: the Application's sync options
 * (`base`: Prune=false there protects it as it protects the inventory), then its own annotation.
 */
export function strayEntry(manifest: Manifest, base: SyncOptions = DEFAULT_SYNC_OPTIONS): InventoryEntry | undefined {
    const name = manifest.metadata?.name;
    if (!name || !manifest.apiVersion || !manifest.kind) return undefined;
    const group = manifest.apiVersion.includes("/") ? manifest.apiVersion.split("/")[0] : "";
    const namespace = manifest.metadata.namespace || undefined;
    const annotations = manifest.metadata.annotations ?? {};
    let options = { ...DEFAULT_SYNC_OPTIONS, prune: false, delete: false };
    try {
        options = parseSyncOptions(splitSyncOptionsAnnotation(annotations["argocd.argoproj.io/sync-options"]), base, { field: "" });
    } catch {
        // An annotation that no longer parses: kept, never pruned.
    }
    const wave = Number.parseInt(annotations["argocd.argoproj.io/sync-wave"] ?? "0", 10);
    return {
        id: `${group}/${manifest.kind}/${namespace ?? ""}/${name}`,
        apiVersion: manifest.apiVersion,
        kind: manifest.kind,
        namespace,
        name,
        wave: Number.isFinite(wave) ? wave : 0,
        prune: options.prune,
        delete: options.delete,
        keep: annotations["helm.sh/resource-policy"] === "keep" || undefined,
        propagationPolicy: options.prunePropagationPolicy,
    };
}

/** Per Application: the objects (as the state applied them) that its inventory does not list. */
export function findStrays(objects: readonly { application: string; manifest: Manifest }[], inventories: Record<string, readonly string[]>): Record<string, Manifest[]> {
    const result: Record<string, Manifest[]> = {};
    for (const o of objects) {
        const listed = inventories[o.application];
        // An Application without a Pruner in the state has not completed a first sync: its own
        // create stores every object it declares.
        if (!listed) continue;
        // Only what the sync applied as this Application's own (its tracking id): never the namespace
        // CreateNamespace made, nor anything else the state may hold under it.
        if (!o.manifest.metadata?.annotations?.[TRACKING_ID]?.startsWith(`${o.application}:`)) continue;
        const entry = strayEntry(o.manifest);
        if (!entry || listed.includes(entry.id)) continue;
        (result[o.application] ??= []).push(o.manifest);
    }
    return result;
}
