// SyncWave's own lock on a stack, held for a whole sync (preview, update, hooks, a rollback it
// triggers). Pulumi locks a stack only while `pulumi up` runs, so two syncs could both preview and
// the second then fail inside Pulumi with a raw lock error; this lock makes the second wait (up to
// --lock-timeout) or be refused at once, naming who holds it. It lives in the stack's backend beside
// Pulumi's locks (.pulumi/syncwave-locks/<org>/<project>/<stack>.json, in a folder or an S3 bucket),
// so every runner sharing the backend sees it; it is created only when absent (O_EXCL in a folder,
// If-None-Match: * in a bucket), and follows Pulumi's rule: a lock of a process that no longer runs
// on this host is removed, said so; any other is left to its run or to `syncwave unlock STACK --force`.
// The same process may take it again (a rollout's steps, a rollback after a failed sync).
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import type { BlobStore } from "./backend/blob-store";
import { FileStore } from "./backend/file-store";
import { openStore } from "./backend/open-store";
import { stackRef, syncLockKey } from "./backend/stack-keys";
import { isStale, lockedMessage, type LockFile } from "./stale-lock";

export interface SyncLock {
    store: BlobStore;
    key: string;
}

/** The stack's SyncWave lock in its backend; undefined for a backend that keeps its own (Pulumi Cloud). */
export function syncLockOf(env: Record<string, string> | undefined, project: string, stack: string): SyncLock | undefined {
    const store = openStore(env);
    return store && { store, key: syncLockKey(stackRef(project, stack)) };
}

/** Who holds a stack's SyncWave lock, if anyone (an unreadable one: someone unknown). */
export async function syncLockHolder(lock: SyncLock): Promise<LockFile | undefined> {
    const data = await lock.store.read(lock.key);
    if (data === undefined) return undefined;
    try {
        return JSON.parse(data.toString("utf8")) as LockFile;
    } catch {
        return { pid: 0, hostname: "unknown (the lock cannot be read)" };
    }
}

const held = new Map<string, number>();

export interface AcquireOptions {
    lock: SyncLock;
    stack: string;
    /** How long to wait for another sync to finish; 0 refuses at once. */
    timeoutMs: number;
    progress: (line: string) => void;
    /** Raised when the lock stays held past the timeout. */
    refuse: (message: string) => Error;
}

/**
 * Removes a lock left by a process that no longer runs, without ever removing a live one: two syncs
 * on this host that both find it stale would otherwise race, the second removing the lock the first
 * had just taken. Only the holder of a takeover marker (created only when absent, like the lock)
 * removes it, after reading it again. A marker a killed process left is itself stale and removed.
 */
async function removeStaleLock(lock: SyncLock, me: LockFile): Promise<boolean> {
    const marker = `${lock.key}.takeover`;
    if (!(await lock.store.create(marker, JSON.stringify(me)))) {
        const data = await lock.store.read(marker);
        let holder: LockFile | undefined;
        try {
            holder = data ? (JSON.parse(data.toString("utf8")) as LockFile) : undefined;
        } catch {
            holder = undefined;
        }
        if (holder && isStale(holder)) await lock.store.remove(marker);
        return false;
    }
    try {
        const current = await syncLockHolder(lock);
        if (!current || !isStale(current)) return false;
        await lock.store.remove(lock.key);
        return true;
    } finally {
        await lock.store.remove(marker);
    }
}

/** Takes the lock (waiting up to the timeout); returns what releases it. */
export async function acquireSyncLock(options: AcquireOptions): Promise<() => Promise<void>> {
    const { store, key } = options.lock;
    const id = `${store.description}\0${key}`;
    const token = randomUUID();
    // A process that exits without releasing (process.exit on an error path) leaves a folder's lock
    // removed at once; a bucket's is left to the stale rule (same host, process gone) or to unlock.
    const onExit = () => {
        if (store instanceof FileStore && ownedBy(store.readSync(key), token)) rmSync(store.pathOf(key), { force: true });
    };
    const release = async () => {
        const count = (held.get(id) ?? 1) - 1;
        if (count > 0) return void held.set(id, count);
        held.delete(id);
        process.off("exit", onExit);
        // Only our own: after `unlock --force`, the lock may be another sync's now.
        if (ownedBy(await store.read(key), token)) await store.remove(key);
    };
    if (held.has(id)) {
        held.set(id, held.get(id)! + 1);
        return release;
    }
    const started = Date.now();
    let said = false;
    for (;;) {
        const mine: LockFile = { pid: process.pid, username: userInfo().username, hostname: hostname(), timestamp: new Date().toISOString(), token };
        if (await store.create(key, JSON.stringify(mine))) {
            held.set(id, 1);
            process.on("exit", onExit);
            return release;
        }
        const holder = await syncLockHolder(options.lock);
        if (!holder) continue; // released between the two calls
        if (isStale(holder)) {
            if (await removeStaleLock(options.lock, mine)) {
                options.progress(`the stack was held by a sync that no longer runs (pid ${holder.pid} on ${holder.hostname}, since ${holder.timestamp ?? "?"}): lock removed`);
            } else await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
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
        // A little jitter: runners that wait for the same stack do not all ask at once.
        await new Promise((r) => setTimeout(r, 400 + Math.random() * 200));
    }
}

function ownedBy(data: Buffer | undefined, token: string): boolean {
    if (!data) return false;
    try {
        return (JSON.parse(data.toString("utf8")) as LockFile).token === token;
    } catch {
        return false;
    }
}
