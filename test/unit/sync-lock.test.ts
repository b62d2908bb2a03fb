// SyncWave's stack lock in a folder backend: one holder at a time, even when several processes race
// for it at once or all find the same stale lock; a release never removes another's lock.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { acquireSyncLock, syncLockOf } from "../../cli/sync-lock";
import { deadPid, overlapping, raceForLock } from "../helpers/lock-race";

const lockFile = (root: string) => join(root, ".pulumi", "syncwave-locks", "organization", "proj", "race.json");

describe("the stack lock in a folder", () => {
    it("is held by one of six processes racing for it, and by none twice", async () => {
        const root = mkdtempSync(join(tmpdir(), "lock-race-"));
        const outputs = await raceForLock(6, { PULUMI_BACKEND_URL: pathToFileURL(root).href });
        expect(outputs.filter((lines) => lines.some((l) => l.startsWith("got"))), JSON.stringify(outputs)).toHaveLength(1);
        expect(outputs.filter((lines) => lines.some((l) => l.startsWith("refused stack race is locked by pid")))).toHaveLength(5);
    });

    it("left by a process that no longer runs on this host is taken over by exactly one of the processes that find it", async () => {
        const root = mkdtempSync(join(tmpdir(), "lock-stale-"));
        mkdirSync(dirname(lockFile(root)), { recursive: true });
        writeFileSync(lockFile(root), JSON.stringify({ pid: deadPid(), hostname: hostname(), timestamp: "2026-12-07T09:00:00Z" }));
        const outputs = await raceForLock(6, { PULUMI_BACKEND_URL: pathToFileURL(root).href, HOLD_MS: "3000" });
        const got = outputs.filter((lines) => lines.some((l) => l.startsWith("got")));
        expect(got.length, JSON.stringify(outputs)).toBeGreaterThanOrEqual(1);
        expect(overlapping(outputs), JSON.stringify(outputs)).toBe(false);
        expect(outputs.flat().filter((l) => /held by a sync that no longer runs .*: lock removed/.test(l))).toHaveLength(1);
    });

    it("is released only by the acquisition that took it", async () => {
        const root = mkdtempSync(join(tmpdir(), "lock-own-"));
        const lock = syncLockOf({ PULUMI_BACKEND_URL: pathToFileURL(root).href }, "proj", "race")!;
        const release = await acquireSyncLock({ lock, stack: "race", timeoutMs: 0, progress: () => undefined, refuse: (m) => new Error(m) });
        // `unlock --force` cleared it and another sync took it meanwhile.
        const other = JSON.stringify({ pid: 1, hostname: "runner-7", token: "theirs" });
        writeFileSync(lockFile(root), other);
        await release();
        expect(readFileSync(lockFile(root), "utf8")).toBe(other);
    });

    it("is taken again by the same process (a rollback within a sync) and released with the last release", async () => {
        const root = mkdtempSync(join(tmpdir(), "lock-again-"));
        const lock = syncLockOf({ PULUMI_BACKEND_URL: pathToFileURL(root).href }, "proj", "race")!;
        const take = () => acquireSyncLock({ lock, stack: "race", timeoutMs: 0, progress: () => undefined, refuse: (m) => new Error(m) });
        const outer = await take();
        const inner = await take();
        await inner();
        expect(JSON.parse(readFileSync(lockFile(root), "utf8")).pid).toBe(process.pid);
        await outer();
        expect(() => readFileSync(lockFile(root))).toThrow();
    });
});
