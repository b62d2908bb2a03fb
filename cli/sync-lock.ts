// SyncWave's own lock on a stack, held for a whole sync (preview, update, hooks, a rollback it
// triggers). Pulumi locks a stack only while `pulumi up` runs, so two syncs could both preview and
// the second then fail inside Pulumi with a raw lock error; this lock makes the second wait (up to
// --lock-timeout) or be refused at once, naming who holds it. It lives in the file:// backend beside
// Pulumi's locks (.pulumi/syncwave-locks/<org>/<project>/<stack>.json), created exclusively, and
// follows the same rule: a lock of a process that no longer runs on this host is removed, said so;
// any other is left to its run or to `syncwave unlock STACK --force`. The same process may take it
// again (a rollout's steps, a rollback after a failed sync).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isStale, lockedMessage, type LockFile } from "./stale-lock";

/** The lock file of a stack in a file:// backend; undefined for other backends. */
export function syncLockPath(backendUrl: string | undefined, project: string, stack: string): string | undefined {
    if (!backendUrl?.startsWith("file://")) return undefined;
    const root = fileURLToPath(backendUrl.split("?")[0]);
    const [org, name] = stack.includes("/") ? [stack.split("/")[0], stack.split("/").pop()!] : ["organization", stack];
    return join(root, ".pulumi", "syncwave-locks", org, project, `${name}.json`);
}

/** Who holds a stack's SyncWave lock, if anyone (an unreadable file: someone unknown). */
export function syncLockHolder(path: string): LockFile | undefined {
    if (!existsSync(path)) return undefined;
    try {
        return JSON.parse(readFileSync(path, "utf8")) as LockFile;
    } catch {
        return { pid: 0, hostname: "unknown (the lock file cannot be read)" };
    }
}

const held = new Map<string, number>();

export interface AcquireOptions {
    path: string;
    stack: string;
    /** How long to wait for another sync to finish; 0 refuses at once. */
    timeoutMs: number;
    progress: (line: string) => void;
    /** Raised when the lock stays held past the timeout. */
    refuse: (message: string) => Error;
}

/** Takes the lock (waiting up to the timeout); returns what releases it. */
export async function acquireSyncLock(options: AcquireOptions): Promise<() => void> {
    const { path } = options;
    const release = () => {
        const count = (held.get(path) ?? 1) - 1;
        if (count > 0) return void held.set(path, count);
        held.delete(path);
        process.off("exit", onExit);
        rmSync(path, { force: true });
    };
    const onExit = () => rmSync(path, { force: true });
    if (held.has(path)) {
        held.set(path, held.get(path)! + 1);
        return release;
    }
    mkdirSync(dirname(path), { recursive: true });
    const started = Date.now();
    let said = false;
    for (;;) {
        const mine: LockFile = { pid: process.pid, username: userInfo().username, hostname: hostname(), timestamp: new Date().toISOString() };
        try {
            writeFileSync(path, JSON.stringify(mine), { flag: "wx" });
            held.set(path, 1);
            process.on("exit", onExit);
            return release;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
        const holder = syncLockHolder(path);
        if (!holder) continue; // released between the two calls
        if (isStale(holder)) {
            options.progress(`the stack was held by a sync that no longer runs (pid ${holder.pid} on ${holder.hostname}, since ${holder.timestamp ?? "?"}): lock removed`);
            rmSync(path, { force: true });
            continue;
        }
        const waited = Date.now() - started;
        if (waited >= options.timeoutMs) {
            const after = options.timeoutMs > 0 ? ` (waited ${Math.round(waited / 1000)}s, --lock-timeout)` : " (--lock-timeout waits for it)";
            throw options.refuse(`${lockedMessage(options.stack, holder)}${after}`);
        }
        if (!said) {
            said = true;
            options.progress(`waiting up to ${Math.round(options.timeoutMs / 1000)}s for the sync that holds stack ${options.stack} (pid ${holder.pid} on ${holder.hostname}) to finish`);
        }
        await new Promise((r) => setTimeout(r, 500));
    }
}
