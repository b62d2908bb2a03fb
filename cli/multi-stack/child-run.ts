// One stack's child: the same CLI with the same arguments but one --stack, started as bin/syncwave
// starts it (this Node, the transpile cache, cli/main.ts). Its stderr (progress, errors) is passed on
// as it comes, each line under the stack's name; its stdout is kept and handed back when it ends.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { childArguments } from "./child-arguments";
import { LinePrefixer } from "./line-prefixer";
import type { StartedJob } from "./scheduler";
import type { ChildOutcome } from "./stack-results";

const cliRoot = resolve(__dirname, "..");

export function startStackChild(stack: string, parentArguments: readonly string[], writeStderrLine: (line: string) => void): StartedJob<ChildOutcome> {
    const child = spawn(process.execPath, ["-r", resolve(cliRoot, "bin/require-ts.js"), resolve(cliRoot, "main.ts"), ...childArguments(parentArguments, stack)], {
        env: { ...process.env, SYNCWAVE_STACK: stack },
        stdio: ["ignore", "pipe", "pipe"],
        // A process group of its own: a terminal's Ctrl-C reaches only the parent, which passes it on
        // exactly once. A second signal would make the child's engine stop at once instead of cancelling.
        detached: true,
    });
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
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
    };
}
