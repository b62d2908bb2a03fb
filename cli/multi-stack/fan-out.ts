// `syncwave --stack a --stack b ...`: each stack an ordinary single-stack run in a child process of
// its own (its own lock, its own memory), at most N at a time, as N CI runners would run them.
// Progress streams as it comes under each stack's name; each stack's stdout is printed whole when it
// ends; a summary (or one JSON document) closes the run.
import { startStackChild } from "./child-run";
import { schedule } from "./scheduler";
import { combinedExitCode, stackRunResult, type ChildOutcome, type ExitCodes } from "./stack-results";
import { formatSummary, stackHeader, stacksDocument } from "./summary";

export interface FanOutOptions {
    stacks: readonly string[];
    parallel: number;
    json: boolean;
    /** How the command's exit codes read (diff --exit-code, drift). */
    codes: ExitCodes;
    /** The parent's own arguments (process.argv without node and the script). */
    parentArguments: readonly string[];
}

// SIGHUP too: a closed terminal or SSH session reaches the parent only, the children being in groups of their own.
const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Runs every stack and resolves to the parent's exit code. */
export async function fanOut(options: FanOutOptions): Promise<number> {
    const writeStderrLine = (line: string) => process.stderr.write(`${line}\n`);
    writeStderrLine(`syncwave: ${options.stacks.length} stacks, at most ${options.parallel} at a time: ${options.stacks.join(", ")}`);
    const rules = { codes: options.codes };
    const run = schedule<ChildOutcome>(options.stacks, options.parallel, (stack) => {
        const job = startStackChild(stack, options.parentArguments, writeStderrLine);
        // Each stack's output whole, as soon as it ended: tables of two stacks never interleave.
        if (!options.json) {
            void job.finished.then((outcome) => {
                process.stdout.write(`${stackHeader(stack)}\n${outcome.stdout}${outcome.stdout === "" || outcome.stdout.endsWith("\n") ? "" : "\n"}`);
            });
        }
        return job;
    });
    const onSignal = (signal: NodeJS.Signals) => {
        if (run.cancelledBy() === undefined) writeStderrLine(`syncwave: ${signal}: passed on to the running stacks; no further stack starts`);
        else writeStderrLine(`syncwave: ${signal} again: passed on to the running stacks, which stop at once`);
        run.cancel(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
    try {
        const runs = await run.done;
        const cancelledBy = run.cancelledBy();
        const results = runs.map((r) => stackRunResult(r, rules, cancelledBy));
        if (options.json) process.stdout.write(`${JSON.stringify(stacksDocument(results), null, 2)}\n`);
        else process.stdout.write(`\n${formatSummary(results)}\n`);
        return combinedExitCode(results, rules, cancelledBy);
    } finally {
        for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
    }
}
