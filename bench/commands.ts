// The commands the benchmarks time, each run as its user runs it: the syncwave CLI as a process,
// kubectl, kapp and the gitops-engine sync (built by `npm run setup -- --only peers`).
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { sampleTree } from "./process-memory";

const root = resolve(__dirname, "..");

export interface Timed {
    seconds: number;
    stdout: string;
    stderr: string;
    code: number;
    peakMiB: number;
}

/** Runs a command to its end, timing it and sampling the memory of its process tree. */
export function run(command: string, args: string[], options: { env?: Record<string, string>; cwd?: string; ok?: number[] } = {}): Promise<Timed> {
    return new Promise((done, fail) => {
        const start = process.hrtime.bigint();
        const child = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...(options.env ?? {}) }, stdio: ["ignore", "pipe", "pipe"] });
        const memory = sampleTree(child.pid!);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", fail);
        child.on("close", (code) => {
            const seconds = Number(process.hrtime.bigint() - start) / 1e9;
            const peakMiB = memory.stop();
            const result = { seconds, stdout, stderr, code: code ?? 1, peakMiB };
            if (!(options.ok ?? [0]).includes(result.code)) {
                fail(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
            } else done(result);
        });
    });
}

export function syncwave(stack: string, args: string[], env: Record<string, string>, ok?: number[]): Promise<Timed> {
    return run(join(root, "cli/bin/syncwave"), ["--stack", stack, "--cwd", root, ...args], { env, ok });
}

export function kubectl(...args: string[]): string {
    return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

/** A peer's binary, or undefined when `npm run setup -- --only peers` has not built it. */
export function peer(name: "kapp" | "gitops-engine-sync"): string | undefined {
    const dir = process.env.SYNCWAVE_PEERS_BIN;
    const file = dir ? join(dir, name) : "";
    return file && existsSync(file) ? file : undefined;
}
