// Table tests of resource tracking (who owns a live object, may a sync take it) and of pruning (what
// leaves git, when it is deleted, in which order), the pure core of the tenancy guarantees.
import { describe, expect, it } from "vitest";
import { inventoryEntry } from "../helpers/inventory";
import { cascadeOnDelete, deletionWaves, planCascade, planPrune, pruneRequested } from "../../components/sync/prune";
import { INSTALLATION_ID, liveOwner, parseTrackingId, takeoverVerdict, TRACKING_ID, trackingId } from "../../components/sync/tracking";
import { declares, syncRunFromEnv } from "../../components/sync-run";
import { findStrays, strayEntry } from "../../components/sync/strays";
import { DEFAULT_SYNC_OPTIONS } from "../../components/sync/sync-options";

const key = { group: "apps", kind: "Deployment", namespace: "shop", name: "api" };
const stack = "organization/syncwave/dev";

describe("tracking ids", () => {
    it("writes Argo CD's annotation format and reads it back", () => {
        expect(trackingId("shop", key)).toBe("shop:apps/Deployment:shop/api");
        expect(trackingId("shop", { group: "", kind: "Namespace", namespace: "", name: "shop" })).toBe("shop:/Namespace:/shop");
        expect(parseTrackingId("shop:apps/Deployment:shop/api")).toEqual({ application: "shop", ...key });
        expect(parseTrackingId("garbage")).toBeUndefined();
        expect(parseTrackingId("shop:apps-Deployment:shop/api")).toBeUndefined();
    });

    it.each([
        ["our id and installation", { [TRACKING_ID]: "shop:apps/Deployment:shop/api", [INSTALLATION_ID]: stack }, "ours"],
        ["no annotations", {}, "untracked"],
        ["another application", { [TRACKING_ID]: "billing:apps/Deployment:shop/api", [INSTALLATION_ID]: stack }, "other"],
        ["our name in another stack", { [TRACKING_ID]: "shop:apps/Deployment:shop/api", [INSTALLATION_ID]: "organization/syncwave/prod" }, "other"],
        ["our name with no installation id (an Argo CD)", { [TRACKING_ID]: "shop:apps/Deployment:shop/api" }, "other"],
        ["an unreadable tracking id", { [TRACKING_ID]: "nonsense" }, "other"],
    ])("%s: %s", (_name, annotations, kind) => {
        expect(liveOwner(annotations as Record<string, string>, "shop", stack).kind).toBe(kind);
    });

    it("reads the annotation SyncWave wrote before (ours only for this object) and refuses a copied tracking id", () => {
        expect(liveOwner({ "syncwave.dev/tracking-id": "shop:apps/Deployment/shop/api" }, "shop", stack, key).kind).toBe("ours");
        expect(liveOwner({ "syncwave.dev/tracking-id": "shop:apps/Deployment/shop/other" }, "shop", stack, key).kind).toBe("untracked");
        const copied = { [TRACKING_ID]: "shop:apps/Deployment:shop/other", [INSTALLATION_ID]: stack };
        expect(liveOwner(copied, "shop", stack, key)).toMatchObject({ kind: "other", owner: expect.stringContaining("copy") });
        expect(liveOwner({ [TRACKING_ID]: "shop:apps/Deployment:shop/api", [INSTALLATION_ID]: stack }, "shop", stack, key).kind).toBe("ours");
    });

    it.each([
        ["absent: apply", undefined, false, false, "apply"],
        ["ours: apply", { kind: "ours" }, true, false, "apply"],
        ["another's: warn", { kind: "other", owner: "application billing" }, false, false, "warn"],
        ["another's with FailOnSharedResource: refuse", { kind: "other", owner: "application billing" }, true, false, "refuse"],
        ["another's is never adopted by the adopt option", { kind: "other", owner: "application billing" }, true, true, "refuse"],
        ["untracked: refuse", { kind: "untracked" }, false, false, "refuse"],
        ["untracked with adopt: apply", { kind: "untracked" }, false, true, "apply"],
    ] as const)("%s", (_name, owner, failOnShared, adopt, action) => {
        expect(takeoverVerdict(owner as never, { failOnShared, adopt }).action).toBe(action);
    });

    it("names the owner and the way out in its messages", () => {
        const refused = takeoverVerdict({ kind: "untracked" }, { failOnShared: false, adopt: false });
        expect(refused).toMatchObject({ action: "refuse", message: expect.stringContaining("syncwave.dev/adopt") });
        const shared = takeoverVerdict({ kind: "other", owner: "application billing of organization/syncwave/dev" }, { failOnShared: true, adopt: false });
        expect(shared).toMatchObject({ action: "refuse", message: expect.stringContaining("application billing") });
    });
});

const entry = inventoryEntry;

describe("pruning", () => {
    it.each([
        ["a manual sync without --prune does not prune", "manual", true, false, false],
        ["a manual sync with --prune prunes", "manual", false, true, true],
        ["an automated sync prunes with automated.prune", "automated", true, false, true],
        ["an automated sync without automated.prune does not", "automated", false, false, false],
        ["an automated sync with prune unset does not", "automated", undefined, false, false],
        ["--prune prunes an automated sync too", "automated", false, true, true],
    ] as const)("%s", (_name, kind, automatedPrune, explicit, expected) => {
        expect(pruneRequested(kind, automatedPrune, explicit)).toBe(expected);
    });

    const previous = [entry("a", 0), entry("b", 2), entry("keep", 1, { prune: false }), entry("helm-keep", 1, { keep: true }), entry("stays", 0)];
    const desired = new Set(["/ConfigMap/shop/stays"]);

    it("without pruning, what left git requires pruning and nothing is deleted", () => {
        const plan = planPrune(previous, desired, false);
        expect(plan.prune).toEqual([]);
        expect(plan.requiresPruning.map((e) => e.name)).toEqual(["a", "b", "keep", "helm-keep"]);
    });

    it("with pruning, later waves go first; Prune=false and resource-policy keep stay", () => {
        const plan = planPrune(previous, desired, true);
        expect(plan.prune.map((e) => e.name)).toEqual(["b", "a"]);
        expect(plan.requiresPruning.map((e) => e.name)).toEqual(["keep", "helm-keep"]);
    });

    it("an object back in git is neither pruned nor requires pruning", () => {
        const plan = planPrune(previous, new Set(previous.map((e) => e.id)), true);
        expect(plan).toEqual({ prune: [], requiresPruning: [] });
    });

    it("groups deletions by wave, later waves first", () => {
        expect(deletionWaves([entry("a", 0), entry("b", 2), entry("c", 2), entry("d", -1)]).map((w) => w.map((e) => e.name))).toEqual([["b", "c"], ["a"], ["d"]]);
    });

    it("a cascade deletes all but Delete=false and resource-policy keep", () => {
        const all = [entry("a", 0), entry("b", 1, { delete: false }), entry("c", 2, { keep: true }), entry("d", 3, { prune: false })];
        expect(planCascade(all).map((e) => e.name)).toEqual(["d", "a"]);
    });

    it.each([
        [["resources-finalizer.argocd.argoproj.io"], undefined, true],
        [["resources-finalizer.argocd.argoproj.io/background"], undefined, true],
        [["resources-finalizer.argocd.argoproj.io/foreground"], undefined, true],
        [["something-else"], undefined, false],
        [undefined, true, true],
        [undefined, undefined, false],
    ])("finalizers %o, cascade %o: cascade %s", (finalizers, cascade, expected) => {
        expect(cascadeOnDelete(finalizers, cascade)).toBe(expected);
    });
});

describe("the kind of run, from the environment", () => {
    it("defaults to an automated sync without prune, declaring every Application", () => {
        expect(syncRunFromEnv({})).toEqual({ kind: "automated", prune: false, isolateFailures: false, only: undefined, skip: [], hookRunKeys: {}, fingerprints: {} });
    });

    it("reads what the CLI says", () => {
        const run = syncRunFromEnv({
            SYNCWAVE_SYNC_KIND: "manual",
            SYNCWAVE_PRUNE: "true",
            SYNCWAVE_ONLY_APPS: '["shop"]',
            SYNCWAVE_SKIP_APPS: '["metrics"]',
            SYNCWAVE_OPERATION: "update",
            SYNCWAVE_TARGETED: "true",
        });
        expect(run).toMatchObject({ kind: "manual", prune: true, only: ["shop"], skip: ["metrics"] });
        expect(declares(run, "shop")).toBe(true);
        expect(declares(run, "metrics")).toBe(false);
        expect(declares(syncRunFromEnv({ SYNCWAVE_SKIP_APPS: '["metrics"]', SYNCWAVE_OPERATION: "preview" }), "metrics")).toBe(false);
    });

    it("never leaves an Application out of an untargeted update (a leftover variable would look like a removal)", () => {
        expect(() => syncRunFromEnv({ SYNCWAVE_SKIP_APPS: '["metrics"]' })).toThrow(/SYNCWAVE_SKIP_APPS.*syncwave sync/);
        expect(() => syncRunFromEnv({ SYNCWAVE_ONLY_APPS: '["shop"]', SYNCWAVE_OPERATION: "update" })).toThrow(/SYNCWAVE_ONLY_APPS/);
    });

    it("refuses what it cannot read, naming the variable", () => {
        expect(() => syncRunFromEnv({ SYNCWAVE_SYNC_KIND: "sometimes" })).toThrow(/SYNCWAVE_SYNC_KIND/);
        expect(() => syncRunFromEnv({ SYNCWAVE_SKIP_APPS: "metrics" })).toThrow(/SYNCWAVE_SKIP_APPS/);
    });
});

describe("strays: objects a failed sync applied, missing from the inventory", () => {
    const tracked = (app: string, kind: string, name: string, annotations: Record<string, string> = {}) => ({
        application: app,
        manifest: { apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, metadata: { name, namespace: "ns", annotations: { "argocd.argoproj.io/tracking-id": `${app}:/${kind}:ns/${name}`, ...annotations } } } as never,
    });
    it("lists what the state holds and the inventory lacks, with the object's own sync options", () => {
        const strays = findStrays(
            [tracked("web", "ConfigMap", "listed"), tracked("web", "Deployment", "bad", { "argocd.argoproj.io/sync-wave": "2" }), tracked("web", "ConfigMap", "keep", { "argocd.argoproj.io/sync-options": "Prune=false" })],
            { web: ["/ConfigMap/ns/listed"] },
        );
        expect(strays.web.map((m) => strayEntry(m)).map((e) => [e?.id, e?.wave, e?.prune])).toEqual([["apps/Deployment/ns/bad", 2, true], ["/ConfigMap/ns/keep", 0, false]]);
    });
    it("takes the Application's sync options as the base, the object's annotation last", () => {
        const base = { ...DEFAULT_SYNC_OPTIONS, prune: false, prunePropagationPolicy: "orphan" as const };
        const plain = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", annotations: {} } } as never;
        expect(strayEntry(plain, base)).toMatchObject({ prune: false, propagationPolicy: "orphan" });
        const overridden = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", annotations: { "argocd.argoproj.io/sync-options": "Prune=true" } } } as never;
        expect(strayEntry(overridden, base)?.prune).toBe(true);
    });
    it("never counts an object without this Application's tracking id (the namespace CreateNamespace made), nor an Application with no inventory yet", () => {
        const ns = { application: "web", manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns", annotations: {} } } as never };
        expect(findStrays([ns, tracked("other", "ConfigMap", "x")], { web: [] })).toEqual({});
    });
    it("keeps an object whose sync-options no longer parse", () => {
        expect(strayEntry({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", annotations: { "argocd.argoproj.io/sync-options": "Bogus=1" } } } as never)?.prune).toBe(false);
    });
});
