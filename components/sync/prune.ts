// Pruning as Argo CD decides it, pure. An Application's inventory is what it manages; an object that
// left git (in the last inventory, not in the desired one) is deleted only when pruning is asked for
// (syncPolicy.automated.prune on an automated sync, or an explicit --prune) and its Prune option
// allows it; otherwise it stays in the cluster and is reported as requiring pruning. The order is
// Argo CD's: prune waves reversed (gitops-engine pkg/sync/sync_context.go swaps prune waves
// symmetrically so later waves go first).

/** One object an Application manages (or managed), with what its sync options said at its last sync. */
export interface InventoryEntry {
    /** group/Kind/namespace/name: the object's stable id, its Pulumi name. */
    id: string;
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
    wave: number;
    /** Prune=false (or Prune=confirm) makes this false: never pruned. */
    prune: boolean;
    /** Delete=false makes this false: kept when the Application is deleted. */
    delete: boolean;
    /** helm.sh/resource-policy: keep (Argo CD treats it as Delete=false). */
    keep?: boolean;
    /** PrunePropagationPolicy: foreground (Argo CD's default), background or orphan. */
    propagationPolicy?: "foreground" | "background" | "orphan";
}

export type SyncKind = "automated" | "manual";

/** Whether this sync prunes: Argo CD's automated sync uses automated.prune; a manual one its own flag. */
export function pruneRequested(kind: SyncKind, automatedPrune: boolean | undefined, explicitPrune: boolean): boolean {
    return explicitPrune || (kind === "automated" && automatedPrune === true);
}

export interface PrunePlan {
    /** Objects to delete now, in deletion order. */
    prune: InventoryEntry[];
    /** Objects that left git and stay: pruning was not asked for, or Prune=false. */
    requiresPruning: InventoryEntry[];
}

/** What the last sync left: its inventory and what still waits for a prune. */
export function previousInventory(olds: { inventory?: InventoryEntry[]; desired?: InventoryEntry[]; requiresPruning?: InventoryEntry[] }): InventoryEntry[] {
    return [...(olds.inventory ?? olds.desired ?? []), ...(olds.requiresPruning ?? [])];
}

/** Objects that left git, from the last inventory (and the ones still waiting for a prune). */
export function planPrune(previous: readonly InventoryEntry[], desiredIds: ReadonlySet<string>, pruneEnabled: boolean): PrunePlan {
    const seen = new Set<string>();
    const leftovers: InventoryEntry[] = [];
    for (const e of previous) {
        if (desiredIds.has(e.id) || seen.has(e.id)) continue;
        seen.add(e.id);
        leftovers.push(e);
    }
    const prune = pruneEnabled ? leftovers.filter((e) => e.prune && !e.keep) : [];
    const requiresPruning = leftovers.filter((e) => !prune.includes(e));
    return { prune: deletionOrder(prune), requiresPruning };
}

/** What deleting a whole Application (with the cascade finalizer) deletes: all but Delete=false / keep. */
export function planCascade(inventory: readonly InventoryEntry[]): InventoryEntry[] {
    return deletionOrder(inventory.filter((e) => e.delete && !e.keep));
}

/** Later waves first; inside a wave, the reverse of Helm's install order is not needed: they go together. */
export function deletionOrder(entries: readonly InventoryEntry[]): InventoryEntry[] {
    return [...entries].sort((a, b) => b.wave - a.wave || a.id.localeCompare(b.id));
}

/** Entries grouped by wave, later waves first: each group is deleted (and waited for) before the next. */
export function deletionWaves(entries: readonly InventoryEntry[]): InventoryEntry[][] {
    const groups: InventoryEntry[][] = [];
    for (const e of deletionOrder(entries)) {
        const last = groups[groups.length - 1];
        if (last && last[0].wave === e.wave) last.push(e);
        else groups.push([e]);
    }
    return groups;
}

/** Argo CD's cascade finalizers on an Application (foreground and background forms). */
export const CASCADE_FINALIZERS = ["resources-finalizer.argocd.argoproj.io", "resources-finalizer.argocd.argoproj.io/foreground", "resources-finalizer.argocd.argoproj.io/background"];

export function cascadeOnDelete(finalizers: readonly string[] | undefined, cascade: boolean | undefined): boolean {
    return cascade === true || (finalizers ?? []).some((f) => CASCADE_FINALIZERS.includes(f));
}
