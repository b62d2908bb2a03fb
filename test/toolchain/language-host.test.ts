// The Node.js language host dies with its engine, as upstream's does (it health-checks the engine):
// once `pulumi` is killed, neither the host nor the program it runs outlives it by more than 10 s.
// Upstream checks every 5 minutes; this host every 2 seconds. Without the check, the host stayed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { processAlive } from "../../cli/stale-lock";
import { expectOk, pulumi, tempBackend } from "../helpers/pulumi";

const cwd = resolve(__dirname, "../fixtures/slow-program");

/** The pids of processes whose parent is `parent` and whose command line contains `text`. */
function childrenOf(parent: number, text: string): number[] {
    return readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .flatMap((d) => {
            try {
                const stat = readFileSync(`/proc/${d}/stat`, "utf8");
                const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
                const cmdline = readFileSync(`/proc/${d}/cmdline`, "utf8");
                return ppid === parent && cmdline.includes(text) ? [Number(d)] : [];
            } catch {
                return [];
            }
        });
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

describe("the Node.js language host", () => {
    it("exits with the program it runs within 10 s of its engine being killed", async () => {
        const env = { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: "test-only" };
        const stack = `t${Date.now().toString(36)}`;
        expectOk(await pulumi(["stack", "init", stack], cwd, env), "stack init");
        onTestFinished(() => rmSync(join(cwd, `Pulumi.${stack}.yaml`), { force: true }));
        const marker = join(mkdtempSync(join(tmpdir(), "syncwave-slow-")), "pid");
        const up = spawn("pulumi", ["up", "--yes", "--skip-preview", "--stack", stack], { cwd, env: { ...process.env, ...env, SLOW_PROGRAM_MARKER: marker }, stdio: "ignore" });
        let host = 0;
        onTestFinished(() => {
            if (up.exitCode === null) up.kill("SIGKILL");
            if (host && processAlive(host)) process.kill(host, "SIGKILL");
        });
        const program = await until("the program to start", 60_000, () => (existsSync(marker) ? Number(readFileSync(marker, "utf8")) : undefined));
        [host] = await until("the language host", 10_000, () => {
            const found = childrenOf(up.pid!, "pulumi-language-nodejs");
            return found.length ? found : undefined;
        });
        expect(processAlive(host)).toBe(true);
        expect(processAlive(program)).toBe(true);

        up.kill("SIGKILL");
        const started = Date.now();
        await until("the host and the program to exit", 10_000, () => (!processAlive(host) && !processAlive(program) ? true : undefined));
        expect(Date.now() - started).toBeLessThan(10_000);
    });
});
