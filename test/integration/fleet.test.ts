// Fleets end to end on the local clusters, through the main stack program and `syncwave sync`: app of
// apps (child waves wait for health, child removal with and without the cascade finalizer, projects the
// platform did not allow), dependsOn (order, cycle refused), an ApplicationSet across two clusters with
// a RollingSync (dev before prod, halted by a failing step), a generator failure that changes nothing,
// and the mass-deletion guard. The second cluster is shared by every test of this file.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync, SyncError, type SyncResult } from "../../cli/commands/sync";
import { diff } from "../../cli/commands/diff";
import { history } from "../../cli/commands/history";
import { readPins, unpin } from "../../cli/commands/rollback";
import { ensureCluster, ensureSecondCluster, k, kSecond, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `fleet-${run}`;

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const configMap = (name: string, data: Record<string, string> = { v: "1" }) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

/** A Deployment whose pod becomes Ready after `readyAfter`, or never (`fail`): the local cluster's kwok stages read these annotations. */
function deployment(name: string, pod: { readyAfter?: string; fail?: boolean } = {}) {
    const annotations: Record<string, string> = {};
    if (pod.readyAfter) annotations["syncwave.dev/ready-after"] = pod.readyAfter;
    if (pod.fail) annotations["syncwave.dev/fail"] = "true";
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } },
        },
    };
}

/** A child Application manifest as a parent's source renders it. */
function childApp(repo: TestRepo, name: string, options: { wave?: number; finalizer?: boolean; project?: string; dependsOn?: string } = {}) {
    const annotations: Record<string, string> = {};
    if (options.wave !== undefined) annotations["argocd.argoproj.io/sync-wave"] = String(options.wave);
    if (options.dependsOn) annotations["syncwave.dev/depends-on"] = options.dependsOn;
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name, namespace: "argocd", annotations, ...(options.finalizer ? { finalizers: ["resources-finalizer.argocd.argoproj.io"] } : {}) },
        spec: {
            project: options.project ?? "team",
            source: { repoURL: repo.url, targetRevision: "main", path: `children/${name}` },
            destination: { server: "https://kubernetes.default.svc", namespace: ns },
            syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
        },
    };
}

const teamProject = {
    sourceRepos: ["file:///tmp/*"],
    destinations: [{ server: "*", namespace: "fleet-*" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
};

async function creationTime(kind: string, name: string, namespace = ns, kubectl = k): Promise<number> {
    return Date.parse(await kubectl("get", kind, name, "-n", namespace, "-o", "jsonpath={.metadata.creationTimestamp}"));
}

async function syncFailure(run: Promise<SyncResult>): Promise<string> {
    try {
        const result = await run;
        throw new Error(`the sync was expected to fail, but it ended ${result.result}`);
    } catch (err) {
        if (!(err instanceof SyncError)) throw err;
        return err.message;
    }
}

describe("fleets on the local clusters", () => {
    const stacks: SyncStack[] = [];
    let secondKubeconfig = "";

    beforeAll(async () => {
        await ensureCluster();
        secondKubeconfig = await ensureSecondCluster();
    });

    afterAll(async () => {
        for (const s of stacks) await s.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
        await kSecond("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
    });

    async function stackWith(name: string, config: Record<string, unknown>) {
        const stack = await SyncStack.create(name, { healthTimeout: "25s", ...config }, { projectDir: root, configDir: resolve(root, "stacks") });
        stacks.push(stack);
        return { stack, options: { stack: stack.name, cwd: root, env: stack.env } };
    }

    it("app of apps: child waves wait for health, children obey the platform's projects, removal follows the finalizer", async () => {
        const repo = new TestRepo();
        repo.commit({
            // Wave 0: a database that is Ready only after 6 s; wave 1 must wait for it.
            "root/db.yaml": yaml(childApp(repo, "db", { wave: 0, finalizer: true })),
            "root/api.yaml": yaml(childApp(repo, "api", { wave: 1 })),
            "root/own.yaml": yaml(configMap("root-own")),
            "children/db/db.yaml": yaml(deployment("db", { readyAfter: "6s" })),
            "children/api/api.yaml": yaml(configMap("api")),
        });
        const platform = { projects: { team: teamProject, platform: teamProject }, applications: { root: ["platform"] }, parents: { root: ["team"] } };
        const root = {
            project: "platform",
            source: { repoURL: repo.url, targetRevision: "main", path: "root" },
            destination: { server: "https://kubernetes.default.svc", namespace: ns },
            syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
        };
        const { stack, options } = await stackWith("aoa", { platform, applications: { root } });

        // The preview names the children before any of their objects.
        const preview = await diff(options);
        expect(preview.fleet).toEqual([expect.objectContaining({ owner: "application root", added: expect.arrayContaining(["db", "api"]) })]);

        const first = await sync(options);
        expect(first.result).toBe("succeeded");
        const db = await creationTime("deployment", "db");
        const api = await creationTime("configmap", "api");
        // The wave-1 child started only once the wave-0 child was Healthy (its pod needs 6 s).
        expect(api - db).toBeGreaterThanOrEqual(5_000);
        expect(await creationTime("configmap", "root-own")).toBeLessThanOrEqual(api);
        // `sync --app api` syncs that child alone: its parent declares it, and nothing of the parent changes.
        repo.commit({ "children/api/api.yaml": yaml(configMap("api", { v: "2" })), "root/own.yaml": yaml(configMap("root-own", { v: "2" })) });
        expect((await sync({ ...options, app: "api" })).result).toBe("succeeded");
        expect(await k("get", "configmap", "api", "-n", ns, "-o", "jsonpath={.data.v}")).toBe("2");
        expect(await k("get", "configmap", "root-own", "-n", ns, "-o", "jsonpath={.data.v}")).toBe("1");
        // Children are components under their parent.
        const urns = (await stack.resources()).map((r) => r.urn);
        expect(urns).toContainEqual(expect.stringMatching(/syncwave:index:Application\$syncwave:index:Application::db$/));

        // A child naming a project the platform did not allow for this parent is refused: nothing changes.
        repo.commit({ "root/rogue.yaml": yaml(childApp(repo, "rogue", { project: "platform" })), "children/rogue/cm.yaml": yaml(configMap("rogue")) });
        const refused = await syncFailure(sync(options));
        expect(refused).toMatch(/rogue names project platform, but the platform assigned parent application root only team/);
        expect((await kTry("get", "configmap", "rogue", "-n", ns)).ok).toBe(false);
        // The parent was left out of the sync, and with it everything under it: its children stay declared and running.
        expect((await stack.resources()).map((r) => r.urn).filter((u) => /Application\$syncwave:index:Application::(db|api)$/.test(u))).toHaveLength(2);
        expect((await kTry("get", "deployment", "db", "-n", ns)).ok).toBe(true);
        repo.commit({ "root/rogue.yaml": null, "children/rogue/cm.yaml": null });

        // Both children leave the parent's manifests: db has the cascade finalizer (its objects go),
        // api has none (its objects stay, orphaned).
        repo.commit({ "root/db.yaml": null, "root/api.yaml": null });
        // A manual sync does not prune (automated.prune is for automated syncs): the children stay, as they were.
        const manual = await sync({ ...options, syncKind: "manual", allowFleetDeletion: true });
        expect(manual.result).toBe("succeeded");
        expect((await stack.resources()).map((r) => r.urn).filter((u) => /Application\$syncwave:index:Application::(db|api)$/.test(u))).toHaveLength(2);
        expect((await kTry("get", "deployment", "db", "-n", ns)).ok).toBe(true);
        const removed = await sync({ ...options, allowFleetDeletion: true });
        expect(removed.result).toBe("succeeded");
        expect((await kTry("get", "deployment", "db", "-n", ns)).ok).toBe(false);
        expect((await kTry("get", "configmap", "api", "-n", ns)).ok).toBe(true);
        expect((await kTry("get", "configmap", "root-own", "-n", ns)).ok).toBe(true);
        const after = (await stack.resources()).map((r) => r.urn);
        expect(after.some((u) => u.endsWith("::db") || u.endsWith("::api"))).toBe(false);
    });

    it("the mass-deletion guard refuses a parent that drops all its children, until allowed", async () => {
        const repo = new TestRepo();
        repo.commit({
            "root/a.yaml": yaml(childApp(repo, "guard-a")),
            "root/b.yaml": yaml(childApp(repo, "guard-b")),
            "children/guard-a/cm.yaml": yaml(configMap("guard-a")),
            "children/guard-b/cm.yaml": yaml(configMap("guard-b")),
        });
        const platform = { projects: { team: teamProject }, applications: { guard: ["team"] }, parents: { guard: ["team"] } };
        const parent = {
            project: "team",
            source: { repoURL: repo.url, targetRevision: "main", path: "root" },
            destination: { server: "https://kubernetes.default.svc", namespace: ns },
            syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
        };
        const { stack, options } = await stackWith("guard", { platform, applications: { guard: parent } });
        expect((await sync(options)).result).toBe("succeeded");

        repo.commit({ "root/a.yaml": null, "root/b.yaml": null, "root/keep.yaml": yaml(configMap("guard-own")) });
        const refused = await syncFailure(sync(options));
        expect(refused).toMatch(/guard-a/);
        expect(refused).toMatch(/allow-fleet-deletion/);
        const kept = (await stack.resources()).map((r) => r.urn);
        expect(kept.filter((u) => /Application::guard-[ab]$/.test(u))).toHaveLength(2);

        expect((await sync({ ...options, allowFleetDeletion: true })).result).toBe("succeeded");
        const gone = (await stack.resources()).map((r) => r.urn);
        expect(gone.filter((u) => /Application::guard-[ab]$/.test(u))).toHaveLength(0);
        // No cascade finalizer: their objects stay.
        expect((await kTry("get", "configmap", "guard-a", "-n", ns)).ok).toBe(true);
    });

    it("an ApplicationSet's mass-deletion guard refuses, --allow-fleet-deletion proceeds, and generated Applications cascade by default", async () => {
        const repo = new TestRepo();
        repo.commit({ "team/cm.yaml": yaml(configMap("team")) });
        const list = (teams: string[]) => ({
            generators: [{ list: { elements: teams.map((team) => ({ team })) } }],
            template: {
                metadata: { name: "team-{{team}}" },
                spec: {
                    project: "team",
                    source: { repoURL: repo.url, targetRevision: "main", path: "team" },
                    destination: { server: "https://kubernetes.default.svc", namespace: `${ns}-{{team}}` },
                    syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
                },
            },
        });
        const platform = { projects: { team: teamProject }, applicationSets: { teams: ["team"] } };
        const { stack, options } = await stackWith("teams", { platform, applicationSets: { teams: list(["a", "b", "c"]) } });
        expect((await sync(options)).result).toBe("succeeded");
        for (const t of ["a", "b", "c"]) expect((await kTry("get", "configmap", "team", "-n", `${ns}-${t}`)).ok).toBe(true);

        // The generator now yields one of three: two deletions, more than half of what the set owns.
        stack.setConfig({ healthTimeout: "25s", platform, applicationSets: { teams: list(["a"]) } });
        const refused = await syncFailure(sync(options));
        expect(refused).toMatch(/team-b/);
        expect(refused).toMatch(/team-c/);
        expect((await stack.resources()).filter((r) => /Application::team-[abc]$/.test(r.urn))).toHaveLength(3);

        expect((await sync({ ...options, allowFleetDeletion: true })).result).toBe("succeeded");
        expect((await stack.resources()).filter((r) => /Application::team-[abc]$/.test(r.urn)).map((r) => r.urn.split("::").pop())).toEqual(["team-a"]);
        // Argo CD gives generated Applications the cascade finalizer: their objects went with them.
        expect((await kTry("get", "configmap", "team", "-n", `${ns}-b`)).ok).toBe(false);
        expect((await kTry("get", "configmap", "team", "-n", `${ns}-a`)).ok).toBe(true);
        await kTry("delete", "namespace", `${ns}-a`, `${ns}-b`, `${ns}-c`, "--wait=false");
    });

    it("dependsOn: a dependent syncs after its dependency is Healthy; a cycle is refused naming it", async () => {
        const repo = new TestRepo();
        repo.commit({ "queue/q.yaml": yaml(deployment("queue", { readyAfter: "6s" })), "worker/w.yaml": yaml(configMap("worker")) });
        const app = (path: string, dependsOn?: string[]) => ({
            project: "team",
            source: { repoURL: repo.url, targetRevision: "main", path },
            destination: { server: "https://kubernetes.default.svc", namespace: ns },
            syncPolicy: { syncOptions: ["CreateNamespace=true"] },
            ...(dependsOn ? { dependsOn } : {}),
        });
        const platform = { projects: { team: teamProject }, applications: { queue: ["team"], worker: ["team"] } };
        const { stack, options } = await stackWith("deps", { platform, applications: { worker: app("worker", ["queue"]), queue: app("queue") } });
        expect((await sync(options)).result).toBe("succeeded");
        expect((await creationTime("configmap", "worker")) - (await creationTime("deployment", "queue"))).toBeGreaterThanOrEqual(5_000);

        stack.setConfig({ healthTimeout: "25s", platform, applications: { worker: app("worker", ["queue"]), queue: app("queue", ["worker"]) } });
        const cycle = await syncFailure(sync(options));
        expect(cycle).toMatch(/dependsOn forms a cycle: (queue → worker → queue|worker → queue → worker)/);
    });

    it("an ApplicationSet across two clusters rolls out dev before prod, halts on a failing step, and a generator failure changes nothing", async () => {
        const repo = new TestRepo();
        // dev is Healthy only 5 s after it is applied: prod, the next step, must wait for that.
        const healthy = repo.commit({
            "web/dev/cm.yaml": yaml(configMap("web", { env: "dev" })),
            "web/dev/slow.yaml": yaml(deployment("slow", { readyAfter: "5s" })),
            "web/prod/cm.yaml": yaml(configMap("web", { env: "prod" })),
        });
        const clusters = {
            "in-cluster": { labels: { env: "dev", fleet: "yes" } },
            second: { kubeconfig: secondKubeconfig, labels: { env: "prod", fleet: "yes" } },
        };
        const applicationSet = (generators: unknown[]) => ({
            annotations: { "syncwave.dev/rollback-on-failure": "true" },
            generators,
            template: {
                metadata: { name: "web-{{name}}", labels: { env: "{{metadata.labels.env}}" } },
                spec: {
                    project: "team",
                    source: { repoURL: repo.url, targetRevision: "main", path: "web/{{metadata.labels.env}}" },
                    destination: { server: "{{server}}", namespace: ns },
                    syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
                },
            },
            strategy: {
                type: "RollingSync",
                rollingSync: { steps: [{ matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] }, { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] }] },
            },
        });
        const byClusters = [{ clusters: { selector: { matchLabels: { fleet: "yes" } } } }];
        const platform = { projects: { team: teamProject }, applicationSets: { web: ["team"] } };
        const { stack, options } = await stackWith("appset", { platform, clusters, applicationSets: { web: applicationSet(byClusters) } });

        const first = await sync(options);
        expect(first.result).toBe("succeeded");
        expect(await k("get", "configmap", "web", "-n", ns, "-o", "jsonpath={.data.env}")).toBe("dev");
        expect(await kSecond("get", "configmap", "web", "-n", ns, "-o", "jsonpath={.data.env}")).toBe("prod");
        // Step 2 (prod) started after step 1 (dev) was Healthy.
        expect((await creationTime("configmap", "web", ns, kSecond)) - (await creationTime("deployment", "slow"))).toBeGreaterThanOrEqual(4_000);

        // dev now fails its health: the rollout halts at step 1 and prod is not touched.
        repo.commit({ "web/dev/bad.yaml": yaml(deployment("bad", { fail: true })), "web/prod/new.yaml": yaml(configMap("prod-new")) });
        const halted = await syncFailure(sync(options));
        expect(halted).toMatch(/web-in-cluster/);
        expect(await kSecond("get", "configmap", "-n", ns, "-o", "name")).not.toMatch(/prod-new/);
        // rollback-on-failure: the failed step (dev) went back to its last Healthy commit, pinned, and
        // the history says so; what the bad commit added is gone again.
        expect(halted).toMatch(/step 1 failed/);
        expect((await readPins(options))["web-in-cluster"]).toMatchObject({ revision: healthy, reason: expect.stringMatching(/auto-rollback: step 1 of ApplicationSet web failed/) });
        expect((await kTry("get", "deployment", "bad", "-n", ns)).ok, halted).toBe(false);
        expect((await history(options))[0]).toMatchObject({ kind: "auto-rollback", result: "succeeded", revisions: { "web-in-cluster": healthy } });
        await unpin("web-in-cluster", options);
        repo.commit({ "web/dev/bad.yaml": null });

        // A generator that fails (a git generator whose repository is gone) changes nothing.
        const before = (await stack.resources()).map((r) => r.urn).sort();
        stack.setConfig({
            healthTimeout: "25s",
            platform,
            clusters,
            applicationSets: { web: applicationSet([{ git: { repoURL: "file:///tmp/no-such-repository", revision: "main", directories: [{ path: "*" }] } }]) },
        });
        const failed = await syncFailure(sync(options));
        expect(failed).toMatch(/ApplicationSet web/);
        expect(failed).toMatch(/nothing of this ApplicationSet is created, updated or deleted/);
        expect((await stack.resources()).map((r) => r.urn).sort()).toEqual(before);
        expect(await kSecond("get", "configmap", "web", "-n", ns, "-o", "jsonpath={.data.env}")).toBe("prod");
    });
});
