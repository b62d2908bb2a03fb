// How a failed health gate ended, handed from the gate's provider process to the CLI as typed data:
// one JSON line per failed gate in the file SYNCWAVE_GATE_OUTCOMES names (set by `syncwave sync` for
// its update; unset, nothing is written). What an automatic rollback acts on must not be read back out
// of an error message: only a gate that found its stage Degraded or not Healthy in time counts, never
// an API error, a denied watch or a network failure on the way.
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export const GATE_OUTCOMES_ENV = "SYNCWAVE_GATE_OUTCOMES";

export type GateOutcome = "Degraded" | "timeout" | "error";

export interface GateOutcomeRecord {
    application: string;
    stage: string;
    outcome: GateOutcome;
}

/** Appends one record (the gate's process; a line is written whole, so parallel gates do not interleave). */
export function recordGateOutcome(record: GateOutcomeRecord, path = process.env[GATE_OUTCOMES_ENV]): void {
    if (!path) return;
    try {
        appendFileSync(path, `${JSON.stringify(record)}\n`);
    } catch {
        // The record serves a rollback decision only: without it, nothing is rolled back.
    }
}

/** Every record of a run (the CLI, after the update); a line that does not parse counts as an error outcome. */
export function readGateOutcomes(path: string): GateOutcomeRecord[] {
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .flatMap((line) => {
            try {
                const r = JSON.parse(line) as GateOutcomeRecord;
                return typeof r.application === "string" && ["Degraded", "timeout", "error"].includes(r.outcome) ? [r] : [];
            } catch {
                return [];
            }
        });
}

/** The Applications a gate found Degraded or not Healthy in time (the first such gate of each decides). */
export function failedGatesOf(records: readonly GateOutcomeRecord[]): Record<string, "Degraded" | "timeout"> {
    const gates: Record<string, "Degraded" | "timeout"> = {};
    for (const r of records) if (r.outcome !== "error") gates[r.application] ??= r.outcome;
    return gates;
}
