// What `syncwave diff`, `sync` and `status` say about deletions, read from the preview's typed step
// events of each Application's Pruner: what is pruned, what requires pruning, and a removed
// Application's objects (deleted with the cascade finalizer, orphaned without).
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { inventoryEntry } from "../helpers/inventory";
import { pruneReports } from "../../cli/prune-report";

const entry = inventoryEntry;

function prunerStep(op: string, olds: Record<string, unknown> | undefined, news: Record<string, unknown> | undefined): EngineEvent {
    return {
        sequence: 1,
        timestamp: 0,
        resourcePreEvent: {
            metadata: {
                op,
                urn: "urn:pulumi:dev::syncwave::syncwave:index:Application$pulumi-nodejs:dynamic/syncwave:Pruner::shop:prune",
                type: "pulumi-nodejs:dynamic/syncwave:Pruner",
                old: olds && { outputs: olds },
                new: news && { inputs: news },
            },
        },
    } as unknown as EngineEvent;
}

describe("prune reports from the preview", () => {
    const olds = { application: "shop", inventory: [entry("a"), entry("b", 2), entry("kept", 1, { prune: false }), entry("stays")], requiresPruning: [entry("older")] };

    it("without pruning, everything that left git requires pruning", () => {
        const [report] = pruneReports([prunerStep("update", olds, { application: "shop", desired: [entry("stays")], pruneEnabled: false })]);
        expect(report).toEqual({
            application: "shop",
            prune: [],
            requiresPruning: ["ConfigMap shop/a", "ConfigMap shop/b", "ConfigMap shop/kept", "ConfigMap shop/older"],
        });
    });

    it("with pruning, later waves first; Prune=false still requires pruning", () => {
        const [report] = pruneReports([prunerStep("update", olds, { application: "shop", desired: [entry("stays")], pruneEnabled: true })]);
        expect(report.prune).toEqual(["ConfigMap shop/b", "ConfigMap shop/a", "ConfigMap shop/older"]);
        expect(report.requiresPruning).toEqual(["ConfigMap shop/kept"]);
    });

    it("a removed Application: orphaned without the finalizer, deleted (but Delete=false) with it", () => {
        const orphaned = pruneReports([prunerStep("delete", { ...olds, cascade: false }, undefined)])[0];
        expect(orphaned.removed).toEqual({ cascade: false, objects: expect.arrayContaining(["ConfigMap shop/a", "ConfigMap shop/older"]) });
        const cascaded = pruneReports([prunerStep("delete", { ...olds, cascade: true, inventory: [entry("a"), entry("kept", 1, { delete: false })] }, undefined)])[0];
        expect(cascaded.removed).toEqual({ cascade: true, objects: ["ConfigMap shop/a", "ConfigMap shop/older"] });
    });

    it("an object that moved to a sibling Application is neither pruned nor reported here", () => {
        const news = { application: "shop", desired: [entry("stays")], pruneEnabled: true, claimedElsewhere: ["/ConfigMap/shop/a"] };
        const [report] = pruneReports([prunerStep("update", olds, news)]);
        expect(report.prune).not.toContain("ConfigMap shop/a");
        expect(report.requiresPruning).not.toContain("ConfigMap shop/a");
    });

    it("a first sync has nothing to prune", () => {
        const [report] = pruneReports([prunerStep("create", undefined, { application: "shop", desired: [entry("a")], pruneEnabled: true })]);
        expect(report).toEqual({ application: "shop", prune: [], requiresPruning: [] });
    });
});
