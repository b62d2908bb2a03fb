// Hooks on the local cluster, through the CLI's sync: when they run (a changed desired state, a retry
// after a failed sync, --force-hooks; never for a commit elsewhere in the repository), generateName
// runs that never collide, Helm test hooks never applied, SyncFail for an object the API server
// refuses, PreDelete before an Application's objects are deleted and blocking when it fails.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { diff, formatDiff } from "../../cli/commands/diff";
import { sync, SyncError } from "../../cli/commands/sync";
import { processAlive } from "../../cli/stale-lock";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { descendants } from "../helpers/processes";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `hooks-${run}`;
const teardownNs = `hooks-${run}-td`;

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const configMap = (name: string, value: string, annotations: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, annotations },
    data: { value },
});
function job(metadata: Record<string, unknown>, fail = false) {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata,
        spec: {
            backoffLimit: 0,
            template: {
                metadata: { annotations: fail ? { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "migration failed" } : {} },
                spec: { restartPolicy: "Never", containers: [{ name: "task", image: "example.com/task:1" }] },
            },
        },
    };
}
const migrate = (fail: boolean) =>
    job({ generateName: "migrate-", annotations: { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded" } }, fail);
const helmTest = { apiVersion: "v1", kind: "Pod", metadata: { name: "chart-test", annotations: { "helm.sh/hook": "test" } }, spec: { containers: [{ name: "t", image: "example.com/t:1" }] } };
const cleanup = job({ name: "cleanup", annotations: { "argocd.argoproj.io/hook": "SyncFail" } });

function stackConfig(repo: TestRepo, apps: string[]) {
    const project = {
        sourceRepos: ["file:///tmp/*"],
        destinations: [{ server: "https://kubernetes.default.svc", namespace: "hooks-*" }],
        clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
    };
    const app = (path: string, namespace: string, finalizers: string[] = []) => ({
        project: "team",
        source: { repoURL: repo.url, targetRevision: "main", path },
        destination: { server: "https://kubernetes.default.svc", namespace },
        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
        finalizers,
    });
    const all: Record<string, object> = {
        jobs: app("jobs", ns),
        teardown: app("teardown", teardownNs, ["resources-finalizer.argocd.argoproj.io"]),
    };
    return {
        platform: { projects: { team: project }, applications: { jobs: ["team"], teardown: ["team"] } },
        applications: Object.fromEntries(apps.map((a) => [a, all[a]])),
        healthTimeout: "60s",
    };
}

async function migrateRuns(): Promise<string[]> {
    const out = await k("get", "jobs", "-n", ns, "-o", "jsonpath={range .items[*]}{.metadata.name}{' '}{.status.failed}{'\\n'}{end}");
    return out.split("\n").filter((l) => l.startsWith("migrate-"));
}

describe("hooks", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    const syncError = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as SyncError);

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        repo.commit({
            "README.md": "# hooks\n",
            "jobs/cm.yaml": yaml(configMap("settings", "1")),
            "jobs/migrate.yaml": yaml(migrate(false)),
            "jobs/chart-test.yaml": yaml(helmTest),
            "jobs/cleanup.yaml": yaml(cleanup),
            "teardown/cm.yaml": yaml(configMap("kept-until-teardown", "1")),
            "teardown/pre-delete.yaml": yaml(job({ name: "drain", annotations: { "argocd.argoproj.io/hook": "PreDelete" } }, true)),
        });
        stack = await SyncStack.create("hooks", stackConfig(repo, ["jobs", "teardown"]), { projectDir: root, configDir: resolve(root, "stacks") });
        options = { stack: stack.name, cwd: root, env: stack.env };
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, teardownNs, "--wait=false");
    });

    it("runs hooks when the desired state changes, after a failed sync and when forced; never for a commit elsewhere", async () => {
        const lines: string[] = [];
        const first = await sync({ ...options, progress: (l) => lines.push(l) });
        expect(first.failed).toEqual([]);
        expect(lines.some((l) => /jobs: PreSync hook migrate-[a-z0-9]{5}: Healthy/.test(l))).toBe(true);
        // HookSucceeded: the successful run is gone. A Helm test hook is never applied.
        expect(await migrateRuns()).toEqual([]);
        expect((await kTry("get", "pod", "chart-test", "-n", ns)).ok).toBe(false);
        expect((await kTry("get", "job", "cleanup", "-n", ns)).ok).toBe(false);

        // A commit that changes nothing the Application renders runs no hook.
        repo.commit({ "README.md": "# hooks, documented\n" });
        expect(formatDiff(await diff(options))).not.toMatch(/hook Job/);
        const quiet: string[] = [];
        await sync({ ...options, progress: (l) => quiet.push(l) });
        expect(quiet.filter((l) => /hook/.test(l))).toEqual([]);

        // --force-hooks runs them anyway, and the diff says so first, in their phase and wave.
        expect(formatDiff(await diff({ ...options, forceHooks: true }))).toMatch(/PreSync wave 0\n\s+>\s+hook Job hooks-[a-z0-9]+\/migrate-/);
        const forced: string[] = [];
        await sync({ ...options, forceHooks: true, progress: (l) => forced.push(l) });
        expect(forced.some((l) => /jobs: PreSync hook migrate-/.test(l))).toBe(true);

        // A failing hook fails the sync and runs SyncFail; HookSucceeded keeps the failed run.
        repo.commit({ "jobs/migrate.yaml": yaml(migrate(true)) });
        const failed = await syncError(sync({ ...options, app: "jobs" }));
        expect(failed?.message).toMatch(/PreSync hook Job .*migrate-[a-z0-9]{5} failed: Degraded/);
        expect(failed?.message).toMatch(/SyncFail hook cleanup ran/);
        expect(await migrateRuns()).toHaveLength(1);

        // A retry with nothing changed runs the hook again, under a fresh name: no AlreadyExists.
        const retried = await syncError(sync({ ...options, app: "jobs" }));
        expect(retried?.message).toMatch(/migrate-[a-z0-9]{5} failed: Degraded/);
        expect(retried?.message).not.toMatch(/AlreadyExists|already exists/);
        const runs = await migrateRuns();
        expect(runs).toHaveLength(2);
        expect(new Set(runs).size).toBe(2);

        // Fixed: the sync passes, and the next one with nothing changed runs nothing.
        repo.commit({ "jobs/migrate.yaml": yaml(migrate(false)) });
        expect((await sync({ ...options, app: "jobs" })).failed).toEqual([]);
        const after: string[] = [];
        await sync({ ...options, app: "jobs", progress: (l) => after.push(l) });
        expect(after.filter((l) => /hook/.test(l))).toEqual([]);
        expect(after.filter((l) => /teardown/.test(l))).toEqual([]);
    });

    it("a retry after an interrupted sync waits for the hook run it left, instead of starting a second", async () => {
        // A migration that runs for a while: the sync is killed while it runs.
        const slow = migrate(false);
        (slow.spec.template.metadata as { annotations: Record<string, string> }).annotations = { "syncwave.dev/ready-after": "25s" };
        repo.commit({ "jobs/migrate.yaml": yaml(slow) });
        const before = new Set((await migrateRuns()).map((l) => l.split(" ")[0]));
        const child = spawn(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, "sync", "--app", "jobs"], {
            env: { ...process.env, ...stack.env },
            detached: true,
            stdio: "ignore",
        });
        let started = "";
        for (let i = 0; i < 120 && !started; i++) {
            await new Promise((r) => setTimeout(r, 1_000));
            // The run this sync's hook started (earlier tests leave failed runs behind).
            started = (await migrateRuns()).map((l) => l.split(" ")[0]).find((name) => !before.has(name)) ?? "";
        }
        expect(started).toMatch(/^migrate-/);
        // Everything of that sync dies at once, as on a lost CI runner: the CLI, the pulumi engine it
        // started (in a process group of its own) and the engine's plugins.
        const killed = [child.pid!, ...descendants(child.pid!)];
        for (const pid of killed) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        for (let i = 0; i < 30 && killed.some(processAlive); i++) await new Promise((r) => setTimeout(r, 500));
        expect(killed.filter(processAlive)).toEqual([]);

        const lines: string[] = [];
        const retried = await sync({ ...options, app: "jobs", progress: (l) => lines.push(l) });
        expect(retried.failed).toEqual([]);
        expect(lines.some((l) => /the stack was locked by a sync that no longer runs .*: lock removed/.test(l)), lines.join("\n")).toBe(true);
        expect(lines, lines.join("\n")).toContain(`jobs: PreSync hook ${started}: Healthy`);
    });

    it("runs SyncFail hooks when the API server refuses an object", async () => {
        await k("delete", "job", "cleanup", "-n", ns, "--ignore-not-found");
        repo.commit({
            "jobs/bad.yaml": yaml({ apiVersion: "v1", kind: "Service", metadata: { name: "bad-port" }, spec: { ports: [{ port: 70000 }] } }),
        });
        const refused = await syncError(sync({ ...options, app: "jobs" }));
        expect(refused?.message).toMatch(/70000|port/);
        expect(refused?.message).toMatch(/jobs: SyncFail hook cleanup: Healthy/);
        expect(await k("get", "job", "cleanup", "-n", ns, "-o", "jsonpath={.status.succeeded}")).toBe("1");
        repo.commit({ "jobs/bad.yaml": null });
    });

    it("runs PreDelete hooks before deleting an Application, and a failed one stops the deletion", async () => {
        stack.setConfig(stackConfig(repo, ["jobs"]));
        const blocked = await syncError(sync(options));
        expect(blocked?.message).toMatch(/teardown is not deleted: its PreDelete hook failed/);
        // Nothing of it was deleted, and it is still in the state.
        expect(await k("get", "configmap", "kept-until-teardown", "-n", teardownNs, "-o", "jsonpath={.data.value}")).toBe("1");
        expect((await stack.resources()).some((r) => r.urn.endsWith("::teardown:prune"))).toBe(true);

        // Fixed in git and synced once more, then removed: the hook runs first, then the cascade deletes.
        stack.setConfig(stackConfig(repo, ["jobs", "teardown"]));
        repo.commit({ "teardown/pre-delete.yaml": yaml(job({ name: "drain", annotations: { "argocd.argoproj.io/hook": "PreDelete" } }, false)) });
        expect((await sync(options)).failed).toEqual([]);
        stack.setConfig(stackConfig(repo, ["jobs"]));
        await sync(options);
        expect(await k("get", "job", "drain", "-n", teardownNs, "-o", "jsonpath={.status.succeeded}")).toBe("1");
        expect((await kTry("get", "configmap", "kept-until-teardown", "-n", teardownNs)).ok).toBe(false);
    });
});
