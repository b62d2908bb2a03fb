import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { fileBackendLocks, isStale, processAlive } from "../../cli/stale-lock";

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

    it("reads a file backend's lock files for one stack only", () => {
        const root = mkdtempSync(join(tmpdir(), "locks-"));
        const dir = join(root, ".pulumi", "locks", "organization", "syncwave", "dev");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "a.json"), JSON.stringify({ pid: 7, hostname: "h", timestamp: "t" }));
        writeFileSync(join(dir, "a.json.attrs"), "{}");
        const url = `${pathToFileURL(root).href}?no_tmp_dir=true`;
        expect(fileBackendLocks(url, "syncwave", "dev")).toEqual([{ pid: 7, hostname: "h", timestamp: "t" }]);
        expect(fileBackendLocks(url, "syncwave", "prod")).toEqual([]);
        expect(fileBackendLocks("s3://bucket", "syncwave", "dev")).toEqual([]);
    });
});
