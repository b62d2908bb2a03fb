// `syncwave unlock STACK --force`: clears a stack's lock that no sync will clear by itself (one taken
// on another host, or by a process this host cannot prove gone), in a folder or a bucket alike.
// Without --force it only says who holds the lock. Only whoever knows that run has stopped should
// force it (on a shared backend: whoever can see the runner's job ended): a lock cleared under a live
// sync lets two updates write the same state.
import { resolve } from "node:path";
import { backendUrlOf } from "../backend/open-store";
import { readProjectFile } from "../fast/stack-files";
import { lockedMessage, pulumiLocks, type LockFile } from "../stale-lock";
import { openStack, type StackOptions } from "../stack";
import { syncLockHolder, syncLockOf, takeoverMarker } from "../sync-lock";
import { SyncError } from "./sync";

export async function unlock(options: StackOptions & { force?: boolean }): Promise<{ cleared: LockFile[] }> {
    const project = readProjectFile(resolve(options.cwd ?? process.cwd())).name;
    const lock = syncLockOf(options.env, project, options.stack);
    if (!lock) {
        const backend = backendUrlOf(options.env);
        throw new SyncError(`stack ${options.stack}: unlock clears the locks of a self-managed backend (file:// or s3://); ${backend || "this backend"} keeps its own (for Pulumi Cloud, 'pulumi cancel')`);
    }
    // Pulumi's lock (held while `pulumi up` runs) and SyncWave's (held for a whole sync).
    const pulumi = await pulumiLocks(lock.store, project, options.stack);
    const syncLock = await syncLockHolder(lock);
    const locks = [...pulumi, ...(syncLock ? [syncLock] : [])];
    if (locks.length === 0) return { cleared: [] };
    if (!options.force) throw new SyncError(`${lockedMessage(options.stack, locks[0])} (nothing was changed: add --force)`);
    if (pulumi.length > 0) await (await openStack(options)).cancel();
    await lock.store.remove(lock.key);
    await lock.store.remove(takeoverMarker(lock));
    return { cleared: locks };
}
