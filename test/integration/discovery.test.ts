// Kind scope from the local cluster's own discovery: built-in kinds, a CRD applied by the test, and a
// kind nobody serves, which is refused instead of being guessed namespaced.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterPaths } from "../../cli/cluster/local-cluster";
import { discoverKinds } from "../../components/cluster/discovery";
import { scopeResolver } from "../../components/sync/scope";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";

const run = Date.now().toString(36);
const group = `discovery-${run}.example.com`;
const crdName = `gizmos.${group}`;
let kubeconfig = "";

beforeAll(async () => {
    await ensureCluster();
    kubeconfig = readFileSync(clusterPaths().kubeconfig, "utf8");
});

afterAll(async () => {
    await kTry("delete", "crd", crdName, "--ignore-not-found", "--wait=false");
});

describe("discoverKinds on the local cluster", () => {
    it("knows the built-in kinds and their scope", async () => {
        const { kinds } = await discoverKinds(kubeconfig, 30_000);
        expect(kinds["/Namespace"]).toEqual({ scope: "Cluster", versions: ["v1"] });
        expect(kinds["rbac.authorization.k8s.io/ClusterRole"]?.scope).toBe("Cluster");
        expect(kinds["/ConfigMap"]).toEqual({ scope: "Namespaced", versions: ["v1"] });
        expect(kinds["apps/Deployment"]).toEqual({ scope: "Namespaced", versions: ["v1"] });
        expect(kinds["apiextensions.k8s.io/CustomResourceDefinition"]?.scope).toBe("Cluster");
    });

    it("finds a CRD once it is established, with its scope and versions, after a refresh", async () => {
        const before = await discoverKinds(kubeconfig, 30_000);
        expect(before.kinds[`${group}/Gizmo`]).toBeUndefined();
        await apply({
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: crdName },
            spec: {
                group,
                scope: "Cluster",
                names: { plural: "gizmos", singular: "gizmo", kind: "Gizmo" },
                versions: [
                    { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } },
                    { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } },
                ],
            },
        });
        await k("wait", "--for", "condition=Established", `crd/${crdName}`, "--timeout", "60s");
        // The process's cache still holds the first answer; a refresh asks the server again.
        expect((await discoverKinds(kubeconfig, 30_000)).kinds[`${group}/Gizmo`]).toBeUndefined();
        const after = await discoverKinds(kubeconfig, 30_000, { refresh: true });
        expect(after.kinds[`${group}/Gizmo`]?.scope).toBe("Cluster");
        expect([...(after.kinds[`${group}/Gizmo`]?.versions ?? [])].sort()).toEqual(["v1", "v1beta1"]);
    });

    it("leaves an unknown kind unknown, and requireScope refuses it with the resource and file", async () => {
        const discovered = await discoverKinds(kubeconfig, 30_000);
        const resolver = scopeResolver([], discovered);
        expect(resolver.scopeOf("nothing.example.com", "Nothing")).toBeUndefined();
        expect(() =>
            resolver.requireScope({ apiVersion: "nothing.example.com/v1", kind: "Nothing", metadata: { name: "n", namespace: "shop" } }, { application: "shop", file: "n.yaml" }),
        ).toThrow("application shop, file n.yaml, resource Nothing shop/n, field apiVersion: the Kubernetes API could not find nothing.example.com/Nothing");
    });

    it("gives every caller its own copy of the cached table", async () => {
        const first = await discoverKinds(kubeconfig, 30_000);
        delete first.kinds["/ConfigMap"];
        expect((await discoverKinds(kubeconfig, 30_000)).kinds["/ConfigMap"]).toBeDefined();
    });
});
