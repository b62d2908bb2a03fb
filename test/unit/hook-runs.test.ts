import { describe, expect, it } from "vitest";
import { labelValue, runLabels } from "../../components/providers/hook-runtime";
import { desiredStateDigest, hookMustRun, hookRunKey, hookSyncId, lastSyncIncomplete } from "../../components/sync/hook-runs";
import { planSync } from "../../components/sync/plan";
import type { DiscoveredKinds } from "../../components/sync/scope";

describe("when hooks run", () => {
    it("the desired state digest follows manifests and sync options, not their order or blanks", () => {
        const a = desiredStateDigest("plan-1", ["CreateNamespace=true", "PruneLast=true"]);
        expect(desiredStateDigest("plan-1", ["PruneLast=true", " CreateNamespace=true", ""])).toBe(a);
        expect(desiredStateDigest("plan-2", ["CreateNamespace=true", "PruneLast=true"])).not.toBe(a);
        expect(desiredStateDigest("plan-1", ["CreateNamespace=true"])).not.toBe(a);
    });

    it.each([
        ["no state: a first sync", {}, false],
        ["completed", { record: { desired: "d", runKey: "" }, result: { desired: "d", runKey: "" } }, false],
        ["completed with a retry key", { record: { desired: "d", runKey: "retry-1" }, result: { desired: "d", runKey: "retry-1" } }, false],
        ["failed: no result yet", { record: { desired: "d", runKey: "" } }, true],
        ["failed: the result is an earlier sync's", { record: { desired: "d2", runKey: "" }, result: { desired: "d1", runKey: "" } }, true],
        ["failed retry: same desired state, other key", { record: { desired: "d", runKey: "retry-2" }, result: { desired: "d", runKey: "retry-1" } }, true],
        ["state from before run keys", { record: { revision: "abc" } }, false],
    ])("last sync incomplete: %s", (_name, last, expected) => {
        expect(lastSyncIncomplete(last)).toBe(expected);
    });

    it("gives each retry its own key, and none to a sync after a completed one", () => {
        expect(hookRunKey({ record: { desired: "d", runKey: "" }, result: { desired: "d", runKey: "" } }, undefined)).toBe("");
        const first = hookRunKey({ record: { desired: "d", runKey: "" } }, undefined);
        expect(first).toMatch(/^retry-/);
        const second = hookRunKey({ record: { desired: "d", runKey: first }, result: { desired: "d0", runKey: "" } }, undefined);
        expect(second).toMatch(/^retry-/);
        expect(second).not.toBe(first);
        expect(hookRunKey({}, { nonce: "n1" })).toMatch(/^forced-/);
        expect(hookRunKey({}, { nonce: "n1" })).not.toBe(hookRunKey({}, { nonce: "n2" }));
    });

    it.each([
        ["same desired state, no key", { desired: "d", runKey: "" }, { desired: "d", runKey: "" }, false],
        ["new desired state", { desired: "d1", runKey: "" }, { desired: "d2", runKey: "" }, true],
        ["a new retry key", { desired: "d", runKey: "" }, { desired: "d", runKey: "retry-1" }, true],
        ["the same retry key again", { desired: "d", runKey: "retry-1" }, { desired: "d", runKey: "retry-1" }, false],
        ["back to no key after a retry", { desired: "d", runKey: "retry-1" }, { desired: "d", runKey: "" }, false],
        ["old state, same plan digest", { syncId: "abc123:d" }, { desired: "d", runKey: "" }, false],
        ["old state, other plan digest", { syncId: "abc123:x" }, { desired: "d", runKey: "" }, true],
    ])("a hook runs again: %s", (_name, olds, news, expected) => {
        expect(hookMustRun(olds, news)).toBe(expected);
    });

    it("labels runs with values the API server accepts", () => {
        expect(hookSyncId("d", "")).toBe("d");
        expect(hookSyncId("d", "retry-1")).toBe("d:retry-1");
        const labels = runLabels({ syncId: "x".repeat(200), hookKey: "app:PreSync:batch/Job/ns/migrate", phase: "PreSync", manifest: { apiVersion: "batch/v1", kind: "Job", metadata: { generateName: "m-" } } });
        for (const v of Object.values(labels)) expect(v).toMatch(/^[a-z0-9]{1,63}$/);
        expect(labelValue("a")).not.toBe(labelValue("b"));
    });
});

describe("Helm hooks without an Argo CD phase", () => {
    const kinds: DiscoveredKinds = { kinds: { "/Pod": { scope: "Namespaced", versions: ["v1"] }, "/ConfigMap": { scope: "Namespaced", versions: ["v1"] } }, unavailable: {} };
    const pod = (annotations: Record<string, string>) => ({
        manifest: { apiVersion: "v1", kind: "Pod", metadata: { name: `p-${Object.values(annotations).join("-").replace(/[^a-z0-9-]/g, "-") || "plain"}`, annotations } },
        file: "chart",
    });

    it.each(["test", "test-success", "test-failure", "pre-rollback", "post-rollback"])("helm.sh/hook: %s is never applied", (hook) => {
        const plan = planSync({ application: "a", kinds, namespace: "ns", manifests: [pod({ "helm.sh/hook": hook })] });
        expect(plan.managed).toEqual([]);
        expect(plan.stages.flatMap((s) => s.hooks)).toEqual([]);
        expect(plan.skipped.map((s) => s.key.name)).toEqual([`p-${hook}`]);
    });

    it("crd-install is not a hook (Helm 2), and pre-install still maps to PreSync", () => {
        const plan = planSync({ application: "a", kinds, namespace: "ns", manifests: [pod({ "helm.sh/hook": "crd-install" }), pod({ "helm.sh/hook": "pre-install,test" })] });
        expect(plan.managed.map((m) => m.key.name)).toEqual(["p-crd-install"]);
        expect(plan.stages.find((s) => s.phase === "PreSync")?.hooks.map((h) => h.key.name)).toEqual(["p-pre-install-test"]);
    });
});

describe("compare options", () => {
    const kinds: DiscoveredKinds = { kinds: { "/ConfigMap": { scope: "Namespaced", versions: ["v1"] } }, unavailable: {} };
    const cm = (value: string) => ({
        manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", annotations: { "argocd.argoproj.io/compare-options": value } } },
        file: "c.yaml",
    });
    it.each(["IgnoreExtraneous", "ServerSideDiff=true", "IgnoreExtraneous,ServerSideDiff=false"])("%s is accepted", (value) => {
        expect(planSync({ application: "a", kinds, namespace: "ns", manifests: [cm(value)] }).managed).toHaveLength(1);
    });
    it.each(["IncludeMutationWebhook=true", "ServerSideDiff=maybe"])("%s is refused naming the annotation", (value) => {
        expect(() => planSync({ application: "a", kinds, namespace: "ns", manifests: [cm(value)] })).toThrow(/compare-options.*not supported/);
    });
});
