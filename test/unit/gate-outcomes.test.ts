// A failed gate's outcome, handed to the CLI as typed records: only Degraded and timed-out gates are
// what an automatic rollback acts on; an API or network error on the way is not.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { failedGatesOf, GATE_OUTCOMES_ENV, readGateOutcomes, recordGateOutcome } from "../../components/providers/gate-outcomes";

describe("gate outcomes", () => {
    it("round-trips records through the file, the first failed gate of each Application deciding", () => {
        const path = join(mkdtempSync(join(tmpdir(), "gate-outcomes-")), "outcomes.jsonl");
        recordGateOutcome({ application: "web", stage: "Sync wave 1", outcome: "timeout" }, path);
        recordGateOutcome({ application: "web", stage: "Sync wave 2", outcome: "Degraded" }, path);
        recordGateOutcome({ application: "api", stage: "Sync wave 0", outcome: "error" }, path);
        recordGateOutcome({ application: "db", stage: "Sync wave 0", outcome: "Degraded" }, path);
        expect(readGateOutcomes(path)).toHaveLength(4);
        expect(failedGatesOf(readGateOutcomes(path))).toEqual({ web: "timeout", db: "Degraded" });
    });
    it("reads nothing from a missing file and skips a line that does not parse", () => {
        const dir = mkdtempSync(join(tmpdir(), "gate-outcomes-"));
        expect(readGateOutcomes(join(dir, "none.jsonl"))).toEqual([]);
        const path = join(dir, "outcomes.jsonl");
        writeFileSync(path, '{"application": "web", "stage": "x", "outcome": "Degraded"}\n{"applicat\n{"application": "api", "outcome": "exploded"}\n');
        expect(failedGatesOf(readGateOutcomes(path))).toEqual({ web: "Degraded" });
    });
    it("writes where SYNCWAVE_GATE_OUTCOMES says, as the gate's provider process finds it", () => {
        const path = join(mkdtempSync(join(tmpdir(), "gate-outcomes-")), "outcomes.jsonl");
        const before = process.env[GATE_OUTCOMES_ENV];
        process.env[GATE_OUTCOMES_ENV] = path;
        try {
            recordGateOutcome({ application: "web", stage: "Sync wave 1", outcome: "timeout" });
        } finally {
            if (before === undefined) delete process.env[GATE_OUTCOMES_ENV];
            else process.env[GATE_OUTCOMES_ENV] = before;
        }
        expect(readGateOutcomes(path)).toEqual([{ application: "web", stage: "Sync wave 1", outcome: "timeout" }]);
    });
});
