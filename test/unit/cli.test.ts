// The CLI's pure parts: the sync record in update messages, history numbering and the retry backoff
// (drift classification is in drift-classify.test.ts).
import { describe, expect, it } from "vitest";
import { numberUpdates } from "../../cli/commands/history";
import { formatColumns } from "../../cli/format/table";
import { backoffDelay } from "../../cli/commands/reconcile";
import { parseSyncMessage, revisionsFromReport, syncMessage } from "../../cli/stack";
import type { ProgramReport } from "../../components/report";

const shaA = "a".repeat(40);
const shaB = "b".repeat(40);

describe("sync record in the update message", () => {
    it("round-trips kind, commits and author", () => {
        const message = `${syncMessage("rollback", [
            { application: "shop", repoURL: "https://git.example.com/shop.git", targetRevision: "main", commit: shaA },
            { application: "metrics", repoURL: "./", targetRevision: "HEAD", commit: shaB },
        ])} by=alice`;
        expect(parseSyncMessage(message)).toEqual({ kind: "rollback", by: "alice", revisions: { shop: shaA, metrics: shaB } });
    });

    it("keeps the lines under the first as the reason (an automatic rollback's failed commit and cause)", () => {
        const message = `syncwave auto-rollback: shop=${shaA} by=ci\nrolled back shop to ${shaA}: shop was Degraded at ${shaB}`;
        expect(parseSyncMessage(message)).toEqual({ kind: "auto-rollback", by: "ci", revisions: { shop: shaA }, reason: `rolled back shop to ${shaA}: shop was Degraded at ${shaB}` });
    });

    it("is absent from updates not made by syncwave", () => {
        expect(parseSyncMessage("Update from CI")).toBeUndefined();
        expect(parseSyncMessage(undefined)).toBeUndefined();
    });

    it("takes each Application's resolved commit from the program's report, leaving failed ones out", () => {
        const report: ProgramReport = {
            applications: {
                shop: { application: "shop", status: "ok", repoURL: "https://git.example.com/shop.git", targetRevision: "main", commit: shaA },
                metrics: { application: "metrics", status: "ok", repoURL: "./", targetRevision: "HEAD", commit: shaB },
                broken: { application: "broken", status: "failed", reason: "git fetch failed", repoURL: "https://git.example.com/x.git" },
            },
        };
        expect(revisionsFromReport(report)).toEqual([
            { application: "shop", repoURL: "https://git.example.com/shop.git", targetRevision: "main", commit: shaA },
            { application: "metrics", repoURL: "./", targetRevision: "HEAD", commit: shaB },
        ]);
    });
});

describe("history numbering", () => {
    it("numbers self-managed backends' updates by position, oldest first from 1, listed newest first", () => {
        const listed = [{ version: 0, message: "third" }, { version: 0, message: "second" }, { version: 0, message: "first" }];
        expect(numberUpdates(listed)).toEqual([
            { version: 3, message: "third" },
            { version: 2, message: "second" },
            { version: 1, message: "first" },
        ]);
    });

    it("keeps a backend's own version numbers", () => {
        expect(numberUpdates([{ version: 7 }, { version: 9 }, { version: 8 }]).map((u) => u.version)).toEqual([9, 8, 7]);
    });
});

describe("retry backoff", () => {
    it("grows by the factor from the duration and stops at maxDuration, as Argo CD's retry does", () => {
        const backoff = { duration: "5s", factor: 2, maxDuration: "30s" };
        expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, backoff))).toEqual([5_000, 10_000, 20_000, 30_000, 30_000]);
        expect(backoffDelay(1)).toBe(5_000);
    });
});

describe("tables", () => {
    it("pads every column but the last to its widest cell and trims the line end", () => {
        const text = formatColumns(["ID", "RESULT", "REVISIONS"], [["10", "failed", "web@abc"], ["9", "succeeded", ""]], [1]);
        expect(text.split("\n")).toEqual(["ID  RESULT     REVISIONS", "10  failed     web@abc", "9   succeeded"]);
    });
});
