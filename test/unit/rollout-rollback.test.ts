// The rollback of a failed RollingSync step, as a plan: which step failed, and the revision each of
// its Applications goes back to (the last one a succeeded update measured Healthy).
import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../cli/commands/history";
import { failedStep, lastHealthyRevision, planAutoRollbacks, planRolloutRollbacks, rollbackReason } from "../../cli/rollout-rollback";
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
        expect(planRolloutRollbacks([set], ["web-qa2"], entries)).toEqual([{ scope: { applicationSet: "web", step: 2 }, targets: { "web-qa": "q1" }, without: ["web-qa2"], failed: ["web-qa2"] }]);
    });
    it("does not take a step's Application back to the very commit that just failed", () => {
        expect(planRolloutRollbacks([set], ["web-qa"], entries, { "web-qa": "q1" })[0]).toMatchObject({ targets: {}, without: ["web-qa", "web-qa2"] });
    });
    it("does nothing for a set without rollback-on-failure or whose Applications did not fail", () => {
        expect(planRolloutRollbacks([{ ...set, rollbackOnFailure: false }], ["web-qa2"], entries)).toEqual([]);
        expect(planRolloutRollbacks([set], ["elsewhere"], entries)).toEqual([]);
    });
});

describe("automatic rollback of one Application", () => {
    const entries = [
        entry(1, "succeeded", { web: "w1", api: "a1" }),
        entry(2, "succeeded", { web: "w2" }, "Degraded"),
        entry(3, "failed", { web: "w3", api: "a3" }, "Degraded"),
    ];
    it("takes the Application whose gate failed back to its last Healthy revision, alone", () => {
        const plans = planAutoRollbacks(["web", "api"], { web: "Degraded" }, { web: "w3", api: "a3" }, entries, new Set());
        expect(plans).toEqual([{ scope: { application: "web", gate: "Degraded", failedRevision: "w3" }, targets: { web: "w1" }, without: [], failed: ["web"] }]);
        expect(rollbackReason(plans[0])).toBe("web was Degraded at w3");
    });
    it("leaves an Application without autoRollback, or one a rollout's plan already rolls back", () => {
        expect(planAutoRollbacks(["api"], { web: "timeout" }, {}, entries, new Set())).toEqual([]);
        expect(planAutoRollbacks(["web"], { web: "timeout" }, {}, entries, new Set(["web"]))).toEqual([]);
    });
    it("names an Application with no Healthy revision, or whose last Healthy revision is the failing one", () => {
        expect(planAutoRollbacks(["new"], { new: "timeout" }, { new: "n1" }, entries, new Set())).toEqual([
            { scope: { application: "new", gate: "timeout", failedRevision: "n1" }, targets: {}, without: ["new"], failed: ["new"] },
        ]);
        const same = planAutoRollbacks(["web"], { web: "Degraded" }, { web: "w1" }, entries, new Set());
        expect(same[0].targets).toEqual({});
        expect(same[0].without).toEqual(["web"]);
    });
    it("says a timed-out gate and a failed step in the history's words", () => {
        expect(rollbackReason({ scope: { application: "web", gate: "timeout" }, targets: {}, without: [], failed: ["web"] })).toBe("web did not become Healthy in time");
        expect(rollbackReason({ scope: { applicationSet: "web", step: 2 }, targets: {}, without: [], failed: ["web-qa"] })).toBe("step 2 of ApplicationSet web failed (web-qa)");
    });
});
