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
    return parseLock(await lock.store.read(lock.key));
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
    /** How much longer than the timeout taking over an abandoned lock may take (30 s). */
    graceMs?: number;
}

/** Tokens of the locks this process holds or is taking: any other lock with its pid is a leftover of it. */
const ownTokens = new Set<string>();

/**
 * A lock nobody will release: taken on this host by a process that no longer runs, or by this very
 * process under a token it no longer holds (a release whose request failed, in a long reconcile).
 */
function abandoned(lock: LockFile): boolean {
    if (isStale(lock)) return true;
    return lock.pid === process.pid && lock.hostname === hostname() && !(lock.token && ownTokens.has(lock.token));
}

function parseLock(data: Buffer | undefined): LockFile | undefined {
    if (data === undefined) return undefined;
    try {
        return JSON.parse(data.toString("utf8")) as LockFile;
    } catch {
        return { pid: 0, hostname: "unknown (the lock cannot be read)" };
    }
}

/**
 * Removes an abandoned lock without ever removing a live one: two syncs on this host that both find
 * it abandoned would otherwise race, the second removing the lock the first had just taken. Only the
 * holder of a takeover marker (created only when absent, like the lock) removes it, after reading it
 * again. A marker that a killed process left, or that cannot be read, is removed.
 */
async function removeAbandonedLock(lock: SyncLock, me: LockFile): Promise<boolean> {
    const marker = takeoverMarker(lock);
    if (!(await lock.store.create(marker, JSON.stringify(me)))) {
        const holder = parseLock(await lock.store.read(marker));
        if (holder && (holder.pid === 0 || isStale(holder))) await lock.store.remove(marker);
        return false;
    }
    try {
        const current = await syncLockHolder(lock);
        if (!current || !abandoned(current)) return false;
        await lock.store.remove(lock.key);
        return true;
    } finally {
        await lock.store.remove(marker);
    }
}

export const takeoverMarker = (lock: SyncLock) => `${lock.key}.takeover`;

/** Takes the lock (waiting up to the timeout); returns what releases it. */
export async function acquireSyncLock(options: AcquireOptions): Promise<() => Promise<void>> {
    const { store, key } = options.lock;
    const id = `${store.description}\0${key}`;
    const token = randomUUID();
    // A process that exits without releasing (process.exit on an error path) leaves a folder's lock
    // removed at once; a bucket's is left to the stale rule (same host, process gone) or to unlock.
    const onExit = () => {
        if (store instanceof FileStore && parseLock(store.readSync(key))?.token === token) store.removeSync(key);
    };
    const release = async () => {
        const count = (held.get(id) ?? 1) - 1;
        if (count > 0) return void held.set(id, count);
        held.delete(id);
        process.off("exit", onExit);
        try {
            // Only our own: after `unlock --force`, the lock may be another sync's now.
            if (parseLock(await store.read(key))?.token === token) await store.remove(key);
        } finally {
            // Left behind by a failed request, it is this process's leftover: its next sync removes it.
            ownTokens.delete(token);
        }
    };
    if (held.has(id)) {
        held.set(id, held.get(id)! + 1);
        return release;
    }
    const taken = () => {
        held.set(id, 1);
        process.on("exit", onExit);
        return release;
    };
    ownTokens.add(token);
    const started = Date.now();
    // However the store answers (a lock that vanishes and reappears, a marker in the way), this is
    // the longest the loop runs: the timeout, plus a grace for taking over an abandoned lock.
    const deadline = started + options.timeoutMs + (options.graceMs ?? 30_000);
    let said = false;
    let holder: LockFile | undefined;
    try {
        for (;;) {
            const mine: LockFile = { pid: process.pid, username: userInfo().username, hostname: hostname(), timestamp: new Date().toISOString(), token };
            let created: boolean;
            try {
                created = await store.create(key, JSON.stringify(mine));
            } catch (err) {
                // The request may have been stored although its answer was lost.
                if (parseLock(await store.read(key).catch(() => undefined))?.token === token) return taken();
                throw err;
            }
            if (created) return taken();
            holder = await syncLockHolder(options.lock);
            // A retried request whose first attempt was stored finds its own lock.
            if (holder?.token === token) return taken();
            if (holder && abandoned(holder)) {
                if (await removeAbandonedLock(options.lock, mine)) {
                    options.progress(
                        holder.pid === process.pid && holder.hostname === hostname()
                            ? `the stack's lock was left by an earlier sync of this process, whose release failed: lock removed`
                            : `the stack was held by a sync that no longer runs (pid ${holder.pid} on ${holder.hostname}, since ${holder.timestamp ?? "?"}): lock removed`,
                    );
                    continue;
                }
            } else if (holder) {
                const waited = Date.now() - started;
                if (waited >= options.timeoutMs) {
                    const after = options.timeoutMs > 0 ? ` (waited ${Math.round(waited / 1000)}s, --lock-timeout)` : " (--lock-timeout waits for it)";
                    throw options.refuse(`${lockedMessage(options.stack, holder)}${after}`);
                }
                if (!said) {
                    said = true;
                    options.progress(`waiting up to ${Math.round(options.timeoutMs / 1000)}s for the sync that holds stack ${options.stack} (pid ${holder.pid} on ${holder.hostname}) to finish`);
                }
            }
            if (Date.now() >= deadline) {
                throw options.refuse(`stack ${options.stack}: the lock ${key} in ${store.description} could not be taken within ${Math.round((Date.now() - started) / 1000)}s (last seen: ${holder ? `pid ${holder.pid} on ${holder.hostname}` : "no lock, yet creating it failed"}); 'syncwave unlock ${options.stack} --force' clears it`);
            }
            // A little jitter: runners that wait for the same stack do not all ask at once.
            await new Promise((r) => setTimeout(r, holder && !abandoned(holder) ? 400 + Math.random() * 200 : 100 + Math.random() * 200));
        }
    } catch (err) {
        ownTokens.delete(token);
        throw err;
    }
}
