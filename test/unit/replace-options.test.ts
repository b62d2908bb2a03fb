// Table tests of Replace=true: which option combinations are refused, what the ReplacedObject
// provider checks in preview, and when its diff writes, replaces or only records new settings.
import { describe, expect, it } from "vitest";
import { declaredDigest } from "../../components/cluster/declared-fields";
import {
    checkInputs,
    diffInputs,
    needsWrite,
    takenOverByKubernetesProvider,
    withDefaults,
    type ReplacedObjectInputs,
    type ReplacedObjectState,
} from "../../components/providers/replaced-object-runtime";
import { SyncWaveInputError } from "../../components/sync/errors";
import type { Manifest } from "../../components/sync/manifest";
import { checkOptionCombinations, DEFAULT_SYNC_OPTIONS, parseSyncOptions } from "../../components/sync/sync-options";

const options = (...list: string[]) => parseSyncOptions(list, DEFAULT_SYNC_OPTIONS, { field: "test" });
const where = { application: "shop", file: "base/crd.yaml", resource: "CustomResourceDefinition widgets.example.com" };

describe("checkOptionCombinations", () => {
    it.each([
        ["CRD, Replace=true,Force=true", "apiextensions.k8s.io", "CustomResourceDefinition", ["Replace=true", "Force=true"], "every custom resource of its kind"],
        ["Namespace, Replace=true,Force=true", "", "Namespace", ["Replace=true", "Force=true"], "every object in it"],
        ["CRD, Replace=true", "apiextensions.k8s.io", "CustomResourceDefinition", ["Replace=true"], undefined],
        ["Namespace, Replace=true", "", "Namespace", ["Replace=true"], undefined],
        ["Deployment, Replace=true,Force=true", "apps", "Deployment", ["Replace=true", "Force=true"], undefined],
        ["a Namespace kind of another group", "example.com", "Namespace", ["Replace=true", "Force=true"], undefined],
        ["app-wide Force overridden by Force=false on the resource", "", "Namespace", ["Replace=true", "Force=true", "Force=false"], undefined],
    ])("%s", (_name, group, kind, list, refusal) => {
        const call = () => checkOptionCombinations({ group, kind }, options(...list), where);
        if (!refusal) return expect(call).not.toThrow();
        expect(call).toThrow(SyncWaveInputError);
        expect(call).toThrow(`application shop, file base/crd.yaml, resource CustomResourceDefinition widgets.example.com: Replace=true with Force=true would delete this ${kind} and ${refusal}`);
    });
});

const deployment = (image = "example.com/api:1"): Manifest => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "shop" },
    spec: { template: { spec: { containers: [{ name: "api", image }] } } },
});

function inputs(over: Partial<ReplacedObjectInputs> = {}): ReplacedObjectInputs {
    return withDefaults({ manifest: deployment(), ...over });
}

/** State as right after a write: the server echoed the manifest with its own additions. */
function written(i: ReplacedObjectInputs): ReplacedObjectState {
    const live = { ...i.manifest, metadata: { ...i.manifest.metadata, uid: "u1", generation: 1 }, spec: { ...(i.manifest.spec as object), replicas: 1 } };
    const digest = declaredDigest(i.manifest, live);
    return { ...i, uid: "u1", live: live as never, appliedDigest: digest, liveDigest: digest };
}

describe("ReplacedObject inputs", () => {
    it("fills defaults: no force, foreground propagation, not retained, 5 minutes", () => {
        expect(withDefaults({ manifest: deployment(), force: undefined })).toMatchObject({ force: false, propagationPolicy: "foreground", retain: false, timeoutMs: 300_000 });
    });

    it.each([
        ["a plain replace", {}, []],
        ["a forced replace of a Deployment", { force: true }, []],
        [
            "a forced replace of a CRD",
            { force: true, manifest: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "widgets.example.com" } } },
            ["force"],
        ],
        ["a forced replace of a Namespace", { force: true, manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } } }, ["force"]],
        ["an unknown propagation policy", { propagationPolicy: "later" as never }, ["propagationPolicy"]],
        ["a manifest without a name", { manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: {} } }, ["manifest"]],
    ])("check: %s", (_name, over, properties) => {
        expect(checkInputs(inputs(over)).map((f) => f.property)).toEqual(properties);
    });
});

describe("ReplacedObject diff", () => {
    it("nothing to do when the manifest and the live declared fields are as written", () => {
        const i = inputs();
        // The state's key order differs from the program's: it must not count as a change.
        const reordered = { ...written(i), manifest: JSON.parse(JSON.stringify({ spec: i.manifest.spec, metadata: i.manifest.metadata, kind: "Deployment", apiVersion: "apps/v1" })) };
        expect(diffInputs(reordered, inputs())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("a changed manifest is an update (a replace in place), never a Pulumi replacement", () => {
        expect(diffInputs(written(inputs()), inputs({ manifest: deployment("example.com/api:2") }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("a changed name, namespace or cluster is another object: a replacement", () => {
        const renamed = deployment();
        renamed.metadata.name = "api2";
        expect(diffInputs(written(inputs()), inputs({ manifest: renamed })).replaces).toEqual(["manifest"]);
        expect(diffInputs(written(inputs()), inputs({ cluster: { cluster: "https://prod.example.com:6443" } })).replaces).toEqual(["cluster"]);
    });

    it("another context or user for the same cluster is the same object: an update that writes nothing", () => {
        const state = written(inputs());
        const other = inputs({ cluster: { cluster: "https://kubernetes.default.svc", context: "admin", impersonate: "system:serviceaccount:shop:deployer" } });
        expect(diffInputs(state, other)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(needsWrite(state, other)).toBe(false);
    });

    it("a declared field changed in the cluster (seen by refresh) is written back", () => {
        const state = written(inputs());
        const edited = { ...state.live!, spec: { template: { spec: { containers: [{ name: "api", image: "example.com/api:hacked" }] } }, replicas: 1 } };
        const refreshed = { ...state, liveDigest: declaredDigest(state.manifest, edited) };
        expect(needsWrite(refreshed, inputs())).toBe(true);
    });

    it("fields the server or a controller added are not drift", () => {
        const state = written(inputs());
        const grown = { ...state.live!, metadata: { ...state.live!.metadata, annotations: { "deployment.kubernetes.io/revision": "2" } }, status: { replicas: 1 } };
        expect(needsWrite({ ...state, liveDigest: declaredDigest(state.manifest, grown) }, inputs())).toBe(false);
    });

    it("an object deleted outside git (refresh found it gone) is created again", () => {
        expect(needsWrite({ ...written(inputs()), live: null, liveDigest: null }, inputs())).toBe(true);
    });

    it("new settings alone are an update that writes nothing", () => {
        const state = written(inputs());
        expect(diffInputs(state, inputs({ retain: true })).changes).toBe(true);
        expect(needsWrite(state, inputs({ retain: true }))).toBe(false);
    });
});

describe("handing an object back to the Kubernetes provider", () => {
    it.each([
        ["last written by a replace (annotations written whole)", { "example.com/kept": "yes" }, false],
        ["applied by the Kubernetes provider since (its control annotations)", { "pulumi.com/patchForce": "true" }, true],
        ["no annotations at all", undefined, false],
    ])("%s", (_name, annotations, takenOver) => {
        expect(takenOverByKubernetesProvider({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", annotations } })).toBe(takenOver);
    });
});
