// What the parent prints once every stack ended: a table (stack, result, exit code, duration), or with
// --json one document holding each child's own output.
import { formatDuration } from "../format/duration";
import { formatColumns } from "../format/table";
import type { StackRunResult } from "./stack-results";

export function formatSummary(results: readonly StackRunResult[]): string {
    return formatColumns(
        ["STACK", "RESULT", "EXIT CODE", "DURATION"],
        results.map((r) => [r.stack, r.result, r.exitCode === null ? "-" : String(r.exitCode), r.result === "not started" ? "-" : formatDuration(r.durationMs)]),
        [1],
    );
}

/** The header over one stack's buffered stdout, so the tables of several stacks never run together. */
export function stackHeader(stack: string): string {
    return `=== stack ${stack} ===`;
}

export interface StacksDocument {
    stacks: {
        stack: string;
        exitCode: number | null;
        result: StackRunResult["result"];
        durationMs: number;
        startedAt?: string;
        endedAt?: string;
        /** The child's --json output parsed, or its text when it is not JSON (an error, an empty output). */
        output: unknown;
    }[];
}

export function stacksDocument(results: readonly StackRunResult[]): StacksDocument {
    return {
        stacks: results.map((r) => ({
            stack: r.stack,
            exitCode: r.exitCode,
            result: r.result,
            durationMs: r.durationMs,
            ...(r.startedAt ? { startedAt: r.startedAt, endedAt: r.endedAt } : {}),
            output: parsedOrText(r.stdout),
        })),
    };
}

function parsedOrText(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}
