// What each stack's run came to, the parent's exit code, the summary table, the JSON document, and
// stderr lines under each stack's name.
import { describe, expect, it } from "vitest";
import { LinePrefixer } from "../../cli/multi-stack/line-prefixer";
import type { ScheduledRun } from "../../cli/multi-stack/scheduler";
import { combinedExitCode, exitCodeOf, exitCodesOf, stackRunResult, type ChildOutcome, type ResultRules, type StackRunResult } from "../../cli/multi-stack/stack-results";
import { formatDuration } from "../../cli/format/duration";
import { formatSummary, stackHeader, stacksDocument } from "../../cli/multi-stack/summary";

const ended = (stack: string, exitCode: number | null, signal: NodeJS.Signals | null = null, stdout = "", signalled = true): ScheduledRun<ChildOutcome> => ({
    stack,
    started: true,
    outcome: { exitCode, signal, stdout },
    startedAtMs: Date.parse("2026-12-01T10:00:00Z"),
    endedAtMs: Date.parse("2026-12-01T10:00:12.5Z"),
    signalled,
});
const notStarted = (stack: string): ScheduledRun<ChildOutcome> => ({ stack, started: false });
const plain: ResultRules = { codes: "plain" };
const diffRules: ResultRules = { codes: "diff" };
const driftRules: ResultRules = { codes: "drift" };

describe("stackRunResult", () => {
    it("a child that exited 0 succeeded; any other code failed", () => {
        expect(stackRunResult(ended("a", 0), plain, undefined)).toMatchObject({ result: "succeeded", exitCode: 0, durationMs: 12_500, startedAt: "2026-12-01T10:00:00.000Z", endedAt: "2026-12-01T10:00:12.500Z" });
        expect(stackRunResult(ended("a", 2), plain, undefined)).toMatchObject({ result: "failed", exitCode: 2 });
    });

    it("with diff --exit-code, changes (1) are a successful diff and an error (2) is not", () => {
        expect(stackRunResult(ended("a", 1), diffRules, undefined).result).toBe("succeeded");
        expect(stackRunResult(ended("a", 2), diffRules, undefined).result).toBe("failed");
        expect(stackRunResult(ended("a", 1), plain, undefined).result).toBe("failed");
    });

    it("a child ended by the forwarded signal, or exiting as it, was cancelled", () => {
        expect(stackRunResult(ended("a", null, "SIGINT"), plain, "SIGINT")).toMatchObject({ result: "cancelled", exitCode: 130 });
        expect(stackRunResult(ended("a", 143), plain, "SIGTERM")).toMatchObject({ result: "cancelled", exitCode: 143 });
        // One that failed on its own while the others were cancelled still failed.
        expect(stackRunResult(ended("a", 1), plain, "SIGTERM").result).toBe("failed");
        // One that finished before the signal came succeeded.
        expect(stackRunResult(ended("a", 0), plain, "SIGINT").result).toBe("succeeded");
    });

    it("a child ended by a signal before any was passed on failed, though the run was cancelled later", () => {
        expect(stackRunResult(ended("a", null, "SIGKILL", "", false), plain, "SIGINT")).toMatchObject({ result: "failed", exitCode: 137 });
        expect(stackRunResult(ended("a", 130, null, "", false), plain, "SIGINT")).toMatchObject({ result: "failed", exitCode: 130 });
    });

    it("with drift, unauthorised drift (2) is the result drift, not a failure; an error (1) failed", () => {
        expect(stackRunResult(ended("a", 2), driftRules, undefined)).toMatchObject({ result: "drift", exitCode: 2 });
        expect(stackRunResult(ended("a", 1), driftRules, undefined).result).toBe("failed");
        expect(stackRunResult(ended("a", 0), driftRules, undefined).result).toBe("succeeded");
        expect(stackRunResult(ended("a", 2), diffRules, undefined).result).toBe("failed");
    });

    it("reads the exit codes of diff --exit-code and of drift, and of nothing else", () => {
        expect(exitCodesOf("diff", { exitCode: true })).toBe("diff");
        expect(exitCodesOf("diff", {})).toBe("plain");
        expect(exitCodesOf("drift", {})).toBe("drift");
        expect(exitCodesOf("sync", { exitCode: true })).toBe("plain");
    });

    it("a stack that never started has no exit code", () => {
        expect(stackRunResult(notStarted("c"), plain, "SIGINT")).toEqual({ stack: "c", result: "not started", exitCode: null, durationMs: 0, stdout: "" });
    });

    it("a process a signal ended exits as 128 + the signal's number", () => {
        expect(exitCodeOf({ exitCode: null, signal: "SIGKILL" })).toBe(137);
        expect(exitCodeOf({ exitCode: 3, signal: null })).toBe(3);
    });
});

describe("combinedExitCode", () => {
    const results = (codes: (number | null)[], rules = plain, signal?: NodeJS.Signals) =>
        codes.map((c, i) => stackRunResult(c === null ? notStarted(`s${i}`) : ended(`s${i}`, c), rules, signal));

    it("is 0 when every stack succeeded, else 1", () => {
        expect(combinedExitCode(results([0, 0, 0]), plain, undefined)).toBe(0);
        expect(combinedExitCode(results([0, 2, 0]), plain, undefined)).toBe(1);
        expect(combinedExitCode(results([0, 137]), plain, undefined)).toBe(1);
    });

    it("with diff --exit-code is the largest child code: 1 when any has changes, 2 when any failed", () => {
        expect(combinedExitCode(results([0, 0], diffRules), diffRules, undefined)).toBe(0);
        expect(combinedExitCode(results([0, 1, 0], diffRules), diffRules, undefined)).toBe(1);
        expect(combinedExitCode(results([1, 2, 0], diffRules), diffRules, undefined)).toBe(2);
    });

    it("with diff --exit-code, a child that crashed otherwise is an error (2), never its own code", () => {
        expect(combinedExitCode(results([0, 137], diffRules), diffRules, undefined)).toBe(2);
        expect(combinedExitCode(results([1, 3], diffRules), diffRules, undefined)).toBe(2);
        const bySignal = [stackRunResult(ended("a", 0), diffRules, undefined), stackRunResult(ended("b", null, "SIGSEGV"), diffRules, undefined)];
        expect(combinedExitCode(bySignal, diffRules, undefined)).toBe(2);
    });

    it("with drift is the largest child code: 2 when any stack has unauthorised drift, 1 when one failed", () => {
        expect(combinedExitCode(results([0, 0], driftRules), driftRules, undefined)).toBe(0);
        expect(combinedExitCode(results([0, 2, 0], driftRules), driftRules, undefined)).toBe(2);
        expect(combinedExitCode(results([1, 0], driftRules), driftRules, undefined)).toBe(1);
        expect(combinedExitCode(results([1, 2], driftRules), driftRules, undefined)).toBe(2);
        // A crash is an error, not drift found.
        expect(combinedExitCode(results([0, 137], driftRules), driftRules, undefined)).toBe(1);
    });

    it("is the signal's exit code when a signal cancelled the run", () => {
        expect(combinedExitCode(results([0, null], plain, "SIGINT"), plain, "SIGINT")).toBe(130);
        expect(combinedExitCode(results([0, 0], diffRules, "SIGTERM"), diffRules, "SIGTERM")).toBe(143);
    });

    it("a signal wins the exit code, and a stack that had failed still shows as failed", () => {
        const cancelled = [stackRunResult(ended("a", 1, null, "", false), plain, "SIGINT"), stackRunResult(ended("b", 130), plain, "SIGINT"), stackRunResult(notStarted("c"), plain, "SIGINT")];
        expect(combinedExitCode(cancelled, plain, "SIGINT")).toBe(130);
        expect(formatSummary(cancelled).split("\n").map((line) => line.split(/ {2,}/)[1])).toEqual(["RESULT", "failed", "cancelled", "not started"]);
    });
});

describe("the summary", () => {
    const sample: StackRunResult[] = [
        stackRunResult(ended("prod-eu", 0, null, '{"ok":true}\n'), plain, undefined),
        stackRunResult(ended("staging", 1, null, "syncwave: something\n"), plain, undefined),
        stackRunResult(notStarted("qa"), plain, undefined),
    ];

    it("is a table of stack, result, exit code and duration", () => {
        expect(formatSummary(sample)).toBe(
            ["STACK    RESULT       EXIT CODE  DURATION", "prod-eu  succeeded    0          12.5s", "staging  failed       1          12.5s", "qa       not started  -          -"].join("\n"),
        );
    });

    it("formats durations in seconds, minutes past a minute", () => {
        expect(formatDuration(2_340)).toBe("2.3s");
        expect(formatDuration(65_200)).toBe("1m05s");
        expect(formatDuration(119_600)).toBe("2m00s"); // not 1m60s
    });

    it("heads each stack's output with its name", () => {
        expect(stackHeader("prod-eu")).toBe("=== stack prod-eu ===");
    });

    it("--json: one document with each child's parsed JSON, or its text when it is not JSON", () => {
        expect(stacksDocument(sample)).toEqual({
            stacks: [
                { stack: "prod-eu", exitCode: 0, result: "succeeded", durationMs: 12_500, startedAt: "2026-12-01T10:00:00.000Z", endedAt: "2026-12-01T10:00:12.500Z", output: { ok: true } },
                { stack: "staging", exitCode: 1, result: "failed", durationMs: 12_500, startedAt: "2026-12-01T10:00:00.000Z", endedAt: "2026-12-01T10:00:12.500Z", output: "syncwave: something\n" },
                { stack: "qa", exitCode: null, result: "not started", durationMs: 0, output: "" },
            ],
        });
    });
});

describe("LinePrefixer", () => {
    it("passes on whole lines under the stack's name, however the chunks split them", () => {
        const lines: string[] = [];
        const prefixer = new LinePrefixer("[prod] ", (l) => lines.push(l));
        prefixer.push("syncing w");
        prefixer.push("eb\r\nwave 0 done\nhealt");
        expect(lines).toEqual(["[prod] syncing web", "[prod] wave 0 done"]);
        prefixer.push("hy");
        prefixer.end();
        expect(lines).toEqual(["[prod] syncing web", "[prod] wave 0 done", "[prod] healthy"]);
        prefixer.end();
        expect(lines.length).toBe(3);
    });
});
