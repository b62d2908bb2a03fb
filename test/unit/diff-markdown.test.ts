// `syncwave diff --format markdown` (a pull-request comment) and `--exit-code`.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { diffExitCode, hookRunReason, ignoredFields, onlyApplication, type DiffResult, type PlannedChange } from "../../cli/commands/diff";
import { formatDiffMarkdown } from "../../cli/format/diff-markdown";

const change = (application: string, op: string, resource: string, unified: string[] = [], stage = "Sync wave 1"): PlannedChange => ({ application, stage, resource, op, diffs: unified.length ? ["spec"] : [], unified });

function result(extra: Partial<DiffResult> = {}): DiffResult {
    return {
        revisions: [
            { application: "shop", repoURL: "https://git.example/shop", targetRevision: "main", commit: "0123456789abcdef0123" },
            { application: "web", repoURL: "https://git.example/web", targetRevision: "v2", commit: "fedcba9876543210fedc" },
        ],
        changes: [
            change("shop", "update", "Deployment shop/shop-api", ["@@ -10,3 +10,3 @@", "   spec:", "-  replicas: 2", "+  replicas: 3"]),
            change("shop", "run", "hook Job shop/migrate", [], "PreSync"),
            change("shop", "create", "ConfigMap shop/flags", ["@@ -0,0 +1,2 @@", "+kind: ConfigMap", "+data: {}"]),
        ],
        prunes: [{ application: "shop", prune: [], requiresPruning: ["Service shop/old"] } as unknown as DiffResult["prunes"][number]],
        failed: [],
        policyViolations: [],
        fleet: [],
        events: [],
        ...extra,
    } as DiffResult;
}

describe("the pull-request comment", () => {
    it("has a summary row per Application and each Application's changes, wave by wave, in a collapsible section", () => {
        const md = formatDiffMarkdown(result(), { title: "SyncWave diff: stack dev" });
        const lines = md.split("\n");
        expect(lines[0]).toBe("### SyncWave diff: stack dev");
        expect(lines).toContain("| Application | Revision | Create | Update | Replace | Hooks | Prune | Requires pruning | Verdict |");
        expect(lines).toContain("| shop | `0123456789ab` (main) | 1 | 1 | 0 | 1 | 0 | 1 | ✅ |");
        expect(lines).toContain("| web | `fedcba987654` (v2) | 0 | 0 | 0 | 0 | 0 | 0 | ✅ |");
        expect(md).toContain("<summary>shop: 1 create, 1 update, 1 hook</summary>");
        expect(md).toContain("<summary>web: no changes</summary>");
        expect(md).toContain("**PreSync**");
        expect(md).toContain("- `hook` hook Job shop/migrate");
        expect(md).toContain("```diff\n  @@ -10,3 +10,3 @@\n     spec:\n  -  replicas: 2\n  +  replicas: 3\n  ```");
        // A created object is listed, not printed whole.
        expect(md).not.toContain("+kind: ConfigMap");
        expect(md).toContain("**Requires pruning** (stays; `syncwave sync --prune` deletes it): Service shop/old");
        expect(md.match(/<details>/g)).toHaveLength(2);
        expect(md.match(/<\/details>/g)).toHaveLength(2);
    });

    it("shows refusals and policy verdicts", () => {
        const md = formatDiffMarkdown(
            result({
                failed: [{ application: "web", reason: "refused by its project: project-destinations" }],
                policyViolations: [{ policy: "no-latest-tag", level: "advisory", message: "shop: image shop/api:latest" }],
            }),
            { title: "t" },
        );
        expect(md).toContain("| web | `fedcba987654` (v2) | 0 | 0 | 0 | 0 | 0 | 0 | ❌ cannot sync |");
        expect(md).toContain("| shop | `0123456789ab` (main) | 1 | 1 | 0 | 1 | 0 | 1 | ⚠️ advisory |");
        expect(md).toContain("- ⚠️ **no-latest-tag** (advisory): shop: image shop/api:latest");
        expect(md).toContain("```\nrefused by its project: project-destinations\n```");
    });

    it("is cut to fit a comment, saying so and where the full diff is", () => {
        const long = Array.from({ length: 5000 }, (_, i) => `+  key${i}: value-${"x".repeat(20)}`);
        const md = formatDiffMarkdown(result({ changes: [change("shop", "update", "ConfigMap shop/big", ["@@ -1,1 +1,5000 @@", ...long])] }), { title: "t", fullDiff: "diff.txt", budget: 20_000 });
        expect(md.length).toBeLessThan(20_000);
        expect(md).toMatch(/_\d+ diff line\(s\) left out\._/);
        expect(md).toContain("the full diff is in `diff.txt`");
        expect(md).toContain("</details>");
    });

    it("escapes table cells", () => {
        const md = formatDiffMarkdown(result({ revisions: [{ application: "shop", repoURL: "r", targetRevision: "a|b", commit: "0123456789abcdef" }], changes: [], prunes: [] }), { title: "t" });
        expect(md).toContain("(a\\|b)");
    });
});

describe("--exit-code", () => {
    const error = { diagnosticEvent: { severity: "error", message: "boom" } } as unknown as EngineEvent;
    it.each([
        ["nothing to do", { changes: [], prunes: [] }, 0],
        ["a change", {}, 1],
        ["only objects requiring pruning", { changes: [] }, 1],
        ["a fleet change", { changes: [], prunes: [], fleet: [{ owner: "ApplicationSet s", added: ["a"], changed: [], removed: [] }] }, 1],
        ["an error", { events: [error] }, 2],
        ["a refused Application", { failed: [{ application: "web", reason: "x" }] }, 2],
        ["a mandatory policy violation", { policyViolations: [{ policy: "p", level: "mandatory", message: "m" }] }, 2],
        ["an advisory policy violation and no change", { changes: [], prunes: [], policyViolations: [{ policy: "p", level: "advisory", message: "m" }] }, 0],
    ] as [string, Partial<DiffResult>, number][])("%s: %s", (_, extra, code) => expect(diffExitCode(result(extra))).toBe(code));
});

describe("--app", () => {
    it("keeps one Application's revisions, changes and prunes", () => {
        const only = onlyApplication(result(), "web");
        expect(only.revisions.map((r) => r.application)).toEqual(["web"]);
        expect(only.changes).toEqual([]);
        expect(only.prunes).toEqual([]);
    });
    it("refuses an Application the diff does not have, naming those it has", () => {
        expect(() => onlyApplication(result(), "nope")).toThrow("no application named nope in the diff (it has: shop, web)");
    });
});

describe("why a hook runs", () => {
    it.each([
        [undefined, "the desired state changed"],
        ["retry-6cc7ab9ddef29679", "the last sync did not complete"],
        ["forced-1a2b", "--force-hooks"],
    ])("run key %s: %s", (key, why) => expect(hookRunReason(key)).toBe(why));

    it("and a drifted object are noted in the comment", () => {
        const md = formatDiffMarkdown(
            result({ changes: [{ ...change("shop", "run", "hook Job shop/migrate", [], "PreSync"), why: "the desired state changed" }, { ...change("shop", "update", "ConfigMap shop/settings", ["@@ -1,1 +1,1 @@", "-a: 1", "+a: 2"]), drifted: true }] }),
            { title: "t" },
        );
        expect(md).toContain("- `hook` hook Job shop/migrate (runs: the desired state changed)");
        expect(md).toContain("- `update` ConfigMap shop/settings (spec; drifted since the last sync)");
    });
});

describe("fields an ignoreDifferences rule covers", () => {
    const deployment = (replicas: number, image = "api:1") => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "shop" }, spec: { replicas, template: { spec: { containers: [{ name: "api", image }] } } } });
    const rule = { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] };

    it("are named with their rule when they differ", () => {
        expect(ignoredFields("shop", [rule], deployment(4), deployment(3))).toEqual(["spec.replicas (ignoreDifferences jsonPointers /spec/replicas)"]);
    });
    it("are none when they do not differ, the rule is another kind's, or there is no rule", () => {
        expect(ignoredFields("shop", [rule], deployment(3, "api:1"), deployment(3, "api:2"))).toEqual([]);
        expect(ignoredFields("shop", [{ ...rule, kind: "StatefulSet" }], deployment(4), deployment(3))).toEqual([]);
        expect(ignoredFields("shop", [], deployment(4), deployment(3))).toEqual([]);
    });
    it("are noted in the comment", () => {
        const md = formatDiffMarkdown(result({ changes: [{ ...change("shop", "update", "Deployment shop/api", ["@@ -1,1 +1,1 @@", "-  replicas: 4", "+  replicas: 3"]), ignored: ["spec.replicas (ignoreDifferences jsonPointers /spec/replicas)"] }] }), { title: "t" });
        expect(md).toContain("- `update` Deployment shop/api (spec; ignored by spec.replicas (ignoreDifferences jsonPointers /spec/replicas))");
    });
});
