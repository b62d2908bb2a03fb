// Replace=true on the local cluster, through the ReplacedObject provider's runtime functions (what its
// create, update, read and delete run): `kubectl replace` keeps the object, `--force` recreates it,
// a CRD keeps its custom resources, and every failure names the object.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterPaths } from "../../cli/cluster/local-cluster";
import {
    createReplaced,
    deleteReplaced,
    readReplaced,
    updateReplaced,
    withDefaults,
    type ReplacedObjectInputs,
} from "../../components/providers/replaced-object-runtime";
import { DEFAULT_CLUSTER } from "../../components/cluster/connection-ref";
import type { Manifest } from "../../components/sync/manifest";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";

const run = Date.now().toString(36);
const ns = `replace-${run}`;
const group = `replace-${run}.example.com`;
const crdName = `widgets.${group}`;

function configMap(name: string, data: Record<string, string>, labels?: Record<string, string>): Manifest {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels }, data };
}

function deployment(name: string, image: string): Manifest {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: ns },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } },
        },
    };
}

function crd(description: string): Manifest {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: crdName },
        spec: {
            group,
            scope: "Namespaced",
            names: { plural: "widgets", singular: "widget", kind: "Widget" },
            versions: [
                {
                    name: "v1",
                    served: true,
                    storage: true,
                    schema: { openAPIV3Schema: { type: "object", description, "x-kubernetes-preserve-unknown-fields": true } },
                },
            ],
        },
    };
}

const inputs = (manifest: Manifest, over: Partial<ReplacedObjectInputs> = {}) => withDefaults({ manifest, timeoutMs: 60_000, ...over });
const uidOf = async (kind: string, name: string, namespace = ns) => k("get", kind, name, ...(namespace ? ["-n", namespace] : []), "-o", "jsonpath={.metadata.uid}");

beforeAll(async () => {
    await ensureCluster();
    // The default cluster is the environment's KUBECONFIG, as it is for the provider under the engine.
    process.env.KUBECONFIG = clusterPaths().kubeconfig;
    await k("create", "namespace", ns);
});

afterAll(async () => {
    await kTry("delete", "crd", crdName, "--ignore-not-found", "--wait=false");
    await kTry("delete", "namespace", ns, "--ignore-not-found", "--wait=false");
});

describe("ReplacedObject on the local cluster", () => {
    it("creates an object that does not exist (kubectl create)", async () => {
        const state = await createReplaced(inputs(configMap("fresh", { a: "1" })));
        expect(state.uid).toBe(await uidOf("configmap", "fresh"));
        expect(state.live?.metadata.name).toBe("fresh");
        expect(state.appliedDigest).toBe(state.liveDigest);
    });

    it("replaces in place: same uid, the changed field applied", async () => {
        const first = await createReplaced(inputs(deployment("api", "example.com/api:1")));
        const second = await updateReplaced(first, inputs(deployment("api", "example.com/api:2")));
        expect(second.uid).toBe(first.uid);
        expect(await uidOf("deployment", "api")).toBe(first.uid);
        expect(await k("get", "deployment", "api", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("example.com/api:2");
    });

    it("is a PUT of the whole object: what git no longer declares, or someone added, is gone", async () => {
        const first = await createReplaced(inputs(configMap("whole", { keep: "1", drop: "2" })));
        await k("label", "configmap", "whole", "-n", ns, "added-by=hand");
        await updateReplaced(first, inputs(configMap("whole", { keep: "1" })));
        expect(JSON.parse(await k("get", "configmap", "whole", "-n", ns, "-o", "jsonpath={.data}"))).toEqual({ keep: "1" });
        expect(await k("get", "configmap", "whole", "-n", ns, "-o", "jsonpath={.metadata.labels}")).toBe("");
    });

    it("creates the object again when it was deleted outside git, and read reports it gone first", async () => {
        const first = await createReplaced(inputs(configMap("deleted", { a: "1" })));
        await k("delete", "configmap", "deleted", "-n", ns);
        const refreshed = await readReplaced(first);
        expect(refreshed.live).toBeNull();
        expect(refreshed.liveDigest).toBeNull();
        const again = await updateReplaced(refreshed, inputs(configMap("deleted", { a: "1" })));
        expect(again.uid).not.toBe(first.uid);
        expect(await uidOf("configmap", "deleted")).toBe(again.uid);
    });

    it("read sees a declared field changed by hand, and the next update writes git's value back", async () => {
        const first = await createReplaced(inputs(configMap("drift", { a: "1" })));
        await k("patch", "configmap", "drift", "-n", ns, "--type", "merge", "-p", '{"data":{"a":"hand"}}');
        const refreshed = await readReplaced(first);
        expect(refreshed.liveDigest).not.toBe(refreshed.appliedDigest);
        await updateReplaced(refreshed, inputs(configMap("drift", { a: "1" })));
        expect(await k("get", "configmap", "drift", "-n", ns, "-o", "jsonpath={.data.a}")).toBe("1");
    });

    it("Force=true deletes and creates: a new uid", async () => {
        const first = await createReplaced(inputs(configMap("forced", { a: "1" })));
        const second = await updateReplaced(first, inputs(configMap("forced", { a: "2" }), { force: true }));
        expect(second.uid).not.toBe(first.uid);
        expect(await uidOf("configmap", "forced")).toBe(second.uid);
        expect(await k("get", "configmap", "forced", "-n", ns, "-o", "jsonpath={.data.a}")).toBe("2");
    });

    it("Force=true with a manifest the server refuses deletes nothing", async () => {
        const first = await createReplaced(inputs(configMap("invalid", { a: "1" })));
        await expect(updateReplaced(first, inputs(configMap("invalid", { "not a key!": "x" }), { force: true }))).rejects.toThrow(
            new RegExp(`^ConfigMap ${ns}/invalid: the API server would refuse it \\(.*\\); nothing was deleted`),
        );
        expect(await uidOf("configmap", "invalid")).toBe(first.uid);
    });

    it("a failed re-create after the delete names the object and says it is gone", async () => {
        const first = await createReplaced(inputs(configMap("recreate", { a: "1" })));
        // Admission that lets the dry run through but refuses the real create of this one object.
        const policy = `deny-recreate-${run}`;
        await apply(
            {
                apiVersion: "admissionregistration.k8s.io/v1",
                kind: "ValidatingAdmissionPolicy",
                metadata: { name: policy },
                spec: {
                    failurePolicy: "Fail",
                    matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }] },
                    validations: [{ expression: `request.dryRun || object.metadata.name != "recreate" || request.namespace != "${ns}"`, message: "no re-creates today" }],
                },
            },
            {
                apiVersion: "admissionregistration.k8s.io/v1",
                kind: "ValidatingAdmissionPolicyBinding",
                metadata: { name: policy },
                spec: { policyName: policy, validationActions: ["Deny"] },
            },
        );
        try {
            // The API server enforces a policy a moment after it is created. While the object exists, a
            // create of it answers AlreadyExists before the policy is loaded and the policy's denial after.
            for (let i = 0; ; i++) {
                const attempt = await kTry("create", "configmap", "recreate", "-n", ns);
                if (attempt.output.includes("no re-creates today")) break;
                if (i > 100) throw new Error(`the admission policy was never enforced: ${attempt.output}`);
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
            await expect(updateReplaced(first, inputs(configMap("recreate", { a: "2" }), { force: true }))).rejects.toThrow(
                new RegExp(`^ConfigMap ${ns}/recreate was deleted to be replaced \\(Force=true\\) but creating it again failed: .*no re-creates today.*it does not exist in the cluster now`),
            );
            expect((await kTry("get", "configmap", "recreate", "-n", ns)).ok).toBe(false);
        } finally {
            await kTry("delete", "validatingadmissionpolicybinding", policy, "--ignore-not-found");
            await kTry("delete", "validatingadmissionpolicy", policy, "--ignore-not-found");
        }
    });

    it("a CRD replaced with Replace=true keeps its custom resources", async () => {
        const first = await createReplaced(inputs(crd("first")));
        await k("wait", "--for", "condition=Established", `crd/${crdName}`, "--timeout", "60s");
        await apply({ apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1", namespace: ns }, spec: { size: 1 } });
        const widgetUid = await uidOf(`widgets.${group}`, "w1");
        const second = await updateReplaced(first, inputs(crd("second")));
        expect(second.uid).toBe(first.uid);
        expect(await k("get", "crd", crdName, "-o", "jsonpath={.spec.versions[0].schema.openAPIV3Schema.description}")).toBe("second");
        expect(await uidOf(`widgets.${group}`, "w1")).toBe(widgetUid);
    });

    it("refuses Force=true on a CRD without touching it", async () => {
        const state = await readReplaced(await createReplaced(inputs(crd("second"))));
        await expect(updateReplaced(state, inputs(crd("third"), { force: true }))).rejects.toThrow(
            `CustomResourceDefinition ${crdName}: Force=true would delete it and everything it holds; refusing`,
        );
        expect(await uidOf("crd", crdName, "")).toBe(state.uid);
        expect((await kTry("get", `widgets.${group}`, "w1", "-n", ns)).ok).toBe(true);
    });

    it("names the object when the API server refuses the impersonated user", async () => {
        await expect(
            createReplaced(inputs(configMap("forbidden", { a: "1" }), { cluster: { ...DEFAULT_CLUSTER, impersonate: `system:serviceaccount:${ns}:nobody` } })),
        ).rejects.toThrow(new RegExp(`^ConfigMap ${ns}/forbidden: replace failed: .*forbidden`, "i"));
    });

    it("names the missing context", async () => {
        await expect(createReplaced(inputs(configMap("elsewhere", { a: "1" }), { cluster: { ...DEFAULT_CLUSTER, context: "no-such-context" } }))).rejects.toThrow(
            `ConfigMap ${ns}/elsewhere: replace failed: field syncwave:clusters.https://kubernetes.default.svc.context: kubeconfig has no context "no-such-context"`,
        );
    });

    it("leaves an object the Kubernetes provider took over (Replace=true removed) when deleted", async () => {
        const state = await createReplaced(inputs(configMap("handed-over", { a: "1" }, undefined)));
        // What the Kubernetes provider's apply leaves on the object: its control annotations.
        await k("annotate", "configmap", "handed-over", "-n", ns, "pulumi.com/patchForce=true");
        await deleteReplaced(state);
        expect(await uidOf("configmap", "handed-over")).toBe(state.uid);
    });

    it("never writes the Kubernetes provider's control annotations", async () => {
        const manifest = configMap("plain", { a: "1" });
        manifest.metadata.annotations = { "pulumi.com/skipAwait": "true", "example.com/kept": "yes" };
        await createReplaced(inputs(manifest));
        expect(JSON.parse(await k("get", "configmap", "plain", "-n", ns, "-o", "jsonpath={.metadata.annotations}"))).toEqual({ "example.com/kept": "yes" });
    });

    it("deletes with the propagation policy until gone, and keeps a retained object", async () => {
        const kept = await createReplaced(inputs(configMap("kept", { a: "1" }), { retain: true }));
        await deleteReplaced(kept);
        expect(await uidOf("configmap", "kept")).toBe(kept.uid);
        const gone = await createReplaced(inputs(deployment("gone", "example.com/gone:1"), { propagationPolicy: "foreground" }));
        await deleteReplaced(gone);
        expect((await kTry("get", "deployment", "gone", "-n", ns)).ok).toBe(false);
        expect((await k("get", "replicasets", "-n", ns, "-l", "app=gone", "-o", "name")).trim()).toBe("");
    });
});
