// Table tests of Argo CD's sync options: how each is read, which are refused and why, and the pure
// rules behind the ones that change what a sync applies (RespectIgnoreDifferences, ServerSideApply=false,
// SkipDryRunOnMissingResource, CreateNamespace with managedNamespaceMetadata).
import { describe, expect, it } from "vitest";
import { holdsSecretData, LAST_APPLIED_ANNOTATION, lastAppliedConfiguration } from "../../components/application/apply-providers";
import { createdNamespaceManifest, type CreatedNamespaceInput } from "../../components/application/created-namespace";
import { SyncWaveInputError } from "../../components/sync/errors";
import type { Manifest, SourcedManifest } from "../../components/sync/manifest";
import { planSync } from "../../components/sync/plan";
import { fieldsKeptLive } from "../../components/sync/respect-ignore-differences";
import type { DiscoveredKinds } from "../../components/sync/scope";
import { checkOptionCombinations, DEFAULT_SYNC_OPTIONS, parseSyncOptions } from "../../components/sync/sync-options";

const options = (...list: string[]) => parseSyncOptions(list, DEFAULT_SYNC_OPTIONS, { field: "test" });
const where = { application: "shop", file: "base/api.yaml", resource: "Deployment shop/api", field: 'metadata.annotations["argocd.argoproj.io/sync-options"]' };

describe("parseSyncOptions", () => {
    it("defaults: Argo CD's, except server-side apply", () => {
        expect(DEFAULT_SYNC_OPTIONS).toEqual({
            createNamespace: false,
            pruneLast: false,
            prune: true,
            delete: true,
            replace: false,
            serverSideApply: true,
            validate: true,
            skipDryRunOnMissingResource: false,
            prunePropagationPolicy: "foreground",
            applyOutOfSyncOnly: false,
            respectIgnoreDifferences: false,
            failOnSharedResource: false,
            force: false,
        });
    });

    it.each([
        ["ServerSideApply=false", { serverSideApply: false }],
        ["Validate=false", { validate: false }],
        ["ApplyOutOfSyncOnly=true", { applyOutOfSyncOnly: true }],
        ["RespectIgnoreDifferences=true", { respectIgnoreDifferences: true }],
        ["SkipDryRunOnMissingResource=true", { skipDryRunOnMissingResource: true }],
        ["PrunePropagationPolicy=orphan", { prunePropagationPolicy: "orphan" }],
        ["PrunePropagationPolicy=background", { prunePropagationPolicy: "background" }],
        ["Prune=confirm", { prune: false }],
        ["Delete=confirm", { delete: false }],
        ["FailOnSharedResource=true", { failOnSharedResource: true }],
        ["PruneLast=true", { pruneLast: true }],
        [" CreateNamespace=true ", { createNamespace: true }],
    ])("%s", (option, expected) => {
        expect(options(option)).toMatchObject(expected);
    });

    it("a resource's annotation wins over the Application's option", () => {
        const app = parseSyncOptions(["RespectIgnoreDifferences=true", "ServerSideApply=false"], DEFAULT_SYNC_OPTIONS, { field: "syncPolicy.syncOptions" });
        expect(parseSyncOptions(["RespectIgnoreDifferences=false"], app, { field: "annotation" })).toMatchObject({ respectIgnoreDifferences: false, serverSideApply: false });
    });

    it.each([
        ["ServerSideApply=yes", 'sync option ServerSideApply must be true or false, not "yes"'],
        ["PrunePropagationPolicy=later", 'PrunePropagationPolicy must be foreground, background or orphan, not "later"'],
        ["Retry=true", 'unknown sync option "Retry=true"'],
    ])("refuses %s", (option, message) => {
        expect(() => parseSyncOptions([option], DEFAULT_SYNC_OPTIONS, where)).toThrow(SyncWaveInputError);
        expect(() => parseSyncOptions([option], DEFAULT_SYNC_OPTIONS, where)).toThrow(message);
    });
});

describe("Force=true", () => {
    it("without Replace=true is refused, naming the resource and what to use instead", () => {
        const call = () => checkOptionCombinations({ group: "apps", kind: "Deployment" }, options("Force=true"), where);
        expect(call).toThrow(SyncWaveInputError);
        expect(call).toThrow(
            'application shop, file base/api.yaml, resource Deployment shop/api, field metadata.annotations["argocd.argoproj.io/sync-options"]: ' +
                "Force=true without Replace=true (kubectl apply --force: delete and create again when the patch fails on an immutable field) " +
                "is not supported: the Kubernetes provider never falls back from a failed patch to delete-and-create. " +
                "Use Replace=true,Force=true to delete and create the object on every change, or change its name to get a new object",
        );
    });

    it.each([
        ["Replace=true,Force=true", ["Replace=true", "Force=true"]],
        ["Force=false", ["Force=false"]],
        ["an Application's Force=true turned off on the resource", ["Force=true", "Force=false"]],
    ])("%s is allowed", (_name, list) => {
        expect(() => checkOptionCombinations({ group: "apps", kind: "Deployment" }, options(...list), where)).not.toThrow();
    });
});

describe("RespectIgnoreDifferences", () => {
    const rules = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }];
    const key = { group: "apps", kind: "Deployment", namespace: "shop", name: "api" };
    it.each([
        ["off (Argo CD's default): git's value is applied", [], undefined],
        ["on: the ignored fields are left as they are live", ["RespectIgnoreDifferences=true"], ["spec.replicas"]],
        ["turned off again on the resource", ["RespectIgnoreDifferences=true", "RespectIgnoreDifferences=false"], undefined],
    ])("%s", (_name, list, expected) => {
        expect(fieldsKeptLive("shop", rules, { key, options: options(...list) })).toEqual(expected);
    });

    it("no matching rule: nothing is kept live", () => {
        expect(fieldsKeptLive("shop", rules, { key: { ...key, kind: "StatefulSet" }, options: options("RespectIgnoreDifferences=true") })).toBeUndefined();
    });
});

describe("ServerSideApply=false: kubectl's last-applied-configuration", () => {
    const cm: Manifest = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "shop", annotations: { a: "1", [LAST_APPLIED_ANNOTATION]: "stale" } },
        data: { k: "v" },
    };
    it("is the applied object without the annotation itself, as kubectl writes it", () => {
        const value = lastAppliedConfiguration(cm);
        expect(value.endsWith("\n")).toBe(true);
        expect(JSON.parse(value)).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "shop", annotations: { a: "1" } }, data: { k: "v" } });
    });
    it("is kept secret for a Secret only", () => {
        expect(holdsSecretData({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } })).toBe(true);
        expect(holdsSecretData(cm)).toBe(false);
        expect(holdsSecretData({ apiVersion: "example.com/v1", kind: "Secret", metadata: { name: "s" } })).toBe(false);
    });
});

const KINDS: DiscoveredKinds = {
    kinds: {
        "/ConfigMap": { scope: "Namespaced", versions: ["v1"] },
        "/Namespace": { scope: "Cluster", versions: ["v1"] },
        "example.com/Widget": { scope: "Namespaced", versions: ["v1"] },
    },
    unavailable: {},
};

function gadget(name: string, namespace?: string, annotations: Record<string, string> = {}): SourcedManifest {
    return { file: `${name}.yaml`, manifest: { apiVersion: "operator.example.com/v1", kind: "Gadget", metadata: { name, namespace, annotations } } };
}

const SKIP = { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" };

describe("SkipDryRunOnMissingResource", () => {
    it("without it, a kind neither discovery nor the sync knows is refused", () => {
        expect(() => planSync({ application: "shop", kinds: KINDS, namespace: "shop", manifests: [gadget("g", "shop")] })).toThrow(
            'application shop, file g.yaml, resource Gadget shop/g, field apiVersion: the Kubernetes API could not find operator.example.com/Gadget (the server could not find the requested resource): make sure the "Gadget" CRD is installed on the destination cluster or is part of this sync',
        );
    });

    it.each([
        ["names a namespace: namespaced", gadget("g", "tools", SKIP), "Namespaced", "tools"],
        ["names none: cluster-scoped, the destination namespace is not given to it", gadget("g", undefined, SKIP), "Cluster", ""],
    ])("%s", (_name, manifest, scope, namespace) => {
        const plan = planSync({ application: "shop", kinds: KINDS, namespace: "shop", manifests: [manifest] });
        expect(plan.managed.map((r) => [r.key.kind, r.key.namespace])).toEqual([["Gadget", namespace]]);
        expect(plan.kindScopes["operator.example.com/Gadget"]).toBe(scope);
    });

    it("from the Application's syncOptions too, and the wave order still applies", () => {
        const plan = planSync({
            application: "shop",
            kinds: KINDS,
            namespace: "shop",
            syncOptions: ["SkipDryRunOnMissingResource=true"],
            manifests: [
                gadget("g", "shop", { "argocd.argoproj.io/sync-wave": "1" }),
                { file: "operator.yaml", manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "operator" } } },
            ],
        });
        expect(plan.stages.map((s) => `${s.wave}:${s.resources.map((r) => r.key.kind).join(",")}`)).toEqual(["0:ConfigMap", "1:Gadget"]);
    });

    it("a kind discovery knows keeps its real scope and version checks", () => {
        const widget: SourcedManifest = { file: "w.yaml", manifest: { apiVersion: "example.com/v2", kind: "Widget", metadata: { name: "w", annotations: SKIP } } };
        expect(() => planSync({ application: "shop", kinds: KINDS, namespace: "shop", manifests: [widget] })).toThrow('could not find version "v2" of example.com/Widget');
    });

    it("objects of one kind that disagree about naming a namespace are refused", () => {
        const call = () => planSync({ application: "shop", kinds: KINDS, namespace: "shop", manifests: [gadget("a", "shop", SKIP), gadget("b", undefined, SKIP)] });
        expect(call).toThrow(SyncWaveInputError);
        expect(call).toThrow("application shop, file b.yaml, resource Gadget b, field metadata.namespace: SkipDryRunOnMissingResource: the destination does not know operator.example.com/Gadget yet");
    });
});

describe("CreateNamespace with managedNamespaceMetadata", () => {
    const base: CreatedNamespaceInput = { application: "shop", namespace: "shop", createNamespace: true, managedNamespaceMetadata: undefined, declaredByManifests: false };

    it.each([
        ["CreateNamespace alone: only the name", base, { name: "shop" }],
        [
            "with labels and annotations",
            { ...base, managedNamespaceMetadata: { labels: { team: "a" }, annotations: { "example.com/owner": "shop" } } },
            { name: "shop", labels: { team: "a" }, annotations: { "example.com/owner": "shop" } },
        ],
        ["empty maps add nothing", { ...base, managedNamespaceMetadata: { labels: {}, annotations: {} } }, { name: "shop" }],
    ])("%s", (_name, input, metadata) => {
        expect(createdNamespaceManifest(input)).toEqual({ apiVersion: "v1", kind: "Namespace", metadata });
    });

    it.each([
        ["no CreateNamespace", { createNamespace: false }],
        ["no destination namespace", { namespace: undefined }],
        ["the manifests declare the Namespace", { declaredByManifests: true }],
    ])("nothing to create: %s", (_name, over) => {
        expect(createdNamespaceManifest({ ...base, ...over })).toBeUndefined();
    });

    it.each([
        ["without CreateNamespace=true", { createNamespace: false }, "managedNamespaceMetadata applies only with the sync option CreateNamespace=true"],
        ["without a destination namespace", { namespace: undefined }, "managedNamespaceMetadata needs destination.namespace"],
        ["when the manifests declare the Namespace", { declaredByManifests: true }, "the Application's manifests declare Namespace shop themselves"],
        ["a label that is not a string", { managedNamespaceMetadata: { labels: { n: 1 as never } } }, 'labels["n"] must be a string, not 1'],
        ["an unknown field", { managedNamespaceMetadata: { finalizers: [] } as never }, "unknown field finalizers (known: labels, annotations)"],
    ])("refuses managedNamespaceMetadata %s", (_name, over, message) => {
        const call = () => createdNamespaceManifest({ ...base, managedNamespaceMetadata: { labels: { team: "a" } }, ...over });
        expect(call).toThrow(SyncWaveInputError);
        expect(call).toThrow(`application shop, field syncPolicy.managedNamespaceMetadata`);
        expect(call).toThrow(message);
    });
});
