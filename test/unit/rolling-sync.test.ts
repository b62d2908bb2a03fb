// RollingSync steps as Argo CD forms them (applicationset/progressivesync/progressive_sync.go), and
// maxUpdate batches as its controller bounds them.
import { describe, expect, it } from "vitest";
import { rollingSyncSteps, type RollingSyncStepSpec, type RollingSyncStrategy } from "../../components/fleet/rolling-sync";

const app = (name: string, labels: Record<string, string> = {}) => ({ name, labels });
const env = (name: string, value: string) => app(name, { envLabel: value });
const rolling = (...steps: RollingSyncStepSpec[]): RollingSyncStrategy => ({ type: "RollingSync", rollingSync: { steps } });
const inStep = (key: string, ...values: string[]) => ({ matchExpressions: [{ key, operator: "In", values }] });

describe("Argo CD's documented examples", () => {
    it("dev, then qa held for a manual sync (maxUpdate 0), then prod 10% at a time", () => {
        // docs/operator-manual/applicationset/Progressive-Syncs.md, "Example", with more prod clusters.
        const fleet = [
            env("engineering-dev-guestbook", "env-dev"),
            env("engineering-qa-guestbook", "env-qa"),
            ...["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"].map((c) => env(`prod-${c}-guestbook`, "env-prod")),
        ];
        const strategy = rolling(inStep("envLabel", "env-dev"), { ...inStep("envLabel", "env-qa"), maxUpdate: 0 }, { ...inStep("envLabel", "env-prod"), maxUpdate: "10%" });
        const rollout = rollingSyncSteps(fleet, strategy);
        expect(rollout.steps[0]).toEqual({ step: 1, applications: [["engineering-dev-guestbook"]] });
        expect(rollout.steps[1]).toEqual({ step: 2, applications: [["engineering-qa-guestbook"]], held: true });
        // 10% of 12 is 1.2, rounded down to 1: one prod Application at a time.
        expect(rollout.steps[2].applications).toEqual([["prod-a-guestbook"], ["prod-b-guestbook"], ["prod-c-guestbook"], ["prod-d-guestbook"], ["prod-e-guestbook"], ["prod-f-guestbook"], ["prod-g-guestbook"], ["prod-h-guestbook"], ["prod-i-guestbook"], ["prod-j-guestbook"], ["prod-k-guestbook"], ["prod-l-guestbook"]]);
        expect(rollout.held).toEqual(["engineering-qa-guestbook"]);
        expect(rollout.unmatched).toEqual([]);
    });

    it("two steps, dev at once and prod at 10%; an Application in neither is left out", () => {
        // Progressive-Syncs.md, "RollingSync": maxUpdate unset is 100%; 10% of 3 rounds down to 0, floored at 1.
        const rollout = rollingSyncSteps(
            [env("dev-1", "env-dev"), env("dev-2", "env-dev"), env("prod-1", "env-prod"), env("prod-2", "env-prod"), env("prod-3", "env-prod"), env("test-1", "env-test")],
            rolling(inStep("envLabel", "env-dev"), { ...inStep("envLabel", "env-prod"), maxUpdate: "10%" }),
        );
        expect(rollout).toEqual({
            steps: [
                { step: 1, applications: [["dev-1", "dev-2"]] },
                { step: 2, applications: [["prod-1"], ["prod-2"], ["prod-3"]] },
            ],
            unmatched: ["test-1"],
            held: [],
        });
    });
});

describe("selecting a step's Applications", () => {
    const fleet = [
        app("app-qa1", { env: "qa" }),
        app("app-qa2", { env: "qa", region: "us-east-2" }),
        app("app-prod1", { env: "prod", region: "us-west-2" }),
        app("app-nolabels"),
    ];
    const members = (...steps: RollingSyncStepSpec[]) => {
        const r = rollingSyncSteps(fleet, rolling(...steps));
        return { steps: r.steps.map((s) => [s.step, s.applications.flat()]), unmatched: r.unmatched };
    };

    it.each([
        // Cases of Argo CD's TestBuildAppDependencyList.
        ["'In' selects by value", [inStep("env", "qa")], { steps: [[1, ["app-qa1", "app-qa2"]]], unmatched: ["app-nolabels", "app-prod1"] }],
        ["'In' fails on a missing label", [inStep("region", "us-east-2", "us-west-2")], { steps: [[1, ["app-prod1", "app-qa2"]]], unmatched: ["app-nolabels", "app-qa1"] }],
        ["'NotIn' passes a missing label", [{ matchExpressions: [{ key: "region", operator: "NotIn", values: ["us-east-2"] }] }], { steps: [[1, ["app-nolabels", "app-prod1", "app-qa1"]]], unmatched: ["app-qa2"] }],
        [
            "every expression must match; 'NotIn' wins over 'In'",
            [{ matchExpressions: [{ key: "env", operator: "In", values: ["qa"] }, { key: "region", operator: "NotIn", values: ["us-east-2"] }] }],
            { steps: [[1, ["app-qa1"]]], unmatched: ["app-nolabels", "app-prod1", "app-qa2"] },
        ],
        ["several values are OR", [inStep("env", "qa", "prod")], { steps: [[1, ["app-prod1", "app-qa1", "app-qa2"]]], unmatched: ["app-nolabels"] }],
        ["'In' with no values selects nothing (the step is passed over)", [{ matchExpressions: [{ key: "env", operator: "In" }] }], { steps: [], unmatched: ["app-nolabels", "app-prod1", "app-qa1", "app-qa2"] }],
        ["a step without expressions selects every Application", [{}], { steps: [[1, ["app-nolabels", "app-prod1", "app-qa1", "app-qa2"]]], unmatched: [] }],
        ["an Application selected by two steps belongs to the first", [inStep("env", "qa"), {}], { steps: [[1, ["app-qa1", "app-qa2"]], [2, ["app-nolabels", "app-prod1"]]], unmatched: [] }],
        ["a step that selects nothing is passed over; the others keep their numbers", [inStep("env", "dev"), inStep("env", "prod")], { steps: [[2, ["app-prod1"]]], unmatched: ["app-nolabels", "app-qa1", "app-qa2"] }],
    ])("%s", (_what, steps, expected) => {
        expect(members(...(steps as RollingSyncStepSpec[]))).toEqual(expected);
    });

    it("orders by name whatever the generator's order", () => {
        const r = rollingSyncSteps([env("c", "x"), env("a", "x"), env("b", "x")], rolling({ ...inStep("envLabel", "x"), maxUpdate: 2 }));
        expect(r.steps).toEqual([{ step: 1, applications: [["a", "b"], ["c"]] }]);
    });
});

describe("maxUpdate", () => {
    const five = ["a", "b", "c", "d", "e"].map((n) => env(n, "x"));
    const batches = (maxUpdate: number | string | undefined) => rollingSyncSteps(five, rolling({ ...inStep("envLabel", "x"), ...(maxUpdate !== undefined ? { maxUpdate } : {}) })).steps[0];

    it.each([
        [undefined, [["a", "b", "c", "d", "e"]]],
        ["100%", [["a", "b", "c", "d", "e"]]],
        ["200%", [["a", "b", "c", "d", "e"]]],
        [5, [["a", "b", "c", "d", "e"]]],
        [9, [["a", "b", "c", "d", "e"]]],
        [2, [["a", "b"], ["c", "d"], ["e"]]],
        [1, [["a"], ["b"], ["c"], ["d"], ["e"]]],
        // 50% of 5 is 2.5: rounded down (Argo CD's "rounds down for maxUpdate set to percentage string").
        ["50%", [["a", "b"], ["c", "d"], ["e"]]],
        ["60%", [["a", "b", "c"], ["d", "e"]]],
        // Above 0% is at least one Application ("updates at least 1 application with maxUpdate >0%").
        ["1%", [["a"], ["b"], ["c"], ["d"], ["e"]]],
    ])("%j", (maxUpdate, expected) => {
        expect(batches(maxUpdate)).toEqual({ step: 1, applications: expected });
    });

    it.each([0, "0%"])("%j holds the step: none of its Applications is synced by the rollout", (maxUpdate) => {
        expect(batches(maxUpdate)).toEqual({ step: 1, applications: [["a", "b", "c", "d", "e"]], held: true });
    });

    it("is a percentage of the step's own Applications, not of the fleet", () => {
        const r = rollingSyncSteps([...five, env("z", "other"), env("y", "other")], rolling({ ...inStep("envLabel", "other") }, { ...inStep("envLabel", "x"), maxUpdate: "40%" }));
        expect(r.steps[1].applications).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    });

    it.each([
        [-1, /-1 is not a maxUpdate/],
        [1.5, /1\.5 is not a maxUpdate/],
        ["3", /"3" is not a maxUpdate: a string must be a whole percentage such as "25%" \(a count is written without quotes: 3\)/],
        ["10.5%", /"10\.5%" is not a maxUpdate/],
        ["-10%", /"-10%" is not a maxUpdate/],
        ["all", /"all" is not a maxUpdate/],
    ])("refuses %j, naming the step", (maxUpdate, message) => {
        const strategy = rolling(inStep("envLabel", "x"), { ...inStep("envLabel", "y"), maxUpdate });
        expect(() => rollingSyncSteps(five, strategy)).toThrow(message);
        expect(() => rollingSyncSteps(five, strategy)).toThrow(/field strategy\.rollingSync\.steps\[1\]\.maxUpdate/);
    });
});

describe("what is not a RollingSync", () => {
    const fleet = [env("b", "x"), env("a", "y")];

    it.each([
        ["no strategy", undefined],
        ["AllAtOnce", { type: "AllAtOnce" }],
        ["AllAtOnce, with steps it ignores", { type: "AllAtOnce", rollingSync: { steps: [inStep("envLabel", "x")] } }],
        ["RollingSync without steps", { type: "RollingSync", rollingSync: { steps: [] } }],
        ["RollingSync without rollingSync", { type: "RollingSync" }],
    ])("%s syncs every Application at once", (_what, strategy) => {
        expect(rollingSyncSteps(fleet, strategy as RollingSyncStrategy)).toEqual({ steps: [{ step: 1, applications: [["a", "b"]] }], unmatched: [], held: [] });
    });

    it("generates nothing: no steps", () => {
        expect(rollingSyncSteps([], rolling(inStep("envLabel", "x")))).toEqual({ steps: [], unmatched: [], held: [] });
    });

    it("refuses a strategy type Argo CD does not have", () => {
        expect(() => rollingSyncSteps(fleet, { type: "Canary" })).toThrow(/field strategy\.type: "Canary" is not a strategy \(allowed: AllAtOnce, RollingSync\)/);
    });

    it.each(["Exists", "DoesNotExist", "in", ""])("refuses the operator %j, naming where it is", (operator) => {
        // Argo CD's labelMatchedExpression takes only In and NotIn; it would log and skip the step.
        const strategy = rolling(inStep("envLabel", "x"), { matchExpressions: [inStep("envLabel", "y").matchExpressions[0], { key: "tier", operator }] });
        expect(() => rollingSyncSteps(fleet, strategy)).toThrow(/field strategy\.rollingSync\.steps\[1\]\.matchExpressions\[1\]\.operator: ".*" is not a RollingSync operator \(allowed: In, NotIn\)/);
    });

    it("refuses an expression without a key", () => {
        expect(() => rollingSyncSteps(fleet, rolling({ matchExpressions: [{ key: "", operator: "In", values: ["x"] }] }))).toThrow(/steps\[0\]\.matchExpressions\[0\]\.key/);
    });
});
