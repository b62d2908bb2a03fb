// Several stacks in one command on the local cluster: `syncwave --stacks 'multi-<run>-*' --parallel 2`
// runs each stack as its own single-stack child, at most two at once, sharing one git repository (and
// so the project's git cache). One broken stack fails the command but not the others; status and
// diff --exit-code report per stack.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { expectOk, pulumi, tempBackend } from "../helpers/pulumi";
import { teamPlatform } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Math.random().toString(36).slice(2, 8);
const prefix = `multi-${run}`;
const names = ["a", "b", "c", "d"].map((letter) => `${prefix}-${letter}`);
const broken = names[3];
const K8S = "https://kubernetes.default.svc";
// One backend for all four: the children inherit the parent's environment, as in one CI job.
const env = { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: "test-only" };

const configFile = (stack: string) => resolve(root, "stacks", `Pulumi.${stack}.yaml`);

/** The stack's syncwave:* configuration: one Application `web` syncing `path` into the stack's own namespace. */
function writeStackConfig(stack: string, repoURL: string, path: string): void {
    const current = (parse(readFileSync(configFile(stack), "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config = {
        platform: teamPlatform([stack], ["web"]),
        applications: {
            web: { project: "team", source: { repoURL, targetRevision: "main", path }, destination: { server: K8S, namespace: stack }, syncPolicy: { syncOptions: ["CreateNamespace=true"] } },
        },
        healthTimeout: "90s",
    };
    current.config = Object.fromEntries(Object.entries(config).map(([key, value]) => [`syncwave:${key}`, value]));
    writeFileSync(configFile(stack), stringify(current));
}

interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * The syncwave command; `whenStderr` is called with the stderr so far as it grows, and with
 * `interrupt`, which sends Ctrl-C to the command's process group as a terminal would.
 */
function syncwave(args: string[], whenStderr?: (stderr: string, interrupt: () => void) => void): Promise<CliResult> {
    const child = spawn(resolve(root, "cli/bin/syncwave"), ["--cwd", root, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    const interrupt = () => {
        if (interrupted) return;
        interrupted = true;
        process.kill(-child.pid!, "SIGINT");
    };
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => {
        stderr += b;
        whenStderr?.(stderr, interrupt);
    });
    return new Promise((r) => child.on("close", (code) => r({ code, stdout, stderr })));
}

interface StacksDocument {
    stacks: { stack: string; exitCode: number | null; result: string; durationMs: number; startedAt?: string; endedAt?: string; output: unknown }[];
}

/** The most runs that overlapped at any instant, from their start and end times. */
function mostAtOnce(runs: StacksDocument["stacks"]): number {
    const edges = runs.flatMap((r) => [
        { at: Date.parse(r.startedAt!), delta: 1 },
        { at: Date.parse(r.endedAt!), delta: -1 },
    ]);
    // At the same instant an end comes before a start: the bound lets the next start only after an end.
    edges.sort((x, y) => x.at - y.at || x.delta - y.delta);
    let now = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (now += e.delta));
    return most;
}

describe("several stacks in one command", () => {
    const repo = new TestRepo();
    const configMap = (value: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { v: value } });

    beforeAll(async () => {
        await ensureCluster();
        repo.commit({ "app/cfg.yaml": configMap("1") });
        for (const stack of names) {
            expectOk(await pulumi(["stack", "init", stack], root, env), `stack init ${stack}`);
            // The broken stack's Application names a folder its repository does not have.
            writeStackConfig(stack, repo.url, stack === broken ? "no-such-folder" : "app");
        }
    }, 300_000);

    afterAll(async () => {
        for (const stack of names) {
            await pulumi(["destroy", "--yes", "--skip-preview", "--stack", stack], root, env);
            await pulumi(["stack", "rm", "--yes", "--force", "--stack", stack], root, env);
            rmSync(configFile(stack), { force: true });
        }
        await kTry("delete", "namespace", ...names, "--ignore-not-found", "--wait=false");
    }, 600_000);

    it("syncs four stacks at most two at a time; the broken one fails the command, the others sync", async () => {
        const result = await syncwave(["--stacks", `${prefix}-*`, "--parallel", "2", "--json", "sync"]);
        expect(result.stderr).toContain(`syncwave: 4 stacks, at most 2 at a time: ${names.join(", ")}`);
        for (const stack of names) expect(result.stderr).toMatch(new RegExp(`^\\[${stack}\\] `, "m"));
        const document = JSON.parse(result.stdout) as StacksDocument;
        expect(document.stacks.map((s) => [s.stack, s.result])).toEqual([...names.slice(0, 3).map((s) => [s, "succeeded"]), [broken, "failed"]]);
        expect(document.stacks.find((s) => s.stack === broken)!.exitCode).not.toBe(0);
        expect(result.code).toBe(1);
        // The children's own JSON, parsed: a sync's health rows.
        expect(document.stacks[0].output).toMatchObject({ health: expect.any(Array) });
        expect(mostAtOnce(document.stacks)).toBe(2);

        for (const stack of names.slice(0, 3)) expect(await k("get", "configmap", "cfg", "-n", stack, "-o", "jsonpath={.data.v}")).toBe("1");
        expect((await kTry("get", "configmap", "cfg", "-n", broken)).ok).toBe(false);
    });

    it("status and diff --exit-code on every stack: each stack's output whole under its name, the largest exit code", async () => {
        const status = await syncwave(["--stacks", `${prefix}-*`, "status"]);
        for (const stack of names) expect(status.stdout).toContain(`=== stack ${stack} ===`);
        expect(status.stdout).toMatch(/^STACK\s+RESULT\s+EXIT CODE\s+DURATION$/m);
        // --parallel defaults to 4: all four at once.
        expect(status.stderr).toContain("syncwave: 4 stacks, at most 4 at a time");

        const diff = await syncwave(["--stacks", `${prefix}-*`, "--parallel", "2", "diff", "--exit-code"]);
        // Nothing to sync in the three synced stacks (0), an error in the broken one (2): the largest.
        expect(diff.code).toBe(2);
        for (const stack of names.slice(0, 3)) expect(diff.stdout).toMatch(new RegExp(`^${stack}\\s+succeeded\\s+0\\s`, "m"));
        expect(diff.stdout).toMatch(new RegExp(`^${broken}\\s+failed\\s+2\\s`, "m"));
    });

    it("once the broken stack is repaired, all four sync and a new commit is a change in each diff", async () => {
        writeStackConfig(broken, repo.url, "app");
        const sync = await syncwave(["--stacks", `${prefix}-*`, "--parallel", "2", "sync"]);
        expect(sync.code).toBe(0);
        for (const stack of names) {
            expect(sync.stdout).toContain(`=== stack ${stack} ===`);
            expect(sync.stdout).toMatch(new RegExp(`^${stack}\\s+succeeded\\s+0\\s`, "m"));
        }
        expect(await k("get", "configmap", "cfg", "-n", broken, "-o", "jsonpath={.data.v}")).toBe("1");

        repo.commit({ "app/cfg.yaml": configMap("2") });
        // Explicit names and a glob together; a stack named by both runs once.
        const diff = await syncwave(["--stack", names[1], "--stacks", `${prefix}-*`, "--json", "diff", "--exit-code"]);
        expect(diff.code).toBe(1);
        const document = JSON.parse(diff.stdout) as StacksDocument;
        expect(document.stacks.map((s) => [s.stack, s.exitCode, s.result])).toEqual([names[1], names[0], names[2], names[3]].map((s) => [s, 1, "succeeded"]));
    });

    it("Ctrl-C reaches the running stack once, starts no other, and exits 130; the next sync finishes the job", async () => {
        // The new commit of the previous test is not synced yet: every stack has work to do.
        const cancelled = await syncwave(["--stacks", `${prefix}-*`, "--parallel", "1", "--json", "sync"], (stderr, interrupt) => {
            if (stderr.includes(`[${names[0]}] `)) interrupt();
        });
        expect(cancelled.code, cancelled.stderr).toBe(130);
        expect(cancelled.stderr).toContain("syncwave: SIGINT: passed on to the running stacks; no further stack starts");
        const document = JSON.parse(cancelled.stdout) as StacksDocument;
        // The first stack was cancelled, unless it finished before the signal came (then the second was).
        const results = document.stacks.map((s) => s.result);
        expect(results.filter((r) => r === "cancelled" || r === "succeeded").length).toBeGreaterThanOrEqual(1);
        expect(results).not.toContain("failed");
        expect(results.slice(-2)).toEqual(["not started", "not started"]);
        expect(document.stacks.filter((s) => s.result === "not started").every((s) => s.exitCode === null)).toBe(true);

        // A cancelled sync leaves no lock behind: the next run syncs every stack.
        const sync = await syncwave(["--stacks", `${prefix}-*`, "--parallel", "4", "sync"]);
        expect(sync.code, sync.stderr).toBe(0);
        for (const stack of names) expect(await k("get", "configmap", "cfg", "-n", stack, "-o", "jsonpath={.data.v}")).toBe("2");
    });

    it("refuses several stacks for a command whose subject belongs to one stack", async () => {
        const rollback = await syncwave(["--stacks", `${prefix}-*`, "rollback", "1"]);
        expect(rollback.code).toBe(1);
        expect(rollback.stderr).toContain("syncwave rollback runs on one stack, not several");
        const none = await syncwave(["--stacks", "no-such-*", "status"]);
        expect(none.stderr).toContain(`--stacks no-such-*: no stack of the project matches (stacks with a Pulumi.<stack>.yaml in ${resolve(root, "stacks")}:`);
    });
});
