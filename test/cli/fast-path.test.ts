// The fast paths on the local cluster, through the main stack program: a sync with nothing to do
// answers "in sync" without an update (no history entry), and only then; a live change is still found
// and put back (without a new preview, since the desired state is the one last synced); an object
// deleted outside git is re-created; a new commit, a configuration change, a policy pack or its
// configuration, and --force all take the full preview and update.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { drift } from "../../cli/commands/drift";
import { history } from "../../cli/commands/history";
import { reconcile } from "../../cli/commands/reconcile";
import { sync, type SyncOptions } from "../../cli/commands/sync";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const ns = `fast-${Date.now().toString(36)}`;
const configMap = (name: string, value: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { value } });
const valueOf = (name: string) => k("get", "configmap", name, "-n", ns, "-o", "jsonpath={.data.value}");

describe("fast paths", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: SyncOptions;
    const config = (healthTimeout: string, syncWindows: object[] = []) => ({
        platform: {
            projects: {
                team: {
                    sourceRepos: ["file:///tmp/*"],
                    destinations: [{ server: "https://kubernetes.default.svc", namespace: "fast-*" }],
                    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
                    ...(syncWindows.length ? { syncWindows } : {}),
                },
            },
            applications: { app: ["team"] },
        },
        applications: {
            app: {
                project: "team",
                source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                destination: { server: "https://kubernetes.default.svc", namespace: ns },
                syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
            },
        },
        healthTimeout,
    });

    /** A sync, with its progress lines. */
    const syncing = async (extra: Partial<SyncOptions> = {}) => {
        const lines: string[] = [];
        const result = await sync({ ...options, ...extra, progress: (l) => lines.push(l) });
        return { result, text: lines.join("\n") };
    };

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        repo.commit({ "app/a.yaml": configMap("a", "1"), "app/b.yaml": configMap("b", "1") });
        stack = await SyncStack.create("fast", config("60s"), { projectDir: root, configDir: resolve(root, "stacks") });
        options = { stack: stack.name, cwd: root, env: stack.env };
    });

    afterAll(async () => {
        await stack?.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("answers in sync without an update when nothing changed; --force runs the full preview and update", async () => {
        const first = await syncing();
        expect(first.result.result).toBe("succeeded");
        expect(first.text).toContain("previewing");
        const updates = (await history(options)).length;

        const again = await syncing();
        expect(again.result.result).toBe("in sync");
        expect(again.text).toMatch(/^in sync: app@[0-9a-f]{12}/m);
        expect(again.text).not.toContain("previewing");
        expect(again.result.revisions).toEqual([expect.objectContaining({ application: "app", commit: repo.git("rev-parse", "HEAD") })]);
        expect((await history(options)).length).toBe(updates);

        const forced = await syncing({ force: true });
        expect(forced.result.result).toBe("succeeded");
        expect(forced.text).toContain("previewing");
        expect((await history(options)).length).toBe(updates + 1);
    });

    it("still finds a live change, and puts it back without a new preview", async () => {
        await k("patch", "configmap", "a", "-n", ns, "--type", "merge", "-p", JSON.stringify({ data: { value: "edited" } }));
        const reports = await drift(options);
        expect(reports.find((r) => r.application === "app")!.fields).toEqual([
            expect.objectContaining({ resource: `ConfigMap ${ns}/a`, path: "data.value", class: "unauthorised" }),
        ]);
        const repaired = await syncing();
        expect(repaired.result.result).toBe("succeeded");
        expect(repaired.text).toContain(`drifted: ConfigMap ${ns}/a data.value (unauthorised): put back`);
        expect(repaired.text).toContain("repairing 1 object(s)");
        expect(repaired.text).not.toContain("previewing");
        expect(await valueOf("a")).toBe("1");
        expect((await history(options))[0]).toMatchObject({ result: "succeeded", revisions: { app: repo.git("rev-parse", "HEAD") } });
        expect((await syncing()).result.result).toBe("in sync");
    });

    it("re-creates an object deleted outside git", async () => {
        await k("delete", "configmap", "b", "-n", ns);
        const reports = await drift(options);
        expect(reports.find((r) => r.application === "app")!.fields).toEqual([
            expect.objectContaining({ resource: `ConfigMap ${ns}/b`, path: "(object)", class: "unauthorised", reason: "deleted outside git" }),
        ]);
        const repaired = await syncing();
        expect(repaired.text).toContain("repairing 1 object(s)");
        expect(await valueOf("b")).toBe("1");
        expect((await syncing()).result.result).toBe("in sync");
    });

    it("syncs a new commit in full", async () => {
        const next = repo.commit({ "app/a.yaml": configMap("a", "2") }, "a is 2");
        const synced = await syncing();
        expect(synced.result.result).toBe("succeeded");
        expect(synced.text).toContain("previewing");
        expect(synced.result.revisions).toEqual([expect.objectContaining({ application: "app", commit: next })]);
        expect(await valueOf("a")).toBe("2");
        expect((await syncing()).result.result).toBe("in sync");
    });

    it("is not in sync after a configuration change, with a policy pack, or with a changed policy configuration", async () => {
        stack.setConfig(config("61s"));
        const changed = await syncing();
        expect(changed.text).toContain("previewing");
        expect((await syncing()).result.result).toBe("in sync");

        const dir = mkdtempSync(join(tmpdir(), "syncwave-policy-config-"));
        const policyConfig = join(dir, "config.json");
        writeFileSync(policyConfig, JSON.stringify({ "deployments-need-two-replicas": { enforcementLevel: "mandatory" } }));
        const policy = { policyPacks: [resolve(root, "test/fixtures/policy-pack")], policyPackConfigs: [policyConfig] };
        const withPack = await syncing(policy);
        expect(withPack.result.result).toBe("succeeded");
        expect(withPack.text).toContain("previewing");
        expect((await syncing(policy)).result.result).toBe("in sync");
        writeFileSync(policyConfig, JSON.stringify({ "deployments-need-two-replicas": { enforcementLevel: "advisory" } }));
        expect((await syncing(policy)).text).toContain("previewing");
        expect((await syncing(policy)).result.result).toBe("in sync");
        // Without the pack, the verdicts that decided the last sync are not the ones a sync would get.
        expect((await syncing()).text).toContain("previewing");
    });

    it("an active deny window is never answered in sync: the full sync refuses it; an inactive one does not matter", async () => {
        await syncing();
        stack.setConfig(config("61s", [{ kind: "deny", schedule: "* * * * *", duration: "1h", applications: ["app"] }]));
        await expect(sync({ ...options })).rejects.toThrow(/sync window/);
        // A window that is not active now: the digest changed (the Project did), so one full sync, then in sync.
        stack.setConfig(config("61s", [{ kind: "deny", schedule: "0 0 1 1 *", duration: "1m", applications: ["app"] }]));
        expect((await syncing()).text).toContain("previewing");
        expect((await syncing()).result.result).toBe("in sync");
        stack.setConfig(config("61s"));
    });

    it("a reconcile round with nothing to do writes nothing", async () => {
        await syncing();
        const updates = (await history(options)).length;
        const lines: string[] = [];
        await reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: (l) => lines.push(l) });
        expect(lines.join("\n")).not.toMatch(/repairing|syncing/);
        expect((await history(options)).length).toBe(updates);
    });

    it("--timings breaks a command's time down: the CLI, the fast path, the engine's phases and the program's steps", () => {
        const syncwave = (...args: string[]) =>
            spawnSync(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, ...args], { encoding: "utf8", env: { ...process.env, ...stack.env } });
        const quick = syncwave("sync", "--timings");
        expect(quick.status).toBe(0);
        expect(quick.stderr).toMatch(/^in sync: app@/m);
        for (const row of ["CLI start", "fast path: inputs", "fast path: git resolve", "fast path: live comparison", "state read", "total"]) {
            expect(quick.stderr).toMatch(new RegExp(`^  ${row}.*\\d+\\.\\d{3}s`, "m"));
        }
        const full = syncwave("sync", "--force", "--timings");
        expect(full.status).toBe(0);
        for (const row of ["preview: engine and program start", "preview: program: render", "preview: program: git fetch", "update: refresh", "update: steps", "update: finish"]) {
            expect(full.stderr).toMatch(new RegExp(`^  ${row}.*\\d+\\.\\d{3}s`, "m"));
        }
    });
});
