// `syncwave unlock STACK --force`: clears a stack's lock that no sync will clear by itself (one taken
// on another host, or by a process this host cannot prove gone). Without --force it only says who
// holds the lock. Only whoever knows that run has stopped should force it: a lock cleared under a
// live sync lets two updates write the same state.
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { readProjectFile } from "../fast/stack-files";
import { fileBackendLocks, lockedMessage, type LockFile } from "../stale-lock";
import { openStack, type StackOptions } from "../stack";
import { syncLockHolder, syncLockPath } from "../sync-lock";
import { SyncError } from "./sync";

export async function unlock(options: StackOptions & { force?: boolean }): Promise<{ cleared: LockFile[] }> {
    const project = readProjectFile(resolve(options.cwd ?? process.cwd())).name;
    const backend = options.env?.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL;
    if (!backend?.startsWith("file://")) {
        throw new SyncError(`stack ${options.stack}: unlock clears the locks of a file:// backend; ${backend ?? "this backend"} keeps its own (for Pulumi Cloud, 'pulumi cancel')`);
    }
    // Pulumi's lock (held while `pulumi up` runs) and SyncWave's (held for a whole sync).
    const pulumiLocks = fileBackendLocks(backend, project, options.stack);
    const path = syncLockPath(backend, project, options.stack)!;
    const syncLock = syncLockHolder(path);
    const locks = [...pulumiLocks, ...(syncLock ? [syncLock] : [])];
    if (locks.length === 0) return { cleared: [] };
    if (!options.force) throw new SyncError(`${lockedMessage(options.stack, locks[0])} (nothing was changed: add --force)`);
    if (pulumiLocks.length > 0) await (await openStack(options)).cancel();
    rmSync(path, { force: true });
    return { cleared: locks };
}
