// applicationsSync (Argo CD's meaning) and the mass-deletion guard the fleet providers run in their check.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applicationsSyncPolicy, fleetDeletionVerdict } from "../../components/fleet/fleet-guard";
import { loadProviderRuntime } from "../../components/providers/runtime-loader";

const apps = (n: number, prefix = "app") => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, "0")}`);

describe("applicationsSync", () => {
    it.each([
        [undefined, { create: true, update: true, delete: true }],
        ["", { create: true, update: true, delete: true }],
        ["sync", { create: true, update: true, delete: true }],
        ["create-only", { create: true, update: false, delete: false }],
        ["create-update", { create: true, update: true, delete: false }],
        // Deletes, yet never updates: Argo CD's AllowUpdate is create-update and sync only.
        ["create-delete", { create: true, update: false, delete: true }],
    ])("%j", (mode, expected) => {
        expect(applicationsSyncPolicy(mode)).toEqual(expected);
    });

    it.each(["Sync", "create", "delete-only", "toString", "constructor"])("refuses %j, naming the policies", (mode) => {
        expect(() => applicationsSyncPolicy(mode)).toThrow(/applicationsSync "\w[\w-]*" is not a policy \(allowed: create-only, create-update, create-delete, sync\)/);
    });

    it("hands out a copy", () => {
        applicationsSyncPolicy("sync").delete = false;
        expect(applicationsSyncPolicy("sync").delete).toBe(true);
    });
});

describe("the mass-deletion guard", () => {
    it.each([
        // [what, owned, generated, threshold, refused]
        ["owns nothing, generates nothing", 0, 0, undefined, false],
        ["owns nothing, generates some", 0, 5, undefined, false],
        ["owns 1, keeps it", 1, 1, undefined, false],
        ["owns 1, generates nothing", 1, 0, undefined, true],
        ["owns 2, deletes 1 (50%: a small fleet is not held to the threshold)", 2, 1, undefined, false],
        ["owns 2, generates nothing", 2, 0, undefined, true],
        ["owns 3, deletes 1", 3, 2, undefined, false],
        ["owns 3, deletes 2 (67%)", 3, 1, undefined, true],
        ["owns 3, generates nothing", 3, 0, undefined, true],
        ["owns 4, deletes exactly 50%", 4, 2, undefined, false],
        ["owns 4, deletes 75%", 4, 1, undefined, true],
        ["owns 10, deletes 3 at 30%", 10, 7, "30%", false],
        ["owns 10, deletes 4 at 30%", 10, 6, "30%", true],
        ["owns 10, deletes 3 at a count of 3", 10, 7, "3", false],
        ["owns 10, deletes 4 at a count of 3", 10, 6, "3", true],
        ["owns 10, deletes 1 at 0", 10, 9, "0", true],
        ["owns 10, deletes 9 at 100%", 10, 1, "100%", false],
        ["owns 10, deletes all at 100%", 10, 0, "100%", true],
        ["owns 2, deletes 1 at 0 (the threshold starts above two)", 2, 1, "0", false],
        ["owns 3, deletes 1 at 33.4%", 3, 2, "33.4%", false],
        ["owns 3, deletes 1 at 33.3%", 3, 2, "33.3%", true],
    ])("%s", (_what, owned, kept, threshold, refused) => {
        const ownedNames = apps(owned);
        const generated = [...ownedNames.slice(0, kept), ...(owned === 0 ? apps(kept, "new") : [])];
        const verdict = fleetDeletionVerdict({ owned: ownedNames, generated, ...(threshold !== undefined ? { threshold } : {}), allowed: false });
        expect(verdict.refused).toBe(refused);
        expect(verdict.deleting).toEqual(ownedNames.slice(kept));
        expect(verdict.reason === undefined).toBe(!refused);
    });

    it("names the counts and the Applications it would delete", () => {
        const verdict = fleetDeletionVerdict({ owned: ["web", "api", "db", "cache"], generated: ["web"], allowed: false });
        expect(verdict).toEqual({
            refused: true,
            reason: "this sync would delete 3 of the 4 Applications it owns (api, cache, db), more than the deletion threshold 50%",
            deleting: ["api", "cache", "db"],
        });
    });

    it("tells an empty generation from one that replaced every Application", () => {
        expect(fleetDeletionVerdict({ owned: ["b", "a"], generated: [], allowed: false }).reason).toBe("this sync declares no Applications: it would delete all 2 it owns (a, b)");
        // A template whose names changed deletes the whole fleet as surely as an empty answer does.
        expect(fleetDeletionVerdict({ owned: ["a"], generated: ["a2"], allowed: false }).reason).toBe("this sync declares none of the Applications it owns (only 1 other): it would delete all 1 it owns (a)");
    });

    it("lets an allowed sync delete, still saying what it deletes", () => {
        expect(fleetDeletionVerdict({ owned: apps(5), generated: [], allowed: true })).toEqual({ refused: false, deleting: apps(5) });
    });

    it("lists twenty names and counts the rest", () => {
        const reason = fleetDeletionVerdict({ owned: apps(25), generated: [], allowed: false }).reason!;
        expect(reason).toContain("app-20 and 5 more)");
        expect(reason).not.toContain("app-21");
    });

    it.each(["", "half", "-1", "50 %", "150%", "3.5", "%", "1e3"])("refuses the threshold %j, naming the annotation", (threshold) => {
        // Even when nothing is deleted: the typo is found before the day it matters.
        expect(() => fleetDeletionVerdict({ owned: apps(3), generated: apps(3), threshold, allowed: false })).toThrow(
            /annotation syncwave\.dev\/fleet-deletion-threshold: ".*" is not a deletion threshold/,
        );
    });

    it("reads a threshold with surrounding spaces", () => {
        expect(fleetDeletionVerdict({ owned: apps(10), generated: apps(6), threshold: " 40% ", allowed: false }).refused).toBe(false);
    });
});

describe("as the providers load it", () => {
    it("imports nothing, so a provider process loads it alone", () => {
        const source = readFileSync(join(__dirname, "../../components/fleet/fleet-guard.ts"), "utf8");
        expect(source).not.toMatch(/^\s*import\s(?!type\b)/m);
        expect(source).not.toMatch(/\brequire\(/);
    });

    it("loads through loadProviderRuntime and answers as imported", () => {
        const guard = loadProviderRuntime<typeof import("../../components/fleet/fleet-guard")>("components/fleet/fleet-guard");
        expect(guard.fleetDeletionVerdict({ owned: ["a", "b", "c"], generated: [], allowed: false }).refused).toBe(true);
    });
});
