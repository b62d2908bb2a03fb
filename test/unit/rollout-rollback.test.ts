// The rollback of a failed RollingSync step, as a plan: which step failed, and the revision each of
// its Applications goes back to (the last one a succeeded update measured Healthy).
import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../cli/commands/history";
import { failedStep, lastHealthyRevision, planRolloutRollbacks } from "../../cli/rollout-rollback";
import type { ApplicationSetReport } from "../../components/report";

const entry = (id: number, result: string, revisions: Record<string, string>, health = "Healthy", operation = "update"): HistoryEntry => ({
    id,
    operation,
    kind: "sync",
    startTime: "",
    by: "",
    result,
    health,
    revisions,
    message: "",
});

const set: ApplicationSetReport = { applicationSet: "web", steps: [["web-dev"], ["web-qa", "web-qa2"], ["web-prod"]], unmatched: [], rollbackOnFailure: true };

describe("failed RollingSync step", () => {
    it("is the first step holding a failed Application", () => {
        expect(failedStep(set, ["web-qa2"])).toEqual({ index: 1, applications: ["web-qa", "web-qa2"], failed: ["web-qa2"] });
        expect(failedStep(set, ["other"])).toBeUndefined();
    });
});

describe("last Healthy revision", () => {
    const entries = [
        entry(1, "succeeded", { "web-dev": "a1" }),
        entry(2, "succeeded", { "web-dev": "b2", other: "x" }, "web-dev=Degraded other=Healthy"),
        entry(3, "failed", { "web-dev": "c3" }, "Degraded"),
        entry(4, "succeeded", {}, "", "refresh"),
    ];
    it("skips failed updates, other operations and updates that measured it unhealthy", () => {
        expect(lastHealthyRevision(entries, "web-dev")).toEqual({ revision: "a1", id: 1 });
        expect(lastHealthyRevision(entries, "other")).toEqual({ revision: "x", id: 2 });
    });
    it("is undefined for an Application never synced Healthy", () => {
        expect(lastHealthyRevision(entries, "web-prod")).toBeUndefined();
    });
});

describe("rollback plans", () => {
    const entries = [entry(1, "succeeded", { "web-qa": "q1" }), entry(2, "failed", { "web-qa": "q2", "web-qa2": "r2" }, "Degraded")];
    it("rolls back every Application of the failed step that has a Healthy revision, names the rest", () => {
        expect(planRolloutRollbacks([set], ["web-qa2"], entries)).toEqual([{ applicationSet: "web", step: 2, targets: { "web-qa": "q1" }, without: ["web-qa2"], failed: ["web-qa2"] }]);
    });
    it("does nothing for a set without rollback-on-failure or whose Applications did not fail", () => {
        expect(planRolloutRollbacks([{ ...set, rollbackOnFailure: false }], ["web-qa2"], entries)).toEqual([]);
        expect(planRolloutRollbacks([set], ["elsewhere"], entries)).toEqual([]);
    });
});
