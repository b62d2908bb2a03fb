// SyncWave's own lock on a stack, held for a whole sync (preview, update, hooks, a rollback it
// triggers). Pulumi locks a stack only while `pulumi up` runs, so two syncs could both preview and
// the second then fail inside Pulumi with a raw lock error; this lock makes the second wait (up to
// --lock-timeout) or be refused at once, naming who holds it. It lives in the stack's backend beside
// Pulumi's locks (.pulumi/syncwave-locks/<org>/<project>/<stack>.json, in a folder or an S3 bucket),
// so every runner sharing the backend sees it; it is created only when absent (O_EXCL in a folder,
// If-None-Match: * in a bucket), and follows Pulumi's rule: a lock of a process that no longer runs
// on this host is removed, said so; any other is left to its run or to `syncwave unlock STACK --force`.
// The same process may take it again (a rollout's steps, a rollback after a failed sync).
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

/** Takes the lock (waiting up to the timeout); returns what releases it. */
export async function acquireSyncLock(options: AcquireOptions): Promise<() => Promise<void>> {
    const { store, key } = options.lock;
    const id = `${store.description}\0${key}`;
    // A process that exits without releasing (process.exit on an error path) leaves a folder's lock
    // removed at once; a bucket's is left to the stale rule (same host, process gone) or to unlock.
    const onExit = () => {
        if (store instanceof FileStore) rmSync(store.pathOf(key), { force: true });
    };
    const release = async () => {
        const count = (held.get(id) ?? 1) - 1;
        if (count > 0) return void held.set(id, count);
        held.delete(id);
        process.off("exit", onExit);
        await store.remove(key);
    };
    if (held.has(id)) {
        held.set(id, held.get(id)! + 1);
        return release;
    }
    const started = Date.now();
    let said = false;
    for (;;) {
        const mine: LockFile = { pid: process.pid, username: userInfo().username, hostname: hostname(), timestamp: new Date().toISOString() };
        if (await store.create(key, JSON.stringify(mine))) {
            held.set(id, 1);
            process.on("exit", onExit);
            return release;
        }
        const holder = await syncLockHolder(options.lock);
        if (!holder) continue; // released between the two calls
        if (isStale(holder)) {
            options.progress(`the stack was held by a sync that no longer runs (pid ${holder.pid} on ${holder.hostname}, since ${holder.timestamp ?? "?"}): lock removed`);
            await store.remove(key);
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
