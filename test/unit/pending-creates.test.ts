// What a killed update's unfinished creates become: imported when the cluster holds the object the
// killed create applied, created again otherwise; SyncWave's own resources run again.
import { describe, expect, it } from "vitest";
import { INSTALLATION_ID, TRACKING_ID } from "../../components/sync/tracking";
import {
    describeOutcome,
    insertInOrder,
    killedCreateFieldManager,
    settlePendingCreates,
    targetOf,
    type ExportedDeployment,
    type ExportedOperation,
    type LiveObjectLike,
} from "../../cli/recovery/pending-creates";

const APP = "urn:pulumi:dev::p::syncwave:index:Application::web";
const PROVIDER = "urn:pulumi:dev::p::pulumi:providers:kubernetes::web-destination::1";
const tracking = { [TRACKING_ID]: "web:/ConfigMap:shop/settings", [INSTALLATION_ID]: "dev" };

function creating(name: string, inputs: Record<string, unknown>, type = "kubernetes:core/v1:ConfigMap"): ExportedOperation {
    return { type: "creating", resource: { urn: `urn:pulumi:dev::p::syncwave:index:Application$${type}::${name}`, type, custom: true, parent: APP, provider: PROVIDER, inputs, dependencies: [APP] } };
}

const configMapInputs = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop", annotations: tracking }, data: { a: "1" } };

function live(annotations: Record<string, string>, extra: Partial<LiveObjectLike> = {}): LiveObjectLike {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: "settings",
            namespace: "shop",
            annotations,
            managedFields: [
                { manager: "kubectl-edit", operation: "Update", time: "2026-01-01T00:00:03Z" },
                { manager: "pulumi-kubernetes-aaaa1111", operation: "Apply", time: "2026-01-01T00:00:01Z" },
                { manager: "pulumi-kubernetes-bbbb2222", operation: "Apply", time: "2026-01-01T00:00:02Z" },
            ],
        },
        data: { a: "1" },
        ...extra,
    };
}

const stackResource = { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack" };

describe("the object a pending create was creating", () => {
    it.each([
        ["a namespaced object", configMapInputs, { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "settings" }],
        ["a cluster-scoped object", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, { apiVersion: "v1", kind: "Namespace", namespace: undefined, name: "shop" }],
        ["inputs without a name", { apiVersion: "v1", kind: "ConfigMap", metadata: {} }, undefined],
        ["inputs without a kind", { apiVersion: "v1", metadata: { name: "x" } }, undefined],
    ])("%s", (_, inputs, want) => {
        const t = targetOf(creating("x", inputs as Record<string, unknown>));
        expect(t ? { apiVersion: t.apiVersion, kind: t.kind, namespace: t.namespace, name: t.name } : undefined).toEqual(want);
    });

    it("is none for SyncWave's own resources and for providers, or for an update under way", () => {
        expect(targetOf(creating("gate", {}, "syncwave:index:HealthGate"))).toBeUndefined();
        expect(targetOf(creating("p", { kubeconfig: "x" }, "pulumi:providers:kubernetes"))).toBeUndefined();
        expect(targetOf({ ...creating("x", configMapInputs), type: "updating" })).toBeUndefined();
    });
});

describe("the field manager of the killed create", () => {
    it("is the latest server-side apply of a pulumi-kubernetes manager, never another manager's", () => {
        expect(killedCreateFieldManager(live(tracking))).toBe("pulumi-kubernetes-bbbb2222");
        expect(killedCreateFieldManager({ metadata: { managedFields: [{ manager: "kubectl", operation: "Apply" }] } })).toBeUndefined();
        expect(killedCreateFieldManager({ metadata: {} })).toBeUndefined();
    });
});

describe("settling the pending creates of a killed update", () => {
    const deployment = (ops: ExportedOperation[]): ExportedDeployment => ({ manifest: { time: "t" }, resources: [stackResource], pending_operations: ops });

    it.each([
        ["live, tracked as applied: imported with its id, live outputs and field manager", live(tracking), "imported"],
        ["absent: created again", undefined, "created again"],
        ["live but untracked: created again under the ownership rules", live({}), "created again"],
        ["live, tracked by another Application: created again under the ownership rules", live({ ...tracking, [TRACKING_ID]: "other:/ConfigMap:shop/settings" }), "created again"],
        ["live, tracked by this Application of another installation: created again", live({ ...tracking, [INSTALLATION_ID]: "prod" }), "created again"],
    ])("an object %s", (_, object, action) => {
        const op = creating("settings", configMapInputs);
        const { deployment: settled, outcomes } = settlePendingCreates(deployment([op]), new Map([[op.resource.urn, object]]), "2026-01-01T00:00:09Z");
        expect(outcomes.map((o) => o.action)).toEqual([action]);
        expect(settled.pending_operations).toBeUndefined();
        const imported = settled.resources!.filter((r) => r.urn === op.resource.urn);
        if (action === "imported") {
            expect(imported).toHaveLength(1);
            expect(imported[0]).toMatchObject({ id: "shop/settings", custom: true, parent: APP, provider: PROVIDER, dependencies: [APP], inputs: configMapInputs });
            expect(imported[0].outputs).toMatchObject({ data: { a: "1" }, __inputs: configMapInputs, __initialApiVersion: "v1", __fieldManager: "pulumi-kubernetes-bbbb2222" });
            // Appended after what it depends on: the state stays in dependency order.
            expect(settled.resources![0]).toBe(stackResource);
            expect(describeOutcome(outcomes[0])).toBe("ConfigMap shop/settings: the killed run created it; taken into the state as it is live (not created again)");
        } else {
            expect(imported).toEqual([]);
            expect(describeOutcome(outcomes[0])).toMatch(/^ConfigMap shop\/settings: .*; this sync creates it$/);
        }
    });

    it("keeps a Secret's values out of the state it imports", () => {
        const inputs = { apiVersion: "v1", kind: "Secret", metadata: { name: "settings", namespace: "shop", annotations: tracking }, data: { password: "c2VjcmV0" } };
        const op = creating("settings", inputs, "kubernetes:core/v1:Secret");
        const object = live(tracking, { kind: "Secret", data: { password: "c2VjcmV0" }, stringData: { x: "y" } });
        const { deployment: settled } = settlePendingCreates(deployment([op]), new Map([[op.resource.urn, object]]), "t");
        const outputs = settled.resources!.find((r) => r.urn === op.resource.urn)!.outputs!;
        expect(outputs.data).toBeUndefined();
        expect(outputs.stringData).toBeUndefined();
        expect(outputs.kind).toBe("Secret");
    });

    it("lets SyncWave's own resources and replacements under way run again, drops other unfinished operations, leaves resources already in the state alone", () => {
        const gate = creating("web-wave-1", { stage: "wave 1" }, "syncwave:index:HealthGate");
        const inState = creating("kept", { ...configMapInputs, metadata: { ...configMapInputs.metadata, name: "kept" } });
        const updating: ExportedOperation = { type: "updating", resource: { urn: stackResource.urn, type: stackResource.type } };
        const d = deployment([gate, inState, updating]);
        d.resources!.push({ ...inState.resource, id: "shop/kept" });
        const { deployment: settled, outcomes } = settlePendingCreates(d, new Map(), "t");
        expect(outcomes).toEqual([
            { urn: gate.resource.urn, action: "runs again", resource: "web-wave-1 (syncwave:index:HealthGate)" },
            { urn: inState.resource.urn, action: "replaced again", resource: "ConfigMap shop/kept" },
        ]);
        expect(describeOutcome(outcomes[1])).toBe("ConfigMap shop/kept: its replacement was under way; the state still holds it, and this sync applies it again");
        expect(settled.resources!.map((r) => r.urn)).toEqual([stackResource.urn, inState.resource.urn]);
        expect(settled.pending_operations).toBeUndefined();
        expect(settled.manifest).toEqual({ time: "t" });
    });
});

describe("an imported resource's place in the state", () => {
    const r = (urn: string, refs: Partial<{ parent: string; provider: string; dependencies: string[] }> = {}) => ({ urn, type: "t", ...refs });
    const urns = (list: { urn: string }[]) => list.map((x) => x.urn);

    it("is after what it refers to and before what refers to it", () => {
        const state = [r("stack"), r("provider"), r("app", { parent: "stack" }), r("gate", { parent: "app", dependencies: ["x"] }), r("later", { parent: "app" })];
        expect(urns(insertInOrder(state, r("x", { parent: "app", provider: "provider::id" })))).toEqual(["stack", "provider", "app", "x", "gate", "later"]);
        // Nothing refers to it: last.
        expect(urns(insertInOrder(state.slice(0, 3), r("x", { parent: "app", provider: "provider::id" })))).toEqual(["stack", "provider", "app", "x"]);
    });

    it("is refused when what refers to it comes before what it refers to", () => {
        const state = [r("stack"), r("gate", { dependencies: ["x"] }), r("app", { parent: "stack" })];
        expect(() => insertInOrder(state, r("x", { parent: "app" }))).toThrow("x cannot be put back into the state: gate refers to it but comes before app, which it refers to");
    });
});
