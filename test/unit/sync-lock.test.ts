// SyncWave's stack lock in a folder backend: one holder at a time, even when several processes race
// for it at once or all find the same stale lock; a release never removes another's lock.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { BlobStore } from "../../cli/backend/blob-store";
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
        const outputs = await raceForLock(6, { PULUMI_BACKEND_URL: pathToFileURL(root).href });
        // The holder keeps the lock until every other process has answered: exactly one gets it.
        expect(outputs.filter((lines) => lines.some((l) => l.startsWith("got"))), JSON.stringify(outputs)).toHaveLength(1);
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

/** A store in memory whose answers a test can spoil. */
class FlakyStore implements BlobStore {
    readonly description = "memory://test";
    readonly objects = new Map<string, string>();
    /** What the next creates do after storing: answer normally, lose the answer (throw), or answer "exists". */
    createAnswers: ("ok" | "lost" | "exists")[] = [];
    failRemoves = 0;
    async read(key: string) {
        const v = this.objects.get(key);
        return v === undefined ? undefined : Buffer.from(v);
    }
    async write(key: string, data: string | Buffer) {
        this.objects.set(key, data.toString());
    }
    async create(key: string, data: string) {
        if (this.objects.has(key)) return false;
        this.objects.set(key, data);
        const answer = this.createAnswers.shift() ?? "ok";
        if (answer === "lost") throw new Error("socket hang up");
        return answer === "ok";
    }
    async list(folder: string) {
        return [...this.objects.keys()].filter((k) => k.startsWith(folder));
    }
    async remove(key: string) {
        if (this.failRemoves > 0) {
            this.failRemoves--;
            throw new Error("503 Slow Down");
        }
        this.objects.delete(key);
    }
}

describe("the stack lock when the store misbehaves", () => {
    const options = (store: BlobStore, progress: string[] = []) => ({ lock: { store, key: "locks/race.json" }, stack: "race", timeoutMs: 0, progress: (l: string) => progress.push(l), refuse: (m: string) => new Error(m), graceMs: 1000 });

    it("a create whose answer was lost, or whose retry was refused after the first attempt was stored, has taken the lock", async () => {
        for (const answer of ["lost", "exists"] as const) {
            const store = new FlakyStore();
            store.createAnswers = [answer];
            const release = await acquireSyncLock(options(store));
            expect(JSON.parse(store.objects.get("locks/race.json")!).pid).toBe(process.pid);
            await release();
            expect(store.objects.has("locks/race.json")).toBe(false);
        }
    });

    it("a release whose request failed leaves a lock that this process's next sync removes (a long reconcile is not locked out)", async () => {
        const store = new FlakyStore();
        const release = await acquireSyncLock(options(store));
        store.failRemoves = 1;
        await expect(release()).rejects.toThrow("503 Slow Down");
        expect(store.objects.has("locks/race.json")).toBe(true);
        const progress: string[] = [];
        const again = await acquireSyncLock(options(store, progress));
        expect(progress).toEqual(["the stack's lock was left by an earlier sync of this process, whose release failed: lock removed"]);
        await again();
    });

    it("a takeover marker that cannot be read does not keep an abandoned lock forever", async () => {
        const store = new FlakyStore();
        store.objects.set("locks/race.json", JSON.stringify({ pid: deadPid(), hostname: hostname() }));
        store.objects.set("locks/race.json.takeover", "");
        const release = await acquireSyncLock(options(store));
        expect(JSON.parse(store.objects.get("locks/race.json")!).pid).toBe(process.pid);
        expect(store.objects.has("locks/race.json.takeover")).toBe(false);
        await release();
    });

    it("a store that refuses every create yet shows no lock is given up on at the deadline, naming the lock", async () => {
        const store = new FlakyStore();
        store.create = async () => false;
        const started = Date.now();
        await expect(acquireSyncLock(options(store))).rejects.toThrow(/the lock locks\/race.json in memory:\/\/test could not be taken within \d+s \(last seen: no lock, yet creating it failed\)/);
        expect(Date.now() - started).toBeLessThan(15_000);
    });
});
