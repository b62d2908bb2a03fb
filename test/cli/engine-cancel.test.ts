// Ctrl-C during a sync's `pulumi up`: the CLI passes the signal on to the engine once (which runs in a
// process group of its own), so Pulumi cancels gracefully: the resource step under way finishes,
// nothing after it starts, the lock is released, no later engine run starts, and the CLI exits 130.
// A second Ctrl-C stops the engine at once. Were the engine in the CLI's group, one Ctrl-C would reach
// it twice (the terminal's SIGINT and the CLI's exit SIGTERM) and stop it mid-step.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { processAlive } from "../../cli/stale-lock";
import { descendants, until } from "../helpers/processes";
import { expectOk, pulumi, tempBackend } from "../helpers/pulumi";

const root = resolve(__dirname, "../..");
const cwd = join(root, "test/fixtures/cancel-program");

async function interrupted(signals: number, how: "group" | "kill" = "group") {
    const env = { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: "test-only" };
    const stack = `t${Date.now().toString(36)}`;
    expectOk(await pulumi(["stack", "init", stack], cwd, env), "stack init");
    onTestFinished(() => rmSync(join(cwd, `Pulumi.${stack}.yaml`), { force: true }));
    const marker = join(mkdtempSync(join(tmpdir(), "syncwave-cancel-")), "slow");
    // Its own process group, as a command started from a shell is: the group a terminal signals.
    const driver = spawn("node", ["-r", join(root, "cli/bin/require-ts.js"), join(root, "test/helpers/engine-run-driver.ts"), stack, cwd], {
        // A killed CLI's engine gets 8 s to finish the step under way: the slow step fits in that.
        env: { ...process.env, ...env, SLOW_SECONDS: how === "kill" ? "5" : "10", SLOW_MARKER: marker },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    driver.stdout!.on("data", (b) => (out += b));
    driver.stderr!.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((r) => driver.on("exit", (code) => r(code)));
    onTestFinished(() => {
        try {
            process.kill(-driver.pid!, "SIGKILL");
        } catch {
            // the group is gone
        }
    });
    await until("the slow step to start", 60_000, () => (existsSync(marker) && readFileSync(marker, "utf8") ? true : undefined));
    const processes = [driver.pid!, ...descendants(driver.pid!)];
    onTestFinished(() => {
        for (const p of processes) {
            try {
                process.kill(p, "SIGKILL");
            } catch {
                // already gone
            }
        }
    });
    const started = Date.now();
    for (let i = 0; i < signals; i++) {
        if (how === "kill") process.kill(driver.pid!, "SIGKILL");
        else process.kill(-driver.pid!, "SIGINT");
        await new Promise((r) => setTimeout(r, 500));
    }
    const code = await exited;
    const runs = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { run: string; error?: string; message?: string; result?: string });
    await until("every process of the run to exit", 20_000, () => (processes.every((p) => !processAlive(p)) ? true : undefined));
    const state = JSON.parse(expectOk(await pulumi(["stack", "export", "--stack", stack], cwd, env), "stack export").stdout);
    const names = (state.deployment.resources ?? []).map((r: { urn: string }) => r.urn.split("::").pop());
    return { code, runs, names, seconds: (Date.now() - started) / 1000, env, stack, out };
}

describe("a sync interrupted with Ctrl-C", () => {
    it("lets the step under way finish, starts nothing after it, and exits 130", async () => {
        const { code, runs, names, env, stack, out } = await interrupted(1);
        expect(code, out).toBe(130);
        expect(runs[0]).toMatchObject({ run: "first", error: "EngineCancelled" });
        expect(runs[0].message).toContain("pulumi up was cancelled by SIGINT: the resource step under way finished");
        expect(runs[1]).toMatchObject({ run: "second", error: "EngineError", message: "pulumi up not started: this run was cancelled by SIGINT" });
        // The slow create completed (graceful), the step after it never ran.
        expect(names).toEqual(expect.arrayContaining(["first", "slow"]));
        expect(names).not.toContain("last");
        // Nothing is left locked: a plain up finishes the job.
        const next = expectOk(await pulumi(["up", "--yes", "--skip-preview", "--stack", stack], cwd, env), "the next up");
        expect(next.stdout).toMatch(/last created/);
    });

    it("stops the engine at once on a second Ctrl-C", async () => {
        const { code, runs, names, seconds, out } = await interrupted(2);
        expect(code, out).toBe(130);
        expect(seconds).toBeLessThan(8);
        expect(runs[0]).toMatchObject({ run: "first", error: "EngineCancelled" });
        expect(names).not.toContain("last");
    });

    it("cancels the engine gracefully when the CLI is killed outright", async () => {
        // SIGKILL to the CLI alone, as an out-of-memory kill: the engine guard sees it gone and sends
        // the engine one SIGTERM; it finishes the step under way and releases the lock.
        const { code, runs, names, env, stack } = await interrupted(1, "kill");
        expect(code).toBeNull();
        expect(runs).toEqual([]);
        expect(names).toEqual(expect.arrayContaining(["first", "slow"]));
        expect(names).not.toContain("last");
        const next = expectOk(await pulumi(["up", "--yes", "--skip-preview", "--stack", stack], cwd, env), "the next up");
        expect(next.stdout).toMatch(/last created/);
    });
});
