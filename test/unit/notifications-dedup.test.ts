// Argo CD's "already notified" rule (notifications-engine pkg/controller/state.go): once per oncePer
// value; without oncePer, again only after the condition turned false.
import { describe, expect, it } from "vitest";
import { conditionKey, stateKey, truncateState, type NotifiedState } from "../../cli/notifications/dedup";
import { planSends } from "../../cli/notifications/plan";

const slack = { service: "slack", recipient: "#ops" };
const hook = { service: "hook", recipient: "" };

describe("notification de-duplication", () => {
    it("keys a condition by its index and the hash of its when, as Argo CD does", () => {
        // base64.RawURLEncoding of sha1("true"), as Go computes it
        expect(conditionKey(0, "true")).toBe("[0].X_5TO4MPCKAyY0ipFgr6_IraRNs");
        expect(stateKey("on-deployed", { key: "[0].k", triggered: true, oncePer: "abc" }, "slack", "#ops")).toBe("abc:on-deployed:[0].k:slack:#ops");
        expect(stateKey("on-drift", { key: "[0].k", triggered: true, oncePer: "" }, "hook", "")).toBe("on-drift:[0].k:hook:");
    });

    it("sends once per oncePer value, to each destination", () => {
        const state: NotifiedState = {};
        const at = (oncePer: string, triggered = true) => planSends(state, "on-deployed", { key: "[0].k", triggered, oncePer }, ["app-deployed"], [slack, hook], 1);
        expect(at("rev1").map((s) => s.destination)).toEqual([slack, hook]);
        expect(at("rev1")).toEqual([]);
        // Turning false does not forget a oncePer value.
        expect(at("", false)).toEqual([]);
        expect(at("rev1")).toEqual([]);
        expect(at("rev2")).toHaveLength(2);
    });

    it("without oncePer, sends when the condition turns true, and again only after it was false", () => {
        const state: NotifiedState = {};
        const at = (triggered: boolean) => planSends(state, "on-drift-detected", { key: "[0].k", triggered, oncePer: "" }, ["app-drift-detected"], [hook], 1).length;
        expect([at(true), at(true), at(false), at(false), at(true)]).toEqual([1, 0, 0, 0, 1]);
    });

    it("keeps the newest 100 entries per Application", () => {
        const state: NotifiedState = Object.fromEntries(Array.from({ length: 105 }, (_, i) => [`k${i}`, i]));
        truncateState(state);
        expect(Object.keys(state)).toHaveLength(100);
        expect(state.k0).toBeUndefined();
        expect(state.k104).toBe(104);
    });
});
