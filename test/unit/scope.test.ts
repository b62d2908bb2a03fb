// Table tests of kind scope: discovery documents into the kind table, the table and the sync's CRDs
// into a scope per manifest, and unknown kinds refused with the resource and file named.
import { describe, expect, it } from "vitest";
import { addAggregated, addResourceList, emptyDiscovery, type AggregatedDiscovery } from "../../components/cluster/discovery-documents";
import { SyncWaveInputError } from "../../components/sync/errors";
import type { Manifest } from "../../components/sync/manifest";
import { kindScopesFor, kindsDefinedBy, scopeResolver, type DiscoveredKinds } from "../../components/sync/scope";

// What a Kubernetes 1.3x API server answers for aggregated discovery, cut down to a few kinds.
const aggregatedCore: AggregatedDiscovery = {
    kind: "APIGroupDiscoveryList",
    items: [
        {
            metadata: {},
            versions: [
                {
                    version: "v1",
                    freshness: "Current",
                    resources: [
                        { resource: "configmaps", responseKind: { kind: "ConfigMap" }, scope: "Namespaced" },
                        { resource: "namespaces", responseKind: { kind: "Namespace" }, scope: "Cluster" },
                    ],
                },
            ],
        },
    ],
};
const aggregatedGroups: AggregatedDiscovery = {
    kind: "APIGroupDiscoveryList",
    items: [
        { metadata: { name: "apps" }, versions: [{ version: "v1", resources: [{ resource: "deployments", responseKind: { kind: "Deployment" }, scope: "Namespaced" }] }] },
        {
            metadata: { name: "rbac.authorization.k8s.io" },
            versions: [{ version: "v1", resources: [{ resource: "clusterroles", responseKind: { kind: "ClusterRole" }, scope: "Cluster" }] }],
        },
        {
            metadata: { name: "autoscaling" },
            versions: [
                { version: "v2", resources: [{ resource: "horizontalpodautoscalers", responseKind: { kind: "HorizontalPodAutoscaler" }, scope: "Namespaced" }] },
                { version: "v1", resources: [{ resource: "horizontalpodautoscalers", responseKind: { kind: "HorizontalPodAutoscaler" }, scope: "Namespaced" }] },
            ],
        },
        { metadata: { name: "metrics.k8s.io" }, versions: [{ version: "v1beta1", freshness: "Stale", resources: [] }] },
    ],
};

function discovered(): DiscoveredKinds {
    const d = emptyDiscovery();
    addAggregated(d, aggregatedCore);
    addAggregated(d, aggregatedGroups);
    return d;
}

function crd(group: string, kind: string, scope: string, versions = ["v1"]): Manifest {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${kind.toLowerCase()}s.${group}` },
        spec: { group, names: { kind }, scope, versions: versions.map((name) => ({ name, served: true, storage: name === versions[0] })) },
    };
}

const obj = (apiVersion: string, kind: string, name = "x", namespace?: string): Manifest => ({ apiVersion, kind, metadata: { name, namespace } });

describe("discovery documents", () => {
    it("reads aggregated discovery: scope and every served version, core group as ''", () => {
        expect(discovered().kinds).toEqual({
            "/ConfigMap": { scope: "Namespaced", versions: ["v1"] },
            "/Namespace": { scope: "Cluster", versions: ["v1"] },
            "apps/Deployment": { scope: "Namespaced", versions: ["v1"] },
            "rbac.authorization.k8s.io/ClusterRole": { scope: "Cluster", versions: ["v1"] },
            "autoscaling/HorizontalPodAutoscaler": { scope: "Namespaced", versions: ["v2", "v1"] },
        });
    });

    it("reports a stale group version as unavailable", () => {
        expect(Object.keys(discovered().unavailable)).toEqual(["metrics.k8s.io/v1beta1"]);
    });

    it("reads the older per-group-version lists and skips subresources", () => {
        const d = emptyDiscovery();
        addResourceList(d, {
            groupVersion: "v1",
            resources: [
                { name: "pods", kind: "Pod", namespaced: true },
                { name: "pods/log", kind: "Pod", namespaced: true },
                { name: "nodes", kind: "Node", namespaced: false },
            ],
        });
        addResourceList(d, { groupVersion: "batch/v1", resources: [{ name: "jobs", kind: "Job", namespaced: true }] });
        expect(d.kinds).toEqual({
            "/Pod": { scope: "Namespaced", versions: ["v1"] },
            "/Node": { scope: "Cluster", versions: ["v1"] },
            "batch/Job": { scope: "Namespaced", versions: ["v1"] },
        });
    });
});

describe("scopeResolver", () => {
    it.each([
        ["a core namespaced kind", obj("v1", "ConfigMap"), "Namespaced"],
        ["a core cluster-scoped kind", obj("v1", "Namespace"), "Cluster"],
        ["a grouped cluster-scoped kind", obj("rbac.authorization.k8s.io/v1", "ClusterRole"), "Cluster"],
        ["any served version", obj("autoscaling/v1", "HorizontalPodAutoscaler"), "Namespaced"],
        ["a kind whose cluster-scoped CRD is in the sync", obj("example.com/v1", "Gadget"), "Cluster"],
        ["a kind whose namespaced CRD is in the sync", obj("example.com/v1", "Widget"), "Namespaced"],
    ])("%s", (_name, manifest, want) => {
        const resolver = scopeResolver([crd("example.com", "Gadget", "Cluster"), crd("example.com", "Widget", "Namespaced")], discovered());
        expect(resolver.requireScope(manifest, { application: "app", file: "x.yaml" })).toBe(want);
    });

    it("answers undefined for a kind nobody defines, never a guess", () => {
        expect(scopeResolver([], discovered()).scopeOf("example.com", "Widget")).toBeUndefined();
    });

    it("refuses an unknown kind with the application, file, resource and Argo CD's wording", () => {
        const resolver = scopeResolver([], discovered());
        const call = () => resolver.requireScope(obj("example.com/v1", "Widget", "w", "shop"), { application: "shop", file: "widgets/w.yaml" });
        expect(call).toThrow(SyncWaveInputError);
        expect(call).toThrow(
            'application shop, file widgets/w.yaml, resource Widget shop/w, field apiVersion: the Kubernetes API could not find example.com/Widget (the server could not find the requested resource): make sure the "Widget" CRD is installed',
        );
    });

    it("refuses a version the cluster does not serve, naming the ones it does", () => {
        const resolver = scopeResolver([], discovered());
        expect(() => resolver.requireScope(obj("apps/v1beta1", "Deployment", "api", "shop"), { file: "api.yaml" })).toThrow(
            'file api.yaml, resource Deployment shop/api, field apiVersion: the Kubernetes API could not find version "v1beta1" of apps/Deployment: the destination serves v1',
        );
    });

    it("accepts a version that only the sync's CRD adds", () => {
        const d = discovered();
        d.kinds["example.com/Widget"] = { scope: "Namespaced", versions: ["v1"] };
        const resolver = scopeResolver([crd("example.com", "Widget", "Namespaced", ["v2", "v1"])], d);
        expect(resolver.requireScope(obj("example.com/v2", "Widget"), {})).toBe("Namespaced");
    });

    it("takes the cluster's scope over a CRD of the sync that disagrees (scope is immutable)", () => {
        const d = discovered();
        d.kinds["example.com/Widget"] = { scope: "Namespaced", versions: ["v1"] };
        expect(scopeResolver([crd("example.com", "Widget", "Cluster")], d).scopeOf("example.com", "Widget")).toBe("Namespaced");
    });

    it("says why when the kind's group version could not be discovered", () => {
        const resolver = scopeResolver([], discovered());
        expect(() => resolver.requireScope(obj("metrics.k8s.io/v1beta1", "PodMetrics"), { file: "m.yaml" })).toThrow(
            "could not describe metrics.k8s.io/v1beta1 for metrics.k8s.io/PodMetrics (its API service is unavailable",
        );
    });
});

describe("kindsDefinedBy", () => {
    it("reads served versions, the v1beta1 single version, and v1beta1's Namespaced default", () => {
        const old: Manifest = {
            apiVersion: "apiextensions.k8s.io/v1beta1",
            kind: "CustomResourceDefinition",
            metadata: { name: "olds.example.com" },
            spec: { group: "example.com", names: { kind: "Old" }, version: "v1alpha1" },
        };
        const withUnserved = crd("example.com", "New", "Cluster", ["v2", "v1"]);
        (withUnserved.spec as { versions: { served: boolean }[] }).versions[1].served = false;
        expect(kindsDefinedBy([old, withUnserved, obj("v1", "ConfigMap")])).toEqual({
            "example.com/Old": { scope: "Namespaced", versions: ["v1alpha1"] },
            "example.com/New": { scope: "Cluster", versions: ["v2"] },
        });
    });
});

describe("kindScopesFor", () => {
    it("gives the policy pack a scope per kind of the manifests, leaving unknown kinds out", () => {
        const manifests = [obj("v1", "ConfigMap"), obj("v1", "Namespace"), crd("example.com", "Widget", "Cluster"), obj("example.com/v1", "Widget"), obj("other.io/v1", "Thing")];
        const d = discovered();
        d.kinds["apiextensions.k8s.io/CustomResourceDefinition"] = { scope: "Cluster", versions: ["v1"] };
        expect(kindScopesFor(manifests, d)).toEqual({
            "/ConfigMap": "Namespaced",
            "/Namespace": "Cluster",
            "apiextensions.k8s.io/CustomResourceDefinition": "Cluster",
            "example.com/Widget": "Cluster",
        });
    });
});
