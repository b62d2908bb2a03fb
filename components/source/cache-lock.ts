// A lock file beside a cache entry that several processes on one machine update in place (a git
// mirror that is fetched into, its worktrees): parallel syncs of different stacks of one project
// share the project's cache. The lock holds the owner's pid and host; a lock whose process no
// longer runs on this host (a killed sync) is stale and taken over, any other is waited for.
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

interface LockOwner {
    pid: number;
    hostname: string;
    takenAt: string;
    /** Tells two owners with the same pid apart (two fetches of one process, a pid reused after a reboot). */
    token: string;
}

export interface CacheLockOptions {
    /** Give up after waiting this long for a live owner. */
    waitMs: number;
    /** What the lock guards, for the error when the wait runs out. */
    what: string;
    /** How often the lock is tried again while another process holds it. */
    pollMs?: number;
    alive?: (pid: number) => boolean;
}

export class CacheLockTimeout extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CacheLockTimeout";
    }
}

function processRuns(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        // EPERM: it runs, as another user.
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

function readOwner(path: string): LockOwner | undefined {
    try {
        return JSON.parse(readFileSync(path, "utf8")) as LockOwner;
    } catch {
        // Gone, or being written this instant: tried again on the next round.
        return undefined;
    }
}

function tryTake(path: string, owner: LockOwner): boolean {
    let fd: number;
    try {
        // O_EXCL: of two processes creating it at once, exactly one succeeds.
        fd = openSync(path, "wx");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
    }
    try {
        writeSync(fd, JSON.stringify(owner));
    } finally {
        closeSync(fd);
    }
    return true;
}

/**
 * Removes a lock whose owner is gone. Moved aside first and checked: when two processes find the
 * same stale lock, the second must not remove the fresh lock the first has just taken (it is put back).
 */
function removeStale(path: string, stale: LockOwner): void {
    const aside = `${path}.stale-${process.pid}`;
    try {
        renameSync(path, aside);
    } catch {
        return; // someone else removed it
    }
    const moved = readOwner(aside);
    if (moved && (moved.pid !== stale.pid || moved.token !== stale.token)) {
        try {
            linkSync(aside, path); // fails when yet another lock was taken meanwhile: that one stands
        } catch {
            // a newer lock stands
        }
    }
    rmSync(aside, { force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` holding the lock file at `path`; waits while a live process holds it. */
export async function withCacheLock<T>(path: string, options: CacheLockOptions, work: () => Promise<T>): Promise<T> {
    const alive = options.alive ?? processRuns;
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), takenAt: new Date().toISOString(), token: randomUUID() };
    const deadline = Date.now() + options.waitMs;
    while (!tryTake(path, owner)) {
        const holder = readOwner(path);
        if (holder && holder.hostname === owner.hostname && Number.isInteger(holder.pid) && !alive(holder.pid)) {
            removeStale(path, holder);
            continue;
        }
        if (Date.now() > deadline) {
            const who = holder ? `pid ${holder.pid} on ${holder.hostname} since ${holder.takenAt}` : "another process";
            throw new CacheLockTimeout(`${options.what}: ${who} has held its lock (${path}) for over ${Math.round(options.waitMs / 1000)}s; remove the lock file if that process is gone`);
        }
        await sleep(options.pollMs ?? 100);
    }
    try {
        return await work();
    } finally {
        // Only our own lock: a lock taken over as stale meanwhile belongs to its new owner.
        const current = readOwner(path);
        if (current && current.token === owner.token) rmSync(path, { force: true });
    }
}
