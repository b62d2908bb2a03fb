// The strays of every Application in the state (components/sync/strays.ts): what the CLI hands the
// program so that an object a failed sync applied is pruned like any other once it leaves git.
import type { Manifest } from "../components/sync/manifest";
import { findStrays } from "../components/sync/strays";
import { previousInventory, type InventoryEntry } from "../components/sync/prune";
import { desiredObjects } from "./commands/drift";
import type { StateResource } from "./commands/state";

export function strayObjects(state: readonly StateResource[]): Record<string, Manifest[]> {
    const inventories: Record<string, string[]> = {};
    for (const r of state) {
        if (!r.type.endsWith("syncwave:Pruner")) continue;
        const outputs = (r.outputs ?? {}) as { application?: string; inventory?: InventoryEntry[]; desired?: InventoryEntry[]; requiresPruning?: InventoryEntry[] };
        if (outputs.application) inventories[outputs.application] = previousInventory(outputs).map((e) => e.id);
    }
    return findStrays(
        desiredObjects(state).map((o) => ({
            application: o.application,
            manifest: {
                apiVersion: o.ref.apiVersion,
                kind: o.ref.kind,
                metadata: { name: o.ref.name, namespace: o.ref.namespace, annotations: (o.desired as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations ?? {} },
            } as Manifest,
        })),
        inventories,
    );
}
