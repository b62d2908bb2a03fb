// The syncwave CLI's day-two operations on the local cluster, through the main stack program.
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { drift } from "../../cli/commands/drift";
import { history } from "../../cli/commands/history";
import { reconcile } from "../../cli/commands/reconcile";
import { readPins, rollback, unpin } from "../../cli/commands/rollback";
import { status } from "../../cli/commands/status";
import { sync } from "../../cli/commands/sync";
import { unlock } from "../../cli/commands/unlock";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { webDeployment } from "../helpers/manifests";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `cli-${run}`;

/** The "web" Deployment of wave 1, as YAML. */
const web = (image: string, podAnnotations: Record<string, string> = {}) => stringify(webDeployment(image, podAnnotations));

// The platform's autoscaler, applied outside the application (without a metrics server it would be
// Degraded, as Argo CD would call it; here it only has to exist and own the replicas).
const hpa = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 5 },
};

describe("syncwave CLI", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    const first = { commit: "" };

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        first.commit = repo.commit({ "app/web.yaml": web("example.com/web:1.0"), "app/cfg.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { v: "1" } }) });
        stack = await SyncStack.create(
            "cli",
            {
                platform: {
                    projects: {
                        team: {
                            sourceRepos: ["file:///tmp/*"],
                            destinations: [{ server: "https://kubernetes.default.svc", namespace: "cli-*" }],
                            clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
                        },
                    },
                    applications: { web: ["team"] },
                },
                applications: {
                    web: {
                        project: "team",
                        source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                        destination: { server: "https://kubernetes.default.svc", namespace: ns },
                        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"], retry: { limit: 2, backoff: { duration: "1s" } } },
                    },
                },
                healthTimeout: "60s",
            },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        options = { stack: stack.name, cwd: root, env: stack.env };
    });

    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("syncs, records the revision in history, and classifies drift", async () => {
        const result = await sync({ ...options });
        expect(result.result).toBe("succeeded");
        expect(result.revisions).toEqual([expect.objectContaining({ application: "web", commit: first.commit })]);
        const entries = await history(options);
        expect(entries[0]).toMatchObject({ kind: "sync", operation: "update", result: "succeeded", revisions: { web: first.commit } });
        const apps = await status(options);
        expect(apps[0]).toMatchObject({ application: "web", sync: "Synced", health: { status: "Healthy" }, revision: first.commit });

        // An autoscaler owns replicas: scaling is the HPA's business, not drift to repair.
        await apply({ ...hpa, metadata: { ...hpa.metadata, namespace: ns } });
        await k("scale", "deployment/web", "-n", ns, "--replicas=3");
        // A person editing the image is unauthorised drift.
        await k("set", "image", "deployment/web", "-n", ns, "web=example.com/web:hotfix");
        const reports = await drift(options);
        const fields = reports.find((r) => r.application === "web")!.fields;
        expect(fields).toEqual(
            expect.arrayContaining([
                expect.objectContaining({ path: "spec.replicas", class: "owned" }),
                expect.objectContaining({ path: expect.stringContaining("image"), class: "unauthorised", manager: expect.stringMatching(/^kubectl/) }),
            ]),
        );
        // The autoscaler was only needed to own the replicas; without a metrics server it would not settle.
        await k("delete", "hpa", "web", "-n", ns);
    });

    it("repairs unauthorised drift within one reconcile round", async () => {
        const lines: string[] = [];
        await reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: (l) => lines.push(l) });
        expect(lines.join("\n")).toContain("web: repaired");
        expect(await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("example.com/web:1.0");
    });

    it("rolls a bad revision back to the previous sync's revision and pins it", async () => {
        const bad = repo.commit(
            { "app/web.yaml": web("example.com/web:2.0", { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "config file missing" }), "app/cfg.yaml": null },
            "bad release",
        );
        await expect(sync({ ...options })).rejects.toThrow(/Degraded[\s\S]*config file missing/);
        const before = await history(options);
        // The history says why it failed (recorded by sync), and what the good sync measured.
        expect(before[0]).toMatchObject({ result: "failed", health: "Degraded", revisions: { web: bad } });
        const good = before.find((e) => e.result === "succeeded" && e.revisions.web === first.commit)!;
        expect(good).toBeDefined();

        const result = await rollback(String(good.id), { ...options, app: "web" });
        expect(result.result).toBe("succeeded");
        expect(await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("example.com/web:1.0");
        expect(await k("get", "configmap/cfg", "-n", ns, "-o", "jsonpath={.data.v}")).toBe("1");
        const apps = await status(options);
        expect(apps[0]).toMatchObject({ application: "web", health: { status: "Healthy" }, revision: first.commit });
        expect(await readPins(options)).toMatchObject({ web: { revision: first.commit } });
        const after = await history(options);
        expect(after.map((e) => e.id)).toEqual(after.map((_, i) => after.length - i));
        // Both syncs are in the stack's history: the bad one and the rollback to the good one.
        expect(after.slice(0, 2)).toEqual([
            expect.objectContaining({ kind: "rollback", result: "succeeded", health: "Healthy", revisions: { web: first.commit } }),
            expect.objectContaining({ result: "failed", revisions: { web: bad } }),
        ]);
    });

    it("leaves a pinned app alone in reconcile; --revert puts the old state back on the branch and unpins", async () => {
        await k("set", "image", "deployment/web", "-n", ns, "web=example.com/web:hotfix");
        const lines: string[] = [];
        await reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: (l) => lines.push(l) });
        expect(lines.join("\n")).toMatch(/web: drifted, but pinned to [0-9a-f]{12}/);
        expect(await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("example.com/web:hotfix");

        // Someone else's change in the same repository, outside the application's path, after the bad one.
        repo.commit({ "docs/notes.md": "kept" }, "docs");
        const result = await rollback(first.commit, { ...options, app: "web", revert: true });
        expect(result.result).toBe("succeeded");
        const revert = repo.git("rev-parse", "HEAD");
        expect(repo.git("log", "-1", "--format=%s")).toBe(`Revert web to ${first.commit.slice(0, 12)}`);
        // The application's path holds exactly the good commit's files; the rest of the branch is kept.
        expect(repo.git("diff", "--stat", first.commit, revert, "--", "app")).toBe("");
        expect(repo.git("show", `${revert}:docs/notes.md`)).toBe("kept");
        expect(result.revisions).toEqual([expect.objectContaining({ application: "web", commit: revert })]);
        expect(await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("example.com/web:1.0");
        expect(await readPins(options)).toEqual({});
        await expect(unpin("web", options)).rejects.toThrow(/not pinned/);
    });

    it("answers through the syncwave command: history, status and drift, and clear errors that change nothing", () => {
        const syncwave = (...args: string[]) =>
            spawnSync(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, ...args], { encoding: "utf8", env: { ...process.env, ...stack.env } });
        const listed = syncwave("history", "--json");
        expect(listed.status).toBe(0);
        const entries = JSON.parse(listed.stdout) as { id: number; kind: string; result: string }[];
        expect(entries.slice(0, 3).map((e) => [e.kind, e.result])).toEqual([
            ["rollback", "succeeded"],
            ["rollback", "succeeded"],
            ["sync", "failed"],
        ]);
        const shown = syncwave("status");
        expect(shown.status).toBe(0);
        expect(shown.stdout).toMatch(/^web \(project team\)  Synced  Healthy  revision [0-9a-f]{12}$/m);
        expect(shown.stdout).toMatch(/Deployment cli-\w+\/web  Healthy/);
        const clean = syncwave("drift");
        expect(clean.stdout).toContain("web: no drift");
        expect(clean.status).toBe(0);

        const before = syncwave("history", "--json").stdout;
        const wrong = syncwave("rollback", "yesterday");
        expect(wrong.status).toBe(1);
        expect(wrong.stderr).toContain('"yesterday" is neither a history ID nor a commit SHA');
        const missing = syncwave("rollback", "999");
        expect(missing.status).toBe(1);
        expect(missing.stderr).toContain("there is no update 999 in the history of stack");
        expect(syncwave("history", "--json").stdout).toBe(before);
    });

    it("stops reconcile cleanly on SIGTERM: the repair under way finishes, then it exits", async () => {
        await k("set", "image", "deployment/web", "-n", ns, "web=example.com/web:hotfix");
        const child = spawn(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, "reconcile", "--interval", "60s"], {
            env: { ...process.env, ...stack.env },
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
        // Ask it to stop while it repairs.
        await new Promise<void>((r, reject) => {
            const started = setInterval(() => stderr.includes("web: repairing") && (clearInterval(started), r()), 100);
            setTimeout(() => (clearInterval(started), reject(new Error(`reconcile did not start repairing within 90 s: ${stderr}`))), 90_000);
        });
        child.kill("SIGTERM");
        const timeout = new Promise<string>((r) => setTimeout(() => r("still running 90 s after SIGTERM"), 90_000));
        const code = await Promise.race([exited, timeout]);
        if (typeof code === "string") child.kill("SIGKILL");
        expect(stderr).toContain("SIGTERM: stopping after the current step");
        expect(stderr).toContain("web: repaired");
        expect(code).toBe(0);
        expect(await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("example.com/web:1.0");
    });
    it("refuses a sync while another host's lock is held, naming it, until 'syncwave unlock --force' clears it", async () => {
        // A lock as a sync on another runner leaves it: nothing here can prove that run has stopped.
        const dir = join(fileURLToPath(stack.env.PULUMI_BACKEND_URL), ".pulumi", "locks", "organization", "syncwave", stack.name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "held.json"), JSON.stringify({ pid: 4242, username: "ci", hostname: "runner-elsewhere", timestamp: new Date().toISOString() }));
        const refused = await sync(options).then(
            () => "synced",
            (err: Error) => err.message,
        );
        expect(refused).toMatch(new RegExp(`stack ${stack.name} is locked by pid 4242 of ci on host runner-elsewhere, which cannot be checked from here, taken (?:\\d+m)?\\d+s ago: .*'syncwave unlock ${stack.name} --force'`));
        await expect(unlock({ ...options })).rejects.toThrow(/nothing was changed: add --force/);
        expect(existsSync(join(dir, "held.json"))).toBe(true);
        expect((await unlock({ ...options, force: true })).cleared).toEqual([expect.objectContaining({ pid: 4242, hostname: "runner-elsewhere" })]);
        expect(existsSync(join(dir, "held.json"))).toBe(false);
        expect((await sync(options)).result).toMatch(/in sync|succeeded/);
    });
});
