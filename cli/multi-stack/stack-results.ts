// What each stack's run came to, and the parent's exit code from them.
import { constants as osConstants } from "node:os";
import type { ScheduledRun } from "./scheduler";

/** How one child process ended, and what it printed on stdout. */
export interface ChildOutcome {
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
}

export type StackResult = "succeeded" | "failed" | "cancelled" | "not started";

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

export interface ResultRules {
    /** `diff --exit-code`: exit 1 means "there are changes", a successful diff. */
    diffExitCode: boolean;
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
    const succeeded = exitCode === 0 || (rules.diffExitCode && exitCode === 1);
    // A child that stopped because the parent passed it a signal was cancelled, not broken: a
    // cancelled sync exits as the signal (130, 143) or is ended by it.
    const cancelled = !succeeded && cancelledBy !== undefined && (run.outcome.signal !== null || exitCode === 128 + signalNumber(cancelledBy));
    return {
        stack: run.stack,
        result: succeeded ? "succeeded" : cancelled ? "cancelled" : "failed",
        exitCode,
        durationMs: run.endedAtMs - run.startedAtMs,
        startedAt: new Date(run.startedAtMs).toISOString(),
        endedAt: new Date(run.endedAtMs).toISOString(),
        stdout: run.outcome.stdout,
    };
}

/**
 * The parent's exit code: as the signal when one cancelled the run; 0 when every stack succeeded;
 * with `diff --exit-code` the largest of the children's codes (1 changes, 2 an error, as each alone);
 * otherwise 1.
 */
export function combinedExitCode(results: readonly StackRunResult[], rules: ResultRules, cancelledBy: NodeJS.Signals | undefined): number {
    if (cancelledBy !== undefined) return 128 + signalNumber(cancelledBy);
    if (rules.diffExitCode) return Math.max(0, ...results.map((r) => r.exitCode ?? 1));
    return results.every((r) => r.result === "succeeded") ? 0 : 1;
}
