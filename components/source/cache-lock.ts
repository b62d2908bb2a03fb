// A lock file beside a cache entry that several processes on one machine update in place (a git
// mirror that is fetched into, its worktrees): parallel syncs of different stacks of one project
// share the project's cache. The lock holds the owner's pid and host; a lock whose process no
// longer runs on this host (a killed sync) is stale and taken over, as is a lock file that has been
// unreadable for over a minute; any other is waited for.
import { linkSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createExclusively } from "../exclusive-create";
import { ownerGone, processAlive } from "../process-alive";
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

function readOwner(path: string): LockOwner | undefined {
    try {
        const owner = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner> | null;
        return owner && typeof owner === "object" && typeof owner.pid === "number" ? (owner as LockOwner) : undefined;
    } catch {
        // Gone, or not a lock this code wrote (empty, cut short): see unreadableAndOld.
        return undefined;
    }
}

/**
 * A lock file that cannot be read for over a minute. Locks are created with their content in one step
 * (tryTake), so such a file was left by a write that failed (a full disk) or by an older version that
 * created the file before writing it; no owner will ever remove it, and were it never stale every
 * sync of the repository would wait for it and fail.
 */
export const UNREADABLE_LOCK_STALE_MS = 60_000;

function unreadableAndOld(path: string, now: number): boolean {
    try {
        return readOwner(path) === undefined && now - statSync(path).mtimeMs > UNREADABLE_LOCK_STALE_MS;
    } catch {
        return false; // gone
    }
}

/** Creates the lock with its owner in it in one step (components/exclusive-create.ts): of two processes exactly one succeeds. */
function tryTake(path: string, owner: LockOwner): boolean {
    return createExclusively(path, JSON.stringify(owner));
}

/** Which stale lock a process found: a dead owner's, or an unreadable old file. */
type StaleLock = { owner: LockOwner } | { unreadable: true };

function isTheStaleLock(path: string, stale: StaleLock): boolean {
    if ("unreadable" in stale) return unreadableAndOld(path, Date.now());
    const moved = readOwner(path);
    return moved !== undefined && moved.pid === stale.owner.pid && moved.token === stale.owner.token;
}

/**
 * Removes a stale lock. Moved aside first and checked: when two processes find the same stale lock,
 * the second must not remove the fresh lock the first has just taken. Only the very lock found stale
 * is removed; anything else is put back.
 */
function removeStale(path: string, stale: StaleLock): void {
    const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
    try {
        renameSync(path, aside);
    } catch {
        return; // someone else removed it
    }
    if (!isTheStaleLock(aside, stale)) {
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
    const alive = options.alive ?? processAlive;
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), takenAt: new Date().toISOString(), token: randomUUID() };
    const deadline = Date.now() + options.waitMs;
    while (!tryTake(path, owner)) {
        const holder = readOwner(path);
        if (holder && ownerGone(holder, owner.hostname, alive)) {
            removeStale(path, { owner: holder });
            continue;
        }
        if (!holder && unreadableAndOld(path, Date.now())) {
            removeStale(path, { unreadable: true });
            continue;
        }
        if (Date.now() > deadline) {
            const waited = Math.round(options.waitMs / 1000);
            if (holder) {
                throw new CacheLockTimeout(
                    `${options.what}: pid ${holder.pid} on ${holder.hostname} since ${holder.takenAt} has held its lock (${path}) for over ${waited}s; remove the lock file if that process is gone`,
                );
            }
            throw new CacheLockTimeout(
                `${options.what}: its lock (${path}) was held or unreadable for over ${waited}s; an unreadable lock file is taken over once ${UNREADABLE_LOCK_STALE_MS / 1000}s old, a held one when its process is gone`,
            );
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
