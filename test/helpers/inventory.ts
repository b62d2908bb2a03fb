import type { InventoryEntry } from "../../components/sync/prune";

/** A ConfigMap in namespace shop as an Application's inventory lists it. */
export const inventoryEntry = (name: string, wave = 0, extra: Partial<InventoryEntry> = {}): InventoryEntry => ({
    id: `/ConfigMap/shop/${name}`,
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace: "shop",
    name,
    wave,
    prune: true,
    delete: true,
    ...extra,
});
