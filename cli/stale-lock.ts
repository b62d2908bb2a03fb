// A sync that was killed (SIGKILL, a lost CI runner) leaves the stack locked in a self-managed backend
// (a folder or an S3 bucket): every later sync would fail until someone runs `pulumi cancel`. Before a
// sync, a lock whose process is gone — taken on this host by a process that no longer exists — is
// removed, and said so. A lock held by a live process, or by another host, is never touched: on a
// shared backend no runner can prove another host's update has stopped. Pulumi Cloud keeps its own
// leases.
import { hostname } from "node:os";
import { ownerGone, processAlive } from "../components/process-alive";
import type { BlobStore } from "./backend/blob-store";
import { pulumiLockFolder, stackRef } from "./backend/stack-keys";

export interface LockFile {
    pid: number;
    username?: string;
    hostname: string;
    timestamp?: string;
    /** SyncWave's own locks: which acquisition took it, so a release never removes another's. */
    token?: string;
}

export { processAlive };

/** A lock left by a process that no longer runs on this host. */
export function isStale(lock: LockFile, host = hostname(), alive = processAlive): boolean {
    return ownerGone(lock, host, alive);
}

/** Pulumi's locks on a stack in a self-managed backend (a folder or a bucket; none for an unlocked stack). */
export async function pulumiLocks(store: BlobStore, project: string, stack: string): Promise<LockFile[]> {
    const keys = (await store.list(pulumiLockFolder(stackRef(project, stack)))).filter((k) => k.endsWith(".json"));
    // A store that cannot be read fails the caller (never read as "unlocked"); a lock gone meanwhile is
    // none; one that is not JSON is someone's, unknown.
    const locks = await Promise.all(
        keys.map(async (key): Promise<LockFile[]> => {
            const data = await store.read(key);
            if (!data) return [];
            try {
                return [JSON.parse(data.toString("utf8")) as LockFile];
            } catch {
                return [{ pid: 0, hostname: "unknown (the lock cannot be read)" }];
            }
        }),
    );
    return locks.flat();
}

/** How long ago a lock was taken, as "3m12s ago" (or "at an unknown time"). */
function age(timestamp: string | undefined, now: Date): string {
    const at = timestamp ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(at)) return "at an unknown time";
    const seconds = Math.max(0, Math.round((now.getTime() - at) / 1000));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${seconds % 60}s ago`;
}

/**
 * Why a stack is locked, for a lock that is not provably stale: who holds it and since when, whether
 * its process still runs (only knowable on its own host), and the exact command that clears it.
 */
export function lockedMessage(stack: string, lock: LockFile, host = hostname(), alive = processAlive, now = new Date()): string {
    const where = lock.hostname === host ? `on this host (${host})` : `on host ${lock.hostname}`;
    const running = lock.hostname === host ? (alive(lock.pid) ? ", which still runs" : ", which no longer runs") : ", which cannot be checked from here";
    return (
        `stack ${stack} is locked by pid ${lock.pid}${lock.username ? ` of ${lock.username}` : ""} ${where}${running}, taken ${age(lock.timestamp, now)}: ` +
        `another sync holds it. If you are sure that run has stopped, 'syncwave unlock ${stack} --force' clears the lock`
    );
}
