// One stack's child: the same CLI with the same arguments but one --stack, started as bin/syncwave
// starts it (this Node, the transpile cache, cli/main.ts). Its stderr (progress, errors) is passed on
// as it comes, each line under the stack's name; its stdout is kept and handed back when it ends.
//
// Each child leads a process group of its own, so a terminal's signals reach only the parent, which
// passes each on to the whole group (as a terminal would to a single sync's). Should the parent exit
// while children still run (an exception, process.exit), it sends them SIGTERM as it goes: no sync
// goes on unobserved. Killed outright (SIGKILL), it cannot; a child then finds its output pipes closed
// at its next write and cancels itself as on SIGTERM (cli/multi-stack/parent-gone.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { childArguments } from "./child-arguments";
import { LinePrefixer } from "./line-prefixer";
import { FAN_OUT_CHILD_VARIABLE } from "./parent-gone";
import type { StartedJob } from "./scheduler";
import type { ChildOutcome } from "./stack-results";

const cliRoot = resolve(__dirname, "..");


const live = new Set<ChildProcess>();

/** A signal to the child's whole process group; false when there is none any more. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
    try {
        process.kill(-child.pid, signal);
        return true;
    } catch {
        return false;
    }
}

/** SIGTERM to every child still running, each to its whole group. Synchronous: it runs on "exit". */
export function stopRunningChildren(): void {
    for (const child of live) signalGroup(child, "SIGTERM");
}

let exitHandlerInstalled = false;
function stopChildrenOnExit(): void {
    if (exitHandlerInstalled) return;
    exitHandlerInstalled = true;
    process.on("exit", stopRunningChildren);
}

/** This Node running the CLI as bin/syncwave does; tests run a script of their own instead. */
const cliCommand = (): string[] => ["-r", resolve(cliRoot, "bin/require-ts.js"), resolve(cliRoot, "main.ts")];

export function startStackChild(
    stack: string,
    parentArguments: readonly string[],
    writeStderrLine: (line: string) => void,
    nodeArguments: readonly string[] = cliCommand(),
): StartedJob<ChildOutcome> {
    const child = spawn(process.execPath, [...nodeArguments, ...childArguments(parentArguments, stack)], {
        env: { ...process.env, SYNCWAVE_STACK: stack, [FAN_OUT_CHILD_VARIABLE]: "1" },
        stdio: ["ignore", "pipe", "pipe"],
        // A process group of its own: a terminal's Ctrl-C reaches only the parent, which passes on each
        // signal once; were the child in the parent's group it would get every Ctrl-C twice, and its
        // engine would stop at once on the first instead of cancelling.
        detached: true,
    });
    stopChildrenOnExit();
    live.add(child);
    child.once("exit", () => live.delete(child));
    child.once("error", () => live.delete(child));
    const stderr = new LinePrefixer(`[${stack}] `, writeStderrLine);
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    const finished = new Promise<ChildOutcome>((resolveOutcome) => {
        child.once("error", (err) => {
            stderr.end();
            writeStderrLine(`[${stack}] syncwave: could not start: ${err.message}`);
            resolveOutcome({ exitCode: 1, signal: null, stdout });
        });
        // "close": the streams are drained too, so nothing the child printed is lost.
        child.once("close", (exitCode, signal) => {
            stderr.end();
            resolveOutcome({ exitCode, signal, stdout });
        });
    });
    return {
        finished,
        cancel(signal) {
            // The group: what a terminal's Ctrl-C reaches in a single sync (its engine has a group of its own).
            if (!signalGroup(child, signal) && child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
    };
}
