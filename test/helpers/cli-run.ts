// The syncwave CLI started as a person or a CI job starts it, for the fault tests: its output so far,
// its exit, and a SIGKILL of it with every process under it (a lost CI runner).
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { processAlive } from "../../cli/stale-lock";
import { descendants, until } from "./processes";
import type { SyncStack } from "./sync-stack";

const root = resolve(__dirname, "../..");

export interface CliRun {
    child: ReturnType<typeof spawn>;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    output: () => string;
}

/**
 * `syncwave --stack S --cwd ROOT ARGS...` with the stack's environment (and `env` over it);
 * `detached`: in a process group of its own, as a shell starts it (Ctrl-C reaches the whole group).
 */
export function startCli(stack: SyncStack, args: string[], options: { detached?: boolean; env?: Record<string, string> } = {}): CliRun {
    const child = spawn(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, ...args], {
        env: { ...process.env, ...stack.env, ...(options.env ?? {}) },
        detached: options.detached ?? false,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (b) => (output += b));
    child.stderr!.on("data", (b) => (output += b));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })));
    return { child, exited, output: () => output };
}

/** SIGKILL of the run and every process under it; resolves once all are gone (10 s at most). */
export async function killEverything(run: CliRun): Promise<void> {
    const processes = [run.child.pid!, ...descendants(run.child.pid!)];
    for (const pid of processes) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    await until("every process of the run to exit", 10_000, () => (processes.some(processAlive) ? undefined : true));
}

/**
 * SIGTERM, as a person's Ctrl-C of a long-running command (`ui`, `reconcile`) would be; whatever of
 * the run still lives after `graceMs` is killed, so nothing of it outlives the test into the next.
 */
export async function stopCli(run: CliRun, graceMs = 40_000): Promise<void> {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return;
    run.child.kill("SIGTERM");
    await until("the run to exit after SIGTERM", graceMs, () => (run.child.exitCode !== null || run.child.signalCode !== null ? true : undefined), 200).catch(() => killEverything(run));
}
