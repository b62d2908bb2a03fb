// The lock beside a shared cache entry: one holder at a time, a dead holder's lock taken over, a live
// one waited for and named when the wait runs out.
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CacheLockTimeout, withCacheLock } from "../../components/source/cache-lock";

const lockIn = () => join(mkdtempSync(join(tmpdir(), "cache-lock-")), "mirror.git.syncwave-lock");

describe("withCacheLock", () => {
    it("lets one holder work at a time and removes its lock afterwards", async () => {
        const path = lockIn();
        let inside = 0;
        let most = 0;
        const work = async () => {
            inside++;
            most = Math.max(most, inside);
            await new Promise((r) => setTimeout(r, 30));
            inside--;
        };
        await Promise.all([1, 2, 3].map(() => withCacheLock(path, { waitMs: 5_000, what: "test", pollMs: 5 }, work)));
        expect(most).toBe(1);
        expect(existsSync(path)).toBe(false);
    });

    it("takes over the lock of a process that no longer runs on this host", async () => {
        const path = lockIn();
        writeFileSync(path, JSON.stringify({ pid: 999_999, hostname: hostname(), takenAt: "2026-01-01T00:00:00Z", token: "gone" }));
        const result = await withCacheLock(path, { waitMs: 1_000, what: "test", alive: () => false }, async () => readFileSync(path, "utf8"));
        expect(JSON.parse(result)).toMatchObject({ pid: process.pid });
        expect(existsSync(path)).toBe(false);
    });

    it("waits for a live holder and names it when the wait runs out", async () => {
        const path = lockIn();
        writeFileSync(path, JSON.stringify({ pid: 4242, hostname: "other-host", takenAt: "2026-01-01T00:00:00Z", token: "elsewhere" }));
        await expect(withCacheLock(path, { waitMs: 50, what: "the cached mirror of repo", pollMs: 10 }, async () => "ran")).rejects.toThrow(CacheLockTimeout);
        await expect(withCacheLock(path, { waitMs: 50, what: "the cached mirror of repo", pollMs: 10 }, async () => "ran")).rejects.toThrow(/pid 4242 on other-host/);
        // Another host's lock is never removed: its process cannot be checked from here.
        expect(existsSync(path)).toBe(true);
    });

    it("releases the lock when the work fails", async () => {
        const path = lockIn();
        await expect(withCacheLock(path, { waitMs: 1_000, what: "test" }, async () => Promise.reject(new Error("fetch failed")))).rejects.toThrow("fetch failed");
        expect(existsSync(path)).toBe(false);
    });

    it("puts back a lock taken while it was found stale, even one not yet readable, and never works without it", async () => {
        const path = lockIn();
        writeFileSync(path, JSON.stringify({ pid: 999_999, hostname: hostname(), takenAt: "2026-01-01T00:00:00Z", token: "gone" }));
        // Between this process reading the stale lock and removing it, another takes the lock over:
        // a lock file that holds no owner yet (as one created before being written was).
        const alive = () => {
            writeFileSync(path, "");
            return false;
        };
        let ran = false;
        const taking = withCacheLock(path, { waitMs: 100, what: "the cached mirror of repo", pollMs: 10, alive }, async () => {
            ran = true;
        });
        await expect(taking).rejects.toThrow(/unreadable lock file is taken over once 60s old/);
        expect(ran).toBe(false);
        expect(readFileSync(path, "utf8")).toBe("");
    });

    it("puts back a fresh lock of another owner found in place of the stale one", async () => {
        const path = lockIn();
        const fresh = JSON.stringify({ pid: 4242, hostname: "other-host", takenAt: "2026-01-01T00:00:01Z", token: "fresh" });
        writeFileSync(path, JSON.stringify({ pid: 999_999, hostname: hostname(), takenAt: "2026-01-01T00:00:00Z", token: "gone" }));
        const alive = () => {
            writeFileSync(path, fresh);
            return false;
        };
        await expect(withCacheLock(path, { waitMs: 50, what: "test", pollMs: 10, alive }, async () => "ran")).rejects.toThrow(/pid 4242 on other-host/);
        expect(readFileSync(path, "utf8")).toBe(fresh);
    });

    it("takes over a lock file unreadable for over a minute (a write that failed), not a younger one", async () => {
        const path = lockIn();
        writeFileSync(path, "");
        await expect(withCacheLock(path, { waitMs: 30, what: "test", pollMs: 10 }, async () => "ran")).rejects.toThrow(CacheLockTimeout);
        const twoMinutesAgo = new Date(Date.now() - 120_000);
        utimesSync(path, twoMinutesAgo, twoMinutesAgo);
        expect(await withCacheLock(path, { waitMs: 1_000, what: "test", pollMs: 10 }, async () => JSON.parse(readFileSync(path, "utf8")) as { pid: number })).toMatchObject({ pid: process.pid });
        expect(existsSync(path)).toBe(false);
    });

    it("creates the lock with its owner in it and leaves no other file behind", async () => {
        const path = lockIn();
        const seen = await withCacheLock(path, { waitMs: 1_000, what: "test" }, async () => ({ owner: JSON.parse(readFileSync(path, "utf8")) as { pid: number }, files: readdirSync(dirname(path)) }));
        expect(seen.owner.pid).toBe(process.pid);
        expect(seen.files).toEqual(["mirror.git.syncwave-lock"]);
        expect(readdirSync(dirname(path))).toEqual([]);
    });
});
