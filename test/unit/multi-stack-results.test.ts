// What each stack's run came to, the parent's exit code, the summary table, the JSON document, and
// stderr lines under each stack's name.
import { describe, expect, it } from "vitest";
import { LinePrefixer } from "../../cli/multi-stack/line-prefixer";
import type { ScheduledRun } from "../../cli/multi-stack/scheduler";
import { combinedExitCode, exitCodeOf, stackRunResult, type ChildOutcome, type StackRunResult } from "../../cli/multi-stack/stack-results";
import { formatDuration, formatSummary, stackHeader, stacksDocument } from "../../cli/multi-stack/summary";

const ended = (stack: string, exitCode: number | null, signal: NodeJS.Signals | null = null, stdout = ""): ScheduledRun<ChildOutcome> => ({
    stack,
    started: true,
    outcome: { exitCode, signal, stdout },
    startedAtMs: Date.parse("2026-12-01T10:00:00Z"),
    endedAtMs: Date.parse("2026-12-01T10:00:12.5Z"),
});
const notStarted = (stack: string): ScheduledRun<ChildOutcome> => ({ stack, started: false });
const plain = { diffExitCode: false };
const diffRules = { diffExitCode: true };

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

    it("is the signal's exit code when a signal cancelled the run", () => {
        expect(combinedExitCode(results([0, null], plain, "SIGINT"), plain, "SIGINT")).toBe(130);
        expect(combinedExitCode(results([0, 0], diffRules, "SIGTERM"), diffRules, "SIGTERM")).toBe(143);
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
