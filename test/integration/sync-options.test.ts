// Argo CD's sync options on the local cluster, through the real pulumi CLI and Kubernetes provider, in
// one stack and two syncs: ApplyOutOfSyncOnly (an unchanged object is never written),
// RespectIgnoreDifferences (off: git's value is applied; on: the live value stays), ServerSideApply=false
// (client-side apply with kubectl's annotation; switching an existing object keeps it),
// SkipDryRunOnMissingResource (a kind nobody knows yet is previewed and applied once its CRD exists),
// PrunePropagationPolicy (orphan keeps a pruned Deployment's ReplicaSet) and CreateNamespace with
// managedNamespaceMetadata (applied when created, updated after).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const ns = `opts-${run}`;
const group = `opts-${run}.example.com`;

const project = {
    sourceRepos: ["file:///tmp/*"],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: "opts-*" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
};

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const options = (value: string) => ({ "argocd.argoproj.io/sync-options": value });

function configMap(name: string, data: Record<string, string>, annotations: Record<string, string> = {}) {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations }, data };
}

// A Deployment whose replicas another controller (an autoscaler) may own; `rev` changes the object.
function scaled(name: string, rev: string, annotations: Record<string, string> = {}) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, annotations: { ...annotations, "example.com/rev": rev } },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } },
        },
    };
}

const web = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", annotations: options("PrunePropagationPolicy=orphan") },
    spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example.com/web:1" }] } },
    },
};

// Installed by "an operator" (here: kubectl) after the preview, before the sync applies the Gadget.
const gadgetCrd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `gadgets.${group}` },
    spec: {
        group,
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
};
const gadget = {
    apiVersion: `${group}/v1`,
    kind: "Gadget",
    metadata: { name: "g", namespace: ns, annotations: { ...options("SkipDryRunOnMissingResource=true"), "argocd.argoproj.io/sync-wave": "1" } },
    spec: { size: 1 },
};

function manifests(rev: string, extra: { switched: boolean; withWeb: boolean }) {
    return {
        "app/steady.yaml": yaml(configMap("steady", { a: "1" })),
        "app/changing.yaml": yaml(configMap("changing", { rev })),
        "app/client-side.yaml": yaml(configMap("client-side", { rev }, options("ServerSideApply=false"))),
        "app/switches.yaml": yaml(configMap("switches", { rev }, extra.switched ? options("ServerSideApply=false") : {})),
        "app/git-wins.yaml": yaml(scaled("git-wins", rev)),
        "app/respected.yaml": yaml(scaled("respected", rev, options("RespectIgnoreDifferences=true"))),
        "app/web.yaml": extra.withWeb ? yaml(web) : null,
        "app/gadget.yaml": yaml(gadget),
    };
}

function application(repo: TestRepo, team: string) {
    return {
        source: { repoURL: repo.url, targetRevision: "main", path: "app" },
        destination: { server: "https://kubernetes.default.svc", namespace: ns },
        syncPolicy: {
            automated: { prune: true },
            syncOptions: ["CreateNamespace=true"],
            managedNamespaceMetadata: { labels: { team }, annotations: { "example.com/owner": "opts" } },
        },
        ignoreDifferences: [
            { group: "apps", kind: "Deployment", name: "git-wins", jsonPointers: ["/spec/replicas"] },
            { group: "apps", kind: "Deployment", name: "respected", jsonPointers: ["/spec/replicas"] },
        ],
    };
}

const get = async (kind: string, name: string, path: string) => k("get", kind, name, "-n", ns, "-o", `jsonpath=${path}`);
const managedFields = async (kind: string, name: string) =>
    (JSON.parse(await k("get", kind, name, "-n", ns, "-o", "json", "--show-managed-fields")) as { metadata: { managedFields: { manager: string; operation: string }[] } }).metadata.managedFields;

describe("sync options on the local cluster", () => {
    let stack: SyncStack;
    beforeAll(async () => {
        await ensureCluster();
    });
    afterAll(async () => {
        await stack?.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
        await kTry("delete", "crd", `gadgets.${group}`, "--wait=false");
    });

    it("applies each option's Argo CD meaning across two syncs", async () => {
        const repo = new TestRepo();
        repo.commit(manifests("1", { switched: false, withWeb: true }));
        stack = await SyncStack.create("options", { project, applications: { opts: application(repo, "a") } });

        // SkipDryRunOnMissingResource: the preview plans a kind the cluster does not serve yet.
        const preview = await stack.preview();
        expect(preview.code, preview.stdout + preview.stderr).toBe(0);
        expect(preview.stdout).toContain("Gadget");
        await apply(gadgetCrd);
        await k("wait", "--for=condition=Established", `crd/gadgets.${group}`, "--timeout=60s");

        const first = await stack.up();
        expect(first.code, first.stdout + first.stderr).toBe(0);

        // CreateNamespace with managedNamespaceMetadata.
        expect(await k("get", "namespace", ns, "-o", "jsonpath={.metadata.labels.team}")).toBe("a");
        expect(await k("get", "namespace", ns, "-o", "jsonpath={.metadata.annotations.example\\.com/owner}")).toBe("opts");
        // The Gadget was applied, namespaced as its manifest says.
        expect(await get(`gadgets.${group}`, "g", "{.spec.size}")).toBe("1");
        // ServerSideApply=false: a client-side write (no Apply operation) with kubectl's annotation.
        const lastApplied = JSON.parse(await get("configmap", "client-side", "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}")) as {
            data: Record<string, string>;
        };
        expect(lastApplied.data).toEqual({ rev: "1" });
        expect((await managedFields("configmap", "client-side")).map((f) => f.operation)).not.toContain("Apply");
        expect((await managedFields("configmap", "switches")).map((f) => f.operation)).toContain("Apply");

        const steady = { resourceVersion: await get("configmap", "steady", "{.metadata.resourceVersion}"), managedFields: await managedFields("configmap", "steady") };
        const switchesUid = await get("configmap", "switches", "{.metadata.uid}");
        const replicaSet = await k("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");
        expect(replicaSet).not.toBe("");
        // Another controller takes the ignored field.
        for (const name of ["git-wins", "respected"]) await k("scale", "deployment", name, "-n", ns, "--replicas=2");

        repo.commit(manifests("2", { switched: true, withWeb: false }));
        stack.setConfig({ project, applications: { opts: application(repo, "b") } });
        const second = await stack.up();
        expect(second.code, second.stdout + second.stderr).toBe(0);

        // ApplyOutOfSyncOnly is always in effect: the unchanged object was not written.
        expect(await get("configmap", "changing", "{.data.rev}")).toBe("2");
        expect(await get("configmap", "steady", "{.metadata.resourceVersion}")).toBe(steady.resourceVersion);
        expect(await managedFields("configmap", "steady")).toEqual(steady.managedFields);

        // RespectIgnoreDifferences: off, git's value is applied; on, the live value stays.
        expect(await get("deployment", "git-wins", "{.metadata.annotations.example\\.com/rev} {.spec.replicas}")).toBe("2 1");
        expect(await get("deployment", "respected", "{.metadata.annotations.example\\.com/rev} {.spec.replicas}")).toBe("2 2");

        // Switching to ServerSideApply=false updated the same object, now with kubectl's annotation.
        expect(await get("configmap", "switches", "{.metadata.uid}")).toBe(switchesUid);
        expect(await get("configmap", "switches", "{.data.rev}")).toBe("2");
        expect(await get("configmap", "switches", "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}")).toContain('"rev":"2"');

        // PrunePropagationPolicy=orphan: the pruned Deployment's ReplicaSet stays, without its owner.
        expect((await kTry("get", "deployment", "web", "-n", ns)).ok).toBe(false);
        expect(await k("get", "replicaset", replicaSet, "-n", ns, "-o", "jsonpath={.metadata.ownerReferences}")).toBe("");

        // managedNamespaceMetadata is applied again on a later sync.
        expect(await k("get", "namespace", ns, "-o", "jsonpath={.metadata.labels.team}")).toBe("b");

        // Nothing left to do.
        const again = await stack.preview("--expect-no-changes");
        expect(again.code, again.stdout + again.stderr).toBe(0);
    });
});
