// Whether a lock's owner still runs: the rule every lock on this machine uses (the stack lock in
// cli/stale-lock.ts, the git cache's lock in components/source/cache-lock.ts). A lock taken on this
// host by a process that no longer exists is stale; one of another host can never be proven stale.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** Whether a process with this pid exists on this host. */
export function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (err) {
        // EPERM: it exists, owned by someone else.
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
    // A killed process whose parent died too may stay a zombie until something reaps it: it runs no
    // more, so it holds nothing (Linux: state Z in /proc/<pid>/stat).
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return true;
    }
}

/** An owner that took its lock on this host and no longer runs. */
export function ownerGone(owner: { pid: number; hostname: string }, host = hostname(), alive = processAlive): boolean {
    return owner.hostname === host && Number.isInteger(owner.pid) && owner.pid > 0 && !alive(owner.pid);
}
