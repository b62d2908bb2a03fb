// What a preview says about deletions, read from the engine's typed step events (never from log text):
// per Application, the objects this sync prunes, the ones that left git and stay (requiring pruning),
// and, for an Application that is removed, whether its objects are deleted (cascade finalizer) or left
// in the cluster (orphaned).
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { planCascade, planPrune, previousInventory, type InventoryEntry } from "../components/sync/prune";
import { describeId } from "./stack";

export interface PruneReport {
    application: string;
    prune: string[];
    requiresPruning: string[];
    /** The Application itself is removed: its objects are deleted (cascade) or orphaned. */
    removed?: { cascade: boolean; objects: string[] };
}

const describe = (e: InventoryEntry) => describeId(e.id);

export function pruneReports(events: readonly EngineEvent[]): PruneReport[] {
    const reports = new Map<string, PruneReport>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || !m.type.endsWith("syncwave:Pruner")) continue;
        const olds = (m.old?.outputs ?? {}) as { application?: string; cascade?: boolean; inventory?: InventoryEntry[]; desired?: InventoryEntry[]; requiresPruning?: InventoryEntry[] };
        const news = (m.new?.inputs ?? {}) as { application?: string; desired?: InventoryEntry[]; strays?: InventoryEntry[]; pruneEnabled?: boolean; claimedElsewhere?: string[] };
        const application = news.application ?? olds.application;
        if (!application) continue;
        if (m.op === "delete") {
            const all = previousInventory(olds);
            const cascade = olds.cascade === true;
            reports.set(application, {
                application,
                prune: [],
                requiresPruning: [],
                removed: { cascade, objects: (cascade ? planCascade(all) : all).map(describe) },
            });
            continue;
        }
        const moved = new Set(news.claimedElsewhere ?? []);
        const plan = planPrune(
            [...previousInventory(olds), ...(news.strays ?? [])].filter((e) => !moved.has(e.id)),
            new Set((news.desired ?? []).map((d) => d.id)),
            news.pruneEnabled === true,
        );
        reports.set(application, { application, prune: plan.prune.map(describe), requiresPruning: plan.requiresPruning.map(describe) });
    }
    return [...reports.values()];
}
