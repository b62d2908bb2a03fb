// One `pulumi preview` or `pulumi up` run by the toolchain's Pulumi CLI, its engine events read from
// the event log as they are written. The Automation API runs the same command, but first checks the
// CLI's version and selects the stack, and after an update asks the CLI for the stack's outputs and
// its latest history entry: four more starts of the Pulumi CLI per operation, none of which a sync
// needs (the summary event carries the changes). Everything else (history, tags, config) still goes
// through the Automation API.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { engineCancelledBy, watchEngine } from "./engine-signals";

export interface EngineRun {
    stack: string;
    cwd?: string;
    /** Added to this process's environment. */
    env?: Record<string, string>;
    message?: string;
    refresh?: boolean;
    /** `preview --diff`. */
    diff?: boolean;
    target?: string[];
    policyPacks?: string[];
    policyPackConfigs?: string[];
    onEvent?: (event: EngineEvent) => void;
}

export interface EngineResult {
    /** "succeeded" (exit 0) or "failed". */
    result: "succeeded" | "failed";
    /** The summary event's counts per operation (create, update, same, ...). */
    resourceChanges: Record<string, number>;
    stdout: string;
    stderr: string;
}

export class EngineError extends Error {
    constructor(
        message: string,
        readonly result: EngineResult,
    ) {
        super(message);
        this.name = "EngineError";
    }
}

/** An engine run ended by a signal this process passed on (Ctrl-C, SIGTERM). */
export class EngineCancelled extends EngineError {
    constructor(
        message: string,
        result: EngineResult,
        readonly signal: NodeJS.Signals,
    ) {
        super(message, result);
        this.name = "EngineCancelled";
    }
}

/** Runs the engine on this process's behalf: see cli/bin/engine-guard.js. */
const ENGINE_GUARD = join(__dirname, "bin", "engine-guard.js");

function pulumiBinary(): string {
    const root = process.env.SYNCWAVE_PULUMI_ROOT;
    if (!root) throw new Error('the toolchain environment is missing: run through `syncwave` or after eval "$(npm run --silent env)"');
    return join(root, "bin", "pulumi");
}

/** Reads whole lines appended to a file since the last call. */
class LineTail {
    private offset = 0;
    private partial = "";
    private readonly buffer = Buffer.alloc(1 << 20);

    constructor(private readonly file: string) {}

    read(each: (line: string) => void): void {
        let fd: number;
        try {
            fd = openSync(this.file, "r");
        } catch {
            return; // not written yet
        }
        try {
            for (;;) {
                const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
                if (n <= 0) break;
                this.offset += n;
                const text = this.partial + this.buffer.subarray(0, n).toString("utf8");
                const lines = text.split("\n");
                this.partial = lines.pop() ?? "";
                for (const line of lines) if (line.trim()) each(line);
            }
        } finally {
            closeSync(fd);
        }
    }
}

/** Runs `pulumi up` (no preview of its own: the CLI previewed already) or `pulumi preview`. */
export function runEngine(command: "up" | "preview", run: EngineRun): Promise<EngineResult> {
    const cancelled = engineCancelledBy();
    if (cancelled) {
        const result: EngineResult = { result: "failed", resourceChanges: {}, stdout: "", stderr: "" };
        return Promise.reject(new EngineError(`pulumi ${command} not started: this run was cancelled by ${cancelled}`, result));
    }
    const dir = mkdtempSync(join(tmpdir(), "syncwave-events-"));
    const log = join(dir, "events.jsonl");
    const args = [command, ...(command === "up" ? ["--yes", "--skip-preview"] : []), "--stack", run.stack, "--non-interactive", "--exec-kind", "auto.local", "--event-log", log];
    if (run.message) args.push("--message", run.message);
    if (run.refresh) args.push("--refresh");
    if (run.diff) args.push("--diff");
    for (const t of run.target ?? []) args.push("--target", t);
    for (const p of run.policyPacks ?? []) args.push("--policy-pack", p);
    for (const c of run.policyPackConfigs ?? []) args.push("--policy-pack-config", c);

    const binary = pulumiBinary();
    const env = { ...process.env, ...(run.env ?? {}), PULUMI_AUTOMATION_API: "true", PULUMI_DEBUG_COMMANDS: "true", PATH: `${resolve(binary, "..")}:${process.env.PATH ?? ""}` };
    const changes: Record<string, number> = {};
    const tail = new LineTail(log);
    const drain = () =>
        tail.read((line) => {
            let event: EngineEvent;
            try {
                event = JSON.parse(line) as EngineEvent;
            } catch {
                return;
            }
            if (event.summaryEvent) Object.assign(changes, event.summaryEvent.resourceChanges ?? {});
            run.onEvent?.(event);
        });

    return new Promise((done, fail) => {
        // Through the engine guard, in a process group of its own: signals reach the engine only as
        // engine-signals passes them on, and it cancels gracefully if this process dies first.
        // Output goes to files, not pipes: were this process to die, a write to a pipe nobody reads
        // would kill the engine mid-step (SIGPIPE) instead of letting it cancel gracefully.
        const outFd = openSync(join(dir, "stdout"), "w");
        const errFd = openSync(join(dir, "stderr"), "w");
        const child = spawn(process.execPath, [ENGINE_GUARD, binary, ...args], { cwd: resolve(run.cwd ?? process.cwd()), env, stdio: ["ignore", outFd, errFd], detached: true });
        closeSync(outFd);
        closeSync(errFd);
        watchEngine(child);
        let stdout = "";
        let stderr = "";
        // As the Automation API does: the engine does not outlive this process when it exits.
        const stop = () => child.kill("SIGTERM");
        process.on("exit", stop);
        // Events as they come, a tenth of a second apart at most.
        const poll = setInterval(drain, 100);
        let finished = false;
        const finish = (code: number | null, spawnError?: Error) => {
            if (finished) return;
            finished = true;
            clearInterval(poll);
            process.off("exit", stop);
            try {
                drain();
                stdout = readFileSync(join(dir, "stdout"), "utf8");
                stderr = readFileSync(join(dir, "stderr"), "utf8");
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
            const result: EngineResult = { result: code === 0 ? "succeeded" : "failed", resourceChanges: changes, stdout, stderr };
            if (spawnError) return fail(new EngineError(`could not run ${binary}: ${spawnError.message}`, result));
            if (code === 0) return done(result);
            const tailOf = (s: string) => s.trim().split("\n").slice(-40).join("\n");
            const signal = engineCancelledBy();
            if (signal) {
                return fail(
                    new EngineCancelled(
                        `pulumi ${command} was cancelled by ${signal}: the resource step under way finished and nothing after it started (a second signal stops at once); run the same command again to finish`,
                        result,
                        signal,
                    ),
                );
            }
            fail(new EngineError(`pulumi ${command} failed (exit ${code ?? "signal"}):\n${tailOf(stderr) || tailOf(stdout)}`, result));
        };
        child.on("error", (err) => finish(null, err));
        child.on("close", (code) => finish(code));
    });
}
