// End to end on the local cluster: git sources, waves held back by health gates, hooks, pruning,
// project boundaries, failures and timeouts, through the real pulumi CLI and Kubernetes provider.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const ns = `sync-${run}`;

const project = {
    sourceRepos: ["file:///tmp/*"],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: "sync-*" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }, { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }],
};

const wave = (n: number) => ({ "argocd.argoproj.io/sync-wave": String(n) });

function configMap(name: string, annotations: Record<string, string> = {}, data: Record<string, string> = { key: "value" }) {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations }, data };
}

function deployment(name: string, annotations: Record<string, string>, podAnnotations: Record<string, string> = {}) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, annotations },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name }, annotations: podAnnotations }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } },
        },
    };
}

function job(name: string, annotations: Record<string, string>, podAnnotations: Record<string, string> = {}) {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name, annotations },
        spec: {
            backoffLimit: 0,
            template: { metadata: { annotations: podAnnotations }, spec: { restartPolicy: "Never", containers: [{ name: "task", image: "example.com/task:1" }] } },
        },
    };
}

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

function appConfig(repo: TestRepo, path: string, namespace = ns, extra: Record<string, unknown> = {}) {
    return {
        source: { repoURL: repo.url, targetRevision: "main", path },
        destination: { server: "https://kubernetes.default.svc", namespace },
        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
        ...extra,
    };
}

async function creationTime(kind: string, name: string, namespace = ns): Promise<number> {
    return Date.parse(await k("get", kind, name, "-n", namespace, "-o", "jsonpath={.metadata.creationTimestamp}"));
}

describe("sync on the local cluster", () => {
    const stacks: SyncStack[] = [];
    beforeAll(async () => {
        await ensureCluster();
    });
    afterAll(async () => {
        for (const s of stacks) await s.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("applies waves in order, each behind the previous wave's health, then does nothing on a second up", async () => {
        const repo = new TestRepo();
        const first = repo.commit({
            "app/config.yaml": yaml(configMap("settings", wave(0))),
            "app/slow.yaml": yaml(deployment("slow", wave(1), { "syncwave.dev/ready-after": "5s" })),
            "app/after.yaml": yaml(configMap("after-slow", wave(2))),
            "app/migrate.yaml": yaml(job("migrate", { "argocd.argoproj.io/hook": "PreSync" })),
            "app/smoke.yaml": yaml(job("smoke", { "argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded" })),
        });
        const stack = await SyncStack.create("waves", { project, applications: { waves: appConfig(repo, "app") } });
        stacks.push(stack);

        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);

        // The wave after the slow Deployment starts only once its pod is Ready (5 s after it started).
        const pods = JSON.parse(await k("get", "pods", "-n", ns, "-l", "app=slow", "-o", "json")) as {
            items: { status: { conditions: { type: string; lastTransitionTime: string }[] } }[];
        };
        const readyAt = Date.parse(pods.items[0].status.conditions.find((c) => c.type === "Ready")!.lastTransitionTime);
        const after = await creationTime("configmap", "after-slow");
        expect(after).toBeGreaterThanOrEqual(readyAt);
        // ...and the gate noticed within a second (timestamps have one-second resolution).
        expect(after - readyAt).toBeLessThanOrEqual(2_000);
        expect(await creationTime("deployment", "slow")).toBeGreaterThanOrEqual(await creationTime("configmap", "settings"));

        // The PreSync hook ran (and is kept: BeforeHookCreation); the HookSucceeded PostSync hook is gone.
        expect(await k("get", "job", "migrate", "-n", ns, "-o", "jsonpath={.status.succeeded}")).toBe("1");
        expect((await kTry("get", "job", "smoke", "-n", ns)).ok).toBe(false);
        const migrateUid = await k("get", "job", "migrate", "-n", ns, "-o", "jsonpath={.metadata.uid}");

        const outputs = (await stack.outputs()).summaries as { revision: string; stages: { phase: string; wave: number }[] }[];
        expect(outputs[0].revision).toBe(first);
        expect(outputs[0].stages.map((s) => `${s.phase}/${s.wave}`)).toEqual(["PreSync/0", "Sync/0", "Sync/1", "Sync/2", "PostSync/0"]);

        // Nothing changed: no update, no gate and no hook runs again.
        const again = await stack.preview("--expect-no-changes");
        expect(again.code, again.stdout + again.stderr).toBe(0);
        const second = await stack.up();
        expect(second.code).toBe(0);
        expect(second.stdout).not.toMatch(/\b(created|updated|replaced)\b/);
        expect(await k("get", "job", "migrate", "-n", ns, "-o", "jsonpath={.metadata.uid}")).toBe(migrateUid);

        // A new commit is a diff in preview, and its sync runs the PreSync hook again.
        const next = repo.commit({ "app/config.yaml": yaml(configMap("settings", wave(0), { key: "changed" })) });
        const preview = await stack.preview();
        expect(preview.code).toBe(0);
        expect(preview.stdout).toContain(next);
        expect(preview.stdout).toMatch(/settings[\s\S]*changed/);
        expect((await stack.up()).code).toBe(0);
        expect(await k("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.key}")).toBe("changed");
        expect(await k("get", "job", "migrate", "-n", ns, "-o", "jsonpath={.metadata.uid}")).not.toBe(migrateUid);

        // Manifests removed from git stay without prune (Argo CD's default) and are reported as
        // requiring pruning; an explicit prune (the CLI's --prune) deletes them, the later wave first.
        repo.commit({ "app/after.yaml": null, "app/config.yaml": null });
        const kept = await stack.up();
        expect(kept.code, kept.stdout + kept.stderr).toBe(0);
        expect((await kTry("get", "configmap", "after-slow", "-n", ns)).ok).toBe(true);
        expect((await stack.pruner("waves"))?.requiresPruning.map((e) => e.id).sort()).toEqual([`/ConfigMap/${ns}/after-slow`, `/ConfigMap/${ns}/settings`]);
        const prune = await stack.up({ SYNCWAVE_PRUNE: "true" });
        expect(prune.code, prune.stdout + prune.stderr).toBe(0);
        expect((await stack.pruner("waves"))?.lastPruned).toEqual([`/ConfigMap/${ns}/after-slow`, `/ConfigMap/${ns}/settings`]);
        expect((await stack.pruner("waves"))?.requiresPruning).toEqual([]);
        expect((await kTry("get", "configmap", "after-slow", "-n", ns)).ok).toBe(false);
        expect((await kTry("get", "configmap", "settings", "-n", ns)).ok).toBe(false);
        expect((await kTry("get", "deployment", "slow", "-n", ns)).ok).toBe(true);
        expect(((await stack.outputs()).summaries as { health: { status: string } }[])[0].health.status).toBe("Healthy");
    });

    it("stops at a Degraded wave: later waves are not applied and the SyncFail hook runs", async () => {
        const repo = new TestRepo();
        const failNs = `${ns}-fail`;
        repo.commit({
            "app/broken.yaml": yaml(deployment("broken", wave(1), { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "config file missing" })),
            "app/later.yaml": yaml(configMap("later", wave(2))),
            "app/cleanup.yaml": yaml(job("cleanup", { "argocd.argoproj.io/hook": "SyncFail" })),
        });
        const stack = await SyncStack.create("degraded", { project, applications: { degraded: appConfig(repo, "app", failNs) } });
        stacks.push(stack);
        const up = await stack.up();
        expect(up.code).not.toBe(0);
        const output = up.stdout + up.stderr;
        expect(output).toContain("Deployment");
        expect(output).toMatch(/broken is Degraded: .*CrashLoopBackOff/);
        expect(output).toContain("config file missing");
        expect(output).toMatch(/SyncFail hook cleanup ran/);
        expect((await kTry("get", "configmap", "later", "-n", failNs)).ok).toBe(false);
        expect(await k("get", "job", "cleanup", "-n", failNs, "-o", "jsonpath={.status.succeeded}")).toBe("1");
        await kTry("delete", "namespace", failNs, "--wait=false");
    });

    it("times out naming the resource, its status and its last message", async () => {
        const repo = new TestRepo();
        const slowNs = `${ns}-slow`;
        repo.commit({
            "app/slow.yaml": yaml(deployment("never-ready", { ...wave(0), "syncwave.dev/health-timeout": "3s" }, { "syncwave.dev/ready-after": "60s" })),
        });
        const stack = await SyncStack.create("timeout", { project, applications: { timeout: appConfig(repo, "app", slowNs) } });
        stacks.push(stack);
        const up = await stack.up();
        expect(up.code).not.toBe(0);
        expect(up.stdout + up.stderr).toMatch(/Deployment sync-[a-z0-9]+-slow\/never-ready did not become Healthy: timed out after 3s; last seen: .*Progressing/);
        await kTry("delete", "namespace", slowNs, "--wait=false");
    });

    it("refuses a resource outside its Project before applying anything", async () => {
        const repo = new TestRepo();
        const refusedNs = `${ns}-refused`;
        repo.commit({
            "app/ok.yaml": yaml(configMap("fine", wave(0))),
            "app/role.yaml": yaml({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: `escape-${run}` }, rules: [] }),
        });
        const stack = await SyncStack.create("refused", { project, applications: { refused: appConfig(repo, "app", refusedNs) } });
        stacks.push(stack);
        const preview = await stack.preview();
        expect(preview.code).not.toBe(0);
        const output = preview.stdout + preview.stderr;
        expect(output).toContain("application refused");
        expect(output).toContain(`ClusterRole escape-${run} (app/role.yaml)`);
        expect(output).toContain("project-cluster-resource-whitelist");
        const up = await stack.up();
        expect(up.code).not.toBe(0);
        expect((await kTry("get", "namespace", refusedNs)).ok).toBe(false);
        expect((await kTry("get", "clusterrole", `escape-${run}`)).ok).toBe(false);
    });

    it("gates a wave on a custom health rule for a custom resource", async () => {
        const repo = new TestRepo();
        const crNs = `${ns}-custom`;
        const crd = {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: `databases.example.com`, annotations: wave(-1) },
            spec: {
                group: "example.com",
                scope: "Namespaced",
                names: { kind: "Database", plural: "databases", singular: "database" },
                versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
            },
        };
        repo.commit({
            "app/crd.yaml": yaml(crd),
            "app/db.yaml": yaml({ apiVersion: "example.com/v1", kind: "Database", metadata: { name: "orders", annotations: wave(0) }, spec: { size: "small" } }),
            "app/after.yaml": yaml(configMap("after-db", wave(1))),
        });
        const stack = await SyncStack.create("custom", { project, applications: { custom: appConfig(repo, "app", crNs) } });
        stacks.push(stack);
        const up = stack.up();
        // The "operator": reports the database Online a few seconds after it appears.
        await new Promise<void>((resolve) => {
            const poll = setInterval(async () => {
                if ((await kTry("get", "database", "orders", "-n", crNs)).ok) {
                    clearInterval(poll);
                    await new Promise((r) => setTimeout(r, 3_000));
                    await k("patch", "database", "orders", "-n", crNs, "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Online"}}');
                    resolve();
                }
            }, 500);
        });
        const onlineAt = Date.now();
        const result = await up;
        expect(result.code, result.stdout + result.stderr).toBe(0);
        expect(await creationTime("configmap", "after-db", crNs)).toBeGreaterThanOrEqual(Math.floor(onlineAt / 1000) * 1000 - 1000);
        await kTry("delete", "namespace", crNs, "--wait=false");
    });

    it("deploys Kustomize and Helm sources", async () => {
        const repo = new TestRepo();
        const kNs = `${ns}-kustomize`;
        const hNs = `${ns}-helm`;
        repo.commit({
            "kustomize/kustomization.yaml": yaml({ resources: ["cm.yaml"], namePrefix: "k-", commonLabels: { team: "shop" } }),
            "kustomize/cm.yaml": yaml(configMap("settings")),
            "chart/Chart.yaml": yaml({ apiVersion: "v2", name: "demo", version: "0.1.0" }),
            "chart/values.yaml": yaml({ greeting: "hello", replicas: 1 }),
            "chart/values-prod.yaml": yaml({ greeting: "hello from prod" }),
            "chart/templates/cm.yaml": [
                "apiVersion: v1",
                "kind: ConfigMap",
                "metadata:",
                "  name: {{ .Release.Name }}-greeting",
                "data:",
                "  greeting: {{ .Values.greeting | quote }}",
            ].join("\n"),
        });
        const stack = await SyncStack.create("renderers", {
            project,
            applications: {
                kustomized: appConfig(repo, "kustomize", kNs),
                charted: appConfig(repo, "chart", hNs, {
                    source: { repoURL: repo.url, targetRevision: "main", path: "chart", helm: { releaseName: "web", valueFiles: ["values-prod.yaml"] } },
                }),
            },
        });
        stacks.push(stack);
        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await k("get", "configmap", "k-settings", "-n", kNs, "-o", "jsonpath={.metadata.labels.team}")).toBe("shop");
        expect(await k("get", "configmap", "web-greeting", "-n", hNs, "-o", "jsonpath={.data.greeting}")).toBe("hello from prod");
        await kTry("delete", "namespace", kNs, hNs, "--wait=false");
    });

    it("Replace=true replaces in place (kubectl replace); only Replace=true,Force=true deletes and creates", async () => {
        const repo = new TestRepo();
        const replaceNs = `${ns}-replace`;
        const replaced = (value: string, options: string) => yaml(configMap("replaced", { "argocd.argoproj.io/sync-options": options }, { key: value }));
        repo.commit({ "app/cm.yaml": replaced("one", "Replace=true") });
        const stack = await SyncStack.create("replace", { project, applications: { replacing: appConfig(repo, "app", replaceNs) } });
        stacks.push(stack);
        expect((await stack.up()).code).toBe(0);
        const uid = () => k("get", "configmap", "replaced", "-n", replaceNs, "-o", "jsonpath={.metadata.uid}");
        const first = await uid();
        // A label someone added by hand is gone after a replace: the whole object is written.
        await k("label", "configmap", "replaced", "-n", replaceNs, "hand=made");
        repo.commit({ "app/cm.yaml": replaced("two", "Replace=true") });
        const update = await stack.up();
        expect(update.code, update.stdout + update.stderr).toBe(0);
        expect(await k("get", "configmap", "replaced", "-n", replaceNs, "-o", "jsonpath={.data.key}")).toBe("two");
        expect(await k("get", "configmap", "replaced", "-n", replaceNs, "-o", "jsonpath={.metadata.labels}")).not.toContain("hand");
        expect(await uid()).toBe(first);
        repo.commit({ "app/cm.yaml": replaced("three", "Replace=true,Force=true") });
        const forced = await stack.up();
        expect(forced.code, forced.stdout + forced.stderr).toBe(0);
        expect(await k("get", "configmap", "replaced", "-n", replaceNs, "-o", "jsonpath={.data.key}")).toBe("three");
        expect(await uid()).not.toBe(first);
        await kTry("delete", "namespace", replaceNs, "--wait=false");
    });

    it("refuses a source that cannot be fetched, and keeps what runs", async () => {
        const repo = new TestRepo();
        const keepNs = `${ns}-keep`;
        repo.commit({ "app/cm.yaml": yaml(configMap("precious")) });
        const stack = await SyncStack.create("unreachable", { project, applications: { keep: appConfig(repo, "app", keepNs) } });
        stacks.push(stack);
        expect((await stack.up()).code).toBe(0);
        stack.setConfig({ project, applications: { keep: appConfig(repo, "app", keepNs, { source: { repoURL: "file:///tmp/does-not-exist", path: "app" } }) } });
        const up = await stack.up();
        expect(up.code).not.toBe(0);
        expect(up.stdout + up.stderr).toMatch(/application keep, field source\.repoURL: git fetch of .*does-not-exist failed/);
        expect((await kTry("get", "configmap", "precious", "-n", keepNs)).ok).toBe(true);
        // An empty render is refused as well.
        stack.setConfig({ project, applications: { keep: appConfig(repo, "app", keepNs) } });
        repo.commit({ "app/cm.yaml": null, "app/README.md": "nothing to deploy\n" });
        const empty = await stack.up();
        expect(empty.code).not.toBe(0);
        expect(empty.stdout + empty.stderr).toContain("the source rendered no manifests");
        expect((await kTry("get", "configmap", "precious", "-n", keepNs)).ok).toBe(true);
        await kTry("delete", "namespace", keepNs, "--wait=false");
    });
});
