import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { openStore } from "../../cli/backend/open-store";
import { pulumiLocks, isStale, lockedMessage, processAlive } from "../../cli/stale-lock";

describe("locks a killed sync left", () => {
    const dead = () => false;
    const alive = () => true;
    it.each([
        ["a dead process on this host", { pid: 42, hostname: "ci-1" }, "ci-1", dead, true],
        ["a live process on this host", { pid: 42, hostname: "ci-1" }, "ci-1", alive, false],
        ["a process on another host, whatever its pid", { pid: 42, hostname: "ci-2" }, "ci-1", dead, false],
        ["no pid", { pid: 0, hostname: "ci-1" }, "ci-1", dead, false],
    ])("%s", (_name, lock, host, isAlive, expected) => {
        expect(isStale(lock, host, isAlive)).toBe(expected);
    });

    it("knows this process is alive", () => {
        expect(processAlive(process.pid)).toBe(true);
    });

    it("reads a file backend's lock files for one stack only", async () => {
        const root = mkdtempSync(join(tmpdir(), "locks-"));
        const dir = join(root, ".pulumi", "locks", "organization", "syncwave", "dev");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "a.json"), JSON.stringify({ pid: 7, hostname: "h", timestamp: "t" }));
        writeFileSync(join(dir, "a.json.attrs"), "{}");
        const url = `${pathToFileURL(root).href}?no_tmp_dir=true`;
        const store = openStore({ PULUMI_BACKEND_URL: url })!;
        expect(await pulumiLocks(store, "syncwave", "dev")).toEqual([{ pid: 7, hostname: "h", timestamp: "t" }]);
        expect(await pulumiLocks(store, "syncwave", "prod")).toEqual([]);
        expect(await pulumiLocks(store, "syncwave", "organization/syncwave/dev")).toHaveLength(1);
        // A lock that is not JSON is someone's all the same: never read as "unlocked".
        writeFileSync(join(dir, "b.json"), "{half");
        expect(await pulumiLocks(store, "syncwave", "dev")).toContainEqual({ pid: 0, hostname: "unknown (the lock cannot be read)" });
    });
});

describe("a lock that is not provably stale", () => {
    const now = new Date("2026-12-07T10:00:00Z");
    it("names its owner, host, pid and age, and the command that clears it", () => {
        const message = lockedMessage("prod", { pid: 4242, username: "ci", hostname: "runner-7", timestamp: "2026-12-07T09:56:48Z" }, "laptop", () => true, now);
        expect(message).toBe(
            "stack prod is locked by pid 4242 of ci on host runner-7, which cannot be checked from here, taken 3m12s ago: another sync holds it. If you are sure that run has stopped, 'syncwave unlock prod --force' clears the lock",
        );
    });
    it("says whether the pid still runs when the lock is this host's", () => {
        expect(lockedMessage("dev", { pid: 7, hostname: "laptop", timestamp: "2026-12-07T09:59:55Z" }, "laptop", () => true, now)).toMatch(/on this host \(laptop\), which still runs, taken 5s ago/);
        expect(lockedMessage("dev", { pid: 7, hostname: "laptop" }, "laptop", () => false, now)).toMatch(/which no longer runs, taken at an unknown time/);
    });
});
