// The state a sync writes works from another clone at another path, and without ts-node: a stack is
// synced from one copy of the repository, that copy is removed, and a second copy elsewhere shows the
// stack's status, refreshes it and destroys it (the PostDelete hook, the cascade and the Replace=true
// object all run their providers' runtime) against the same state backend.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { status } from "../../cli/commands/status";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { expectOk, pulumi } from "../helpers/pulumi";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `portable-${run}`;
const fixture = "test/fixtures/sync-project";

/** A copy of the working tree (what git tracks or would track), as a user's clone, without node_modules. */
function copyOfRepository(parent: string): string {
    const dir = join(parent, "syncwave");
    const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const file of files) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        cpSync(join(root, file), join(dir, file), { verbatimSymlinks: true });
    }
    return dir;
}

/** node_modules as installed for the copy: every package of this checkout's, ts-node left out when asked. */
function installModules(dir: string, options: { withoutTsNode: boolean }): void {
    const target = join(dir, "node_modules");
    rmSync(target, { recursive: true, force: true });
    if (!options.withoutTsNode) {
        symlinkSync(join(root, "node_modules"), target);
        return;
    }
    mkdirSync(target);
    for (const entry of readdirSync(join(root, "node_modules"))) {
        if (entry === "ts-node" || entry === ".bin") continue;
        symlinkSync(join(root, "node_modules", entry), join(target, entry));
    }
}

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const job = (name: string, annotations: Record<string, string>) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, annotations },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "task", image: "example.com/task:1" }] } } },
});

describe("state written from one clone, used from another", () => {
    let stack: SyncStack;
    let first: string;
    let second: string;
    let secondProject = "";

    beforeAll(async () => {
        await ensureCluster();
        // The namespace is not the Application's: the PostDelete hook runs there after the cascade.
        await k("create", "namespace", ns);
        first = copyOfRepository(mkdtempSync(join(tmpdir(), "syncwave-first-")));
        second = copyOfRepository(join(mkdtempSync(join(tmpdir(), "syncwave-second-")), "elsewhere"));
        installModules(first, { withoutTsNode: false });
        const repo = new TestRepo();
        repo.commit({
            "app/config.yaml": yaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { key: "value" } }),
            "app/replaced.yaml": yaml({
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "replaced", annotations: { "argocd.argoproj.io/sync-options": "Replace=true", "argocd.argoproj.io/sync-wave": "1" } },
                data: { key: "value" },
            }),
            "app/migrate.yaml": yaml(job("migrate", { "argocd.argoproj.io/hook": "PreSync" })),
            "app/goodbye.yaml": yaml(job("goodbye", { "argocd.argoproj.io/hook": "PostDelete" })),
        });
        stack = await SyncStack.create(
            "portable",
            {
                project: {
                    sourceRepos: ["file:///tmp/*"],
                    destinations: [{ server: "https://kubernetes.default.svc", namespace: "portable-*" }],
                },
                applications: {
                    shop: {
                        source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                        destination: { server: "https://kubernetes.default.svc", namespace: ns },
                        finalizers: ["resources-finalizer.argocd.argoproj.io"],
                        syncPolicy: { automated: { prune: true } },
                    },
                },
            },
            { projectDir: join(first, fixture) },
        );
    }, 300_000);

    afterAll(async () => {
        // Whatever a failed step left: destroyed from the copy that still exists, then removed.
        const project = secondProject || join(first, fixture);
        installModules(dirname(dirname(dirname(project))), { withoutTsNode: false });
        await pulumi(["destroy", "--yes", "--skip-preview", "--stack", stack.name], project, stack.env);
        await pulumi(["stack", "rm", "--yes", "--force", "--stack", stack.name], project, stack.env);
        await kTry("delete", "namespace", ns, "--wait=false");
        rmSync(dirname(first), { recursive: true, force: true });
        rmSync(dirname(dirname(second)), { recursive: true, force: true });
    }, 600_000);

    it("syncs from the first clone and stores no path of it", async () => {
        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await k("get", "configmap", "replaced", "-n", ns, "-o", "jsonpath={.data.key}")).toBe("value");
        const state = expectOk(await stack.run(["stack", "export", "--show-secrets"]), "stack export").stdout;
        const resources = (JSON.parse(state) as { deployment: { resources: { type: string; outputs?: { __provider?: string } }[] } }).deployment.resources;
        const dynamic = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/syncwave:"));
        expect(new Set(dynamic.map((r) => r.type.split(":").pop()))).toEqual(new Set(["Hook", "HealthGate", "Pruner", "ReplacedObject", "ApplicationRecord", "SyncResult"]));
        for (const r of dynamic) expect(r.outputs?.__provider).not.toMatch(/require\(\s*["']ts-node/);
        expect(state).not.toContain(first);
    }, 600_000);

    it("shows status, refreshes and destroys from a second clone at another path, the first one gone", async () => {
        secondProject = join(second, fixture);
        copyFileSync(stack.file, join(secondProject, `Pulumi.${stack.name}.yaml`));
        rmSync(first, { recursive: true, force: true });
        const options = { stack: stack.name, cwd: secondProject, env: stack.env };

        // Status previews the program, which runs under ts-node like any TypeScript program.
        installModules(second, { withoutTsNode: false });
        const apps = await status(options);
        expect(apps.map((a) => [a.application, a.sync, a.health.status])).toEqual([["shop", "Synced", "Healthy"]]);

        // Refresh and destroy run only the providers stored in the state: no ts-node needed.
        installModules(second, { withoutTsNode: true });
        const refresh = await pulumi(["refresh", "--yes", "--skip-preview", "--stack", stack.name], secondProject, stack.env);
        expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
        const destroy = await pulumi(["destroy", "--yes", "--skip-preview", "--stack", stack.name], secondProject, stack.env);
        expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);

        // The cascade pruned the managed objects, the Replace=true object was deleted, and the
        // PostDelete hook ran.
        expect((await kTry("get", "configmap", "settings", "-n", ns)).ok).toBe(false);
        expect((await kTry("get", "configmap", "replaced", "-n", ns)).ok).toBe(false);
        expect(await k("get", "job", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}")).toContain("goodbye");
    }, 600_000);
});
