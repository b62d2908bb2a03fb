// What each stack's run came to, and the parent's exit code from them.
import { constants as osConstants } from "node:os";
import type { ScheduledRun } from "./scheduler";

/** How one child process ended, and what it printed on stdout. */
export interface ChildOutcome {
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
}

/** "drift": `drift` found unauthorised drift (its exit 2), a finding and not a broken run. */
export type StackResult = "succeeded" | "drift" | "failed" | "cancelled" | "not started";

export interface StackRunResult {
    stack: string;
    result: StackResult;
    /** The child's exit code (128 + the signal's number when a signal ended it); null when it never started. */
    exitCode: number | null;
    durationMs: number;
    startedAt?: string;
    endedAt?: string;
    stdout: string;
}

/**
 * How the command's exit codes read, each as the command alone would exit:
 * - "plain": 0 succeeded, anything else failed;
 * - "diff" (diff --exit-code): 0 nothing to sync, 1 changes (a successful diff), 2 an error;
 * - "drift": 0 no unauthorised drift, 1 an error, 2 unauthorised drift.
 */
export type ExitCodes = "plain" | "diff" | "drift";

export interface ResultRules {
    codes: ExitCodes;
}

/** The exit-code reading of a command on several stacks. */
export function exitCodesOf(command: string, options: { exitCode?: boolean }): ExitCodes {
    if (command === "diff" && options.exitCode === true) return "diff";
    return command === "drift" ? "drift" : "plain";
}

const signalNumber = (signal: NodeJS.Signals): number => osConstants.signals[signal] ?? 0;

/** The exit code a process ended with, or that of a process a signal ended (130 for SIGINT, 143 for SIGTERM). */
export function exitCodeOf(outcome: Pick<ChildOutcome, "exitCode" | "signal">): number {
    if (outcome.exitCode !== null) return outcome.exitCode;
    return outcome.signal ? 128 + signalNumber(outcome.signal) : 1;
}

export function stackRunResult(run: ScheduledRun<ChildOutcome>, rules: ResultRules, cancelledBy: NodeJS.Signals | undefined): StackRunResult {
    if (!run.started) return { stack: run.stack, result: "not started", exitCode: null, durationMs: 0, stdout: "" };
    const exitCode = exitCodeOf(run.outcome);
    const succeeded = exitCode === 0 || (rules.codes === "diff" && exitCode === 1);
    // A child that stopped because the parent passed it a signal was cancelled, not broken: a
    // cancelled sync exits as the signal (130, 143) or is ended by it. One that ended before any
    // signal reached it (killed for memory, say) failed, whatever the run came to afterwards.
    const cancelled = !succeeded && cancelledBy !== undefined && run.signalled && (run.outcome.signal !== null || exitCode === 128 + signalNumber(cancelledBy));
    const drift = rules.codes === "drift" && exitCode === 2;
    return {
        stack: run.stack,
        result: succeeded ? "succeeded" : cancelled ? "cancelled" : drift ? "drift" : "failed",
        exitCode,
        durationMs: run.endedAtMs - run.startedAtMs,
        startedAt: new Date(run.startedAtMs).toISOString(),
        endedAt: new Date(run.endedAtMs).toISOString(),
        stdout: run.outcome.stdout,
    };
}

/**
 * A child's code in the command's own vocabulary. A child that crashed with any other code (137 when
 * killed, one a signal ended) is an error: 2 for diff --exit-code, 1 for drift (whose 2 would claim
 * unauthorised drift no one found). A stack never started counts as an error.
 */
function gradedCode(result: StackRunResult, codes: "diff" | "drift"): number {
    const error = codes === "diff" ? 2 : 1;
    if (result.exitCode === null) return error;
    return [0, 1, 2].includes(result.exitCode) ? result.exitCode : error;
}

/**
 * The parent's exit code: as the signal when one cancelled the run (a stack that failed first still
 * shows as failed in the summary); 0 when every stack succeeded; with diff --exit-code and with drift
 * the largest of the children's codes, each read as that command alone exits (diff: 1 changes, 2 an
 * error; drift: 1 an error, 2 unauthorised drift); otherwise 1.
 */
export function combinedExitCode(results: readonly StackRunResult[], rules: ResultRules, cancelledBy: NodeJS.Signals | undefined): number {
    if (cancelledBy !== undefined) return 128 + signalNumber(cancelledBy);
    const codes = rules.codes;
    if (codes !== "plain") return Math.max(0, ...results.map((r) => gradedCode(r, codes)));
    return results.every((r) => r.result === "succeeded") ? 0 : 1;
}
