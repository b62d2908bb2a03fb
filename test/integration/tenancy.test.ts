// End to end on the local cluster: a sync never deletes or takes over what it should not. Pruning
// only when asked, Prune=false, objects someone else took, Applications removed with and without the
// cascade finalizer, and objects that already exist untracked or tracked by someone else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const ns = `sync-${run}-tenancy`;

const project = {
    sourceRepos: ["file:///tmp/**"],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: "sync-*" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
};

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

function configMap(name: string, annotations: Record<string, string> = {}, data: Record<string, string> = { key: "value" }) {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations }, data };
}

function appConfig(repo: TestRepo, path: string, namespace = ns, extra: Record<string, unknown> = {}) {
    return {
        source: { repoURL: repo.url, targetRevision: "main", path },
        destination: { server: "https://kubernetes.default.svc", namespace },
        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
        ...extra,
    };
}

const exists = async (name: string, namespace = ns) => (await kTry("get", "configmap", name, "-n", namespace)).ok;
const annotation = async (name: string, key: string, namespace = ns) =>
    k("get", "configmap", name, "-n", namespace, "-o", `jsonpath={.metadata.annotations.${key.replace(/\./g, "\\.")}}`);

describe("tenancy and safety on the local cluster", () => {
    const stacks: SyncStack[] = [];
    beforeAll(async () => {
        await ensureCluster();
    });
    afterAll(async () => {
        for (const s of stacks) await s.destroy();
        await kTry("delete", "namespace", ns, `${ns}-orphan`, `${ns}-cascade`, `${ns}-takeover`, "--wait=false");
    });

    it("prunes only when asked, never a Prune=false object, never one someone else took", async () => {
        const repo = new TestRepo();
        repo.commit({
            "app/a.yaml": yaml(configMap("a")),
            "app/b.yaml": yaml(configMap("b", { "argocd.argoproj.io/sync-wave": "1", "argocd.argoproj.io/sync-options": "Prune=false" })),
            "app/taken.yaml": yaml(configMap("taken")),
            "app/stays.yaml": yaml(configMap("stays")),
        });
        const stack = await SyncStack.create("prune", { project, applications: { pruning: appConfig(repo, "app") } });
        stacks.push(stack);
        const first = await stack.up();
        expect(first.code, first.stdout + first.stderr).toBe(0);
        // Every object carries Argo CD's tracking id and the stack's installation id.
        expect(await annotation("a", "argocd.argoproj.io/tracking-id")).toBe(`pruning:/ConfigMap:${ns}/a`);
        expect(await annotation("a", "argocd.argoproj.io/installation-id")).toMatch(new RegExp(`/${stack.name}$`));

        // Someone else takes "taken" over; then three manifests leave git.
        await k("annotate", "configmap", "taken", "-n", ns, "--overwrite", `argocd.argoproj.io/tracking-id=billing:/ConfigMap:${ns}/taken`);
        repo.commit({ "app/a.yaml": null, "app/b.yaml": null, "app/taken.yaml": null });

        // No automated.prune, no --prune: nothing is deleted; they require pruning.
        const kept = await stack.up();
        expect(kept.code, kept.stdout + kept.stderr).toBe(0);
        for (const name of ["a", "b", "taken", "stays"]) expect(await exists(name)).toBe(true);
        expect((await stack.pruner("pruning"))?.requiresPruning.map((e) => e.id).sort()).toEqual(
            [`/ConfigMap/${ns}/a`, `/ConfigMap/${ns}/b`, `/ConfigMap/${ns}/taken`].sort(),
        );

        // automated.prune does not apply to a manual sync (Argo CD's manual sync prunes only when asked).
        stack.setConfig({ project, applications: { pruning: appConfig(repo, "app", ns, { syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] } }) } });
        const manual = await stack.up({ SYNCWAVE_SYNC_KIND: "manual" });
        expect(manual.code, manual.stdout + manual.stderr).toBe(0);
        expect(await exists("a")).toBe(true);

        // An automated sync with automated.prune prunes "a"; "b" (Prune=false) stays and still requires
        // pruning; "taken" is someone else's now: left alone, and no longer ours.
        const automated = await stack.up();
        expect(automated.code, automated.stdout + automated.stderr).toBe(0);
        expect(await exists("a")).toBe(false);
        expect(await exists("b")).toBe(true);
        expect(await exists("taken")).toBe(true);
        expect(await exists("stays")).toBe(true);
        const state = await stack.pruner("pruning");
        expect(state?.lastPruned).toEqual([`/ConfigMap/${ns}/a`]);
        expect(state?.requiresPruning.map((e) => e.id)).toEqual([`/ConfigMap/${ns}/b`]);
    });

    it("an Application removed without the cascade finalizer leaves its objects; with it they are deleted", async () => {
        const repo = new TestRepo();
        repo.commit({ "orphan/cm.yaml": yaml(configMap("left-behind")), "cascade/cm.yaml": yaml(configMap("cleaned-up")) });
        const apps = {
            orphan: appConfig(repo, "orphan", `${ns}-orphan`),
            cascade: appConfig(repo, "cascade", `${ns}-cascade`, { finalizers: ["resources-finalizer.argocd.argoproj.io"] }),
            // Keeps the stack in use while the other two are removed.
            anchor: appConfig(repo, "orphan", `${ns}-anchor`),
        };
        const stack = await SyncStack.create("removal", { project, applications: apps });
        stacks.push(stack);
        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await exists("left-behind", `${ns}-orphan`)).toBe(true);
        expect(await exists("cleaned-up", `${ns}-cascade`)).toBe(true);

        stack.setConfig({ project, applications: { anchor: apps.anchor } });
        const removed = await stack.up();
        expect(removed.code, removed.stdout + removed.stderr).toBe(0);
        expect(await exists("left-behind", `${ns}-orphan`)).toBe(true);
        expect(await exists("cleaned-up", `${ns}-cascade`)).toBe(false);
        // The orphaned object left the state: nothing of the removed Applications is tracked any more.
        const urns = (await stack.resources()).map((r) => r.urn);
        expect(urns.some((u) => u.endsWith(`/ConfigMap/${ns}-orphan/left-behind`) || u.endsWith(`/ConfigMap/${ns}-cascade/cleaned-up`))).toBe(false);
        await kTry("delete", "namespace", `${ns}-anchor`, "--wait=false");
    });

    it.each([
        [
            "a cluster-scoped custom kind under a Project that allows no cluster-scoped kinds",
            {
                "app/crd.yaml": yaml({
                    apiVersion: "apiextensions.k8s.io/v1",
                    kind: "CustomResourceDefinition",
                    metadata: { name: `escapes${run}.example.com` },
                    spec: {
                        group: "example.com",
                        scope: "Cluster",
                        names: { kind: `Escape${run}`, plural: `escapes${run}` },
                        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
                    },
                }),
            },
            /project-cluster-resource-whitelist/,
        ],
        ["an object with an explicit foreign namespace", { "app/cm.yaml": yaml({ ...configMap("sneaky"), metadata: { name: "sneaky", namespace: "kube-system" } }) }, /project-destinations.*kube-system/],
        [
            "an AppProject inside the Application's path",
            { "app/project.yaml": yaml({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "wide-open" }, spec: { sourceRepos: ["*"] } }) },
            /AppProject/,
        ],
    ])("refuses %s before applying anything", async (_name, files, rule) => {
        const repo = new TestRepo();
        repo.commit({ "app/ok.yaml": yaml(configMap("fine")), ...files });
        const escapeNs = `${ns}-escape`;
        const namespaceOnly = { ...project, clusterResourceWhitelist: [] };
        const stack = await SyncStack.create("escape", { project: namespaceOnly, applications: { escape: appConfig(repo, "app", escapeNs, { syncPolicy: {} }) } });
        stacks.push(stack);
        const preview = await stack.preview();
        expect(preview.code).not.toBe(0);
        expect(preview.stdout + preview.stderr).toMatch(rule);
        expect((await stack.up()).code).not.toBe(0);
        expect(await exists("fine", escapeNs)).toBe(false);
        expect((await kTry("get", "configmap", "sneaky", "-n", "kube-system")).ok).toBe(false);
    });

    it("never takes over silently: untracked objects need adoption, shared ones warn or are refused", async () => {
        const target = `${ns}-takeover`;
        await k("create", "namespace", target);
        await k("create", "configmap", "existing", "-n", target, "--from-literal=key=theirs");
        await k("create", "configmap", "theirs", "-n", target, "--from-literal=key=theirs");
        await k(
            "annotate",
            "configmap",
            "theirs",
            "-n",
            target,
            `argocd.argoproj.io/tracking-id=takeover:/ConfigMap:${target}/theirs`,
            "argocd.argoproj.io/installation-id=organization/other/prod",
        );
        const otherTeam = `${ns}-other-team`;
        await k("create", "namespace", otherTeam);
        const repo = new TestRepo();
        repo.commit({ "app/existing.yaml": yaml(configMap("existing", {}, { key: "ours" })) });
        const stack = await SyncStack.create("takeover", { project, applications: { takeover: appConfig(repo, "app", target) } });
        stacks.push(stack);

        // Untracked: the preview says it would be adopted, the update refuses and changes nothing.
        const preview = await stack.preview();
        expect(preview.code, preview.stdout + preview.stderr).toBe(0);
        expect(preview.stdout + preview.stderr).toMatch(/ConfigMap .*existing .*without a tracking id; a sync would adopt it/);
        const refused = await stack.up();
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toContain("syncwave.dev/adopt");
        expect(await k("get", "configmap", "existing", "-n", target, "-o", "jsonpath={.data.key}")).toBe("theirs");

        // A Namespace object for another team's (untracked) namespace is refused the same way.
        repo.commit({ "app/ns.yaml": yaml({ apiVersion: "v1", kind: "Namespace", metadata: { name: otherTeam } }) });
        const namespaceTakeover = await stack.up();
        expect(namespaceTakeover.code).not.toBe(0);
        expect(namespaceTakeover.stdout + namespaceTakeover.stderr).toContain(`Namespace ${otherTeam}`);
        expect(await k("get", "namespace", otherTeam, "-o", "jsonpath={.metadata.annotations}")).not.toContain("tracking-id");

        // Adopting is explicit: the object says so in git.
        repo.commit({ "app/ns.yaml": null, "app/existing.yaml": yaml(configMap("existing", { "syncwave.dev/adopt": "true" }, { key: "ours" })) });
        const adopted = await stack.up();
        expect(adopted.code, adopted.stdout + adopted.stderr).toBe(0);
        expect(await k("get", "configmap", "existing", "-n", target, "-o", "jsonpath={.data.key}")).toBe("ours");
        expect(await annotation("existing", "argocd.argoproj.io/tracking-id", target)).toBe(`takeover:/ConfigMap:${target}/existing`);

        // Tracked by the same application name in another stack: a shared resource, refused with FailOnSharedResource.
        repo.commit({ "app/theirs.yaml": yaml(configMap("theirs", { "argocd.argoproj.io/sync-options": "FailOnSharedResource=true" }, { key: "ours" })) });
        const shared = await stack.up();
        expect(shared.code).not.toBe(0);
        expect(shared.stdout + shared.stderr).toMatch(/managed by application takeover of organization\/other\/prod/);
        expect(await k("get", "configmap", "theirs", "-n", target, "-o", "jsonpath={.data.key}")).toBe("theirs");
        await kTry("delete", "namespace", otherTeam, "--wait=false");
    });
});
