// One contender for a stack's SyncWave lock, in a process of its own (as a CI runner is): takes the
// lock of stack "race" in the backend PULUMI_BACKEND_URL names, without waiting. It first warms up
// (loads the store's client, runs an S3 store's conditional-write probe) and prints `ready`; on the
// parent's first stdin line it tries the lock and prints `got` or `refused`; a holder keeps the lock
// until the parent's second line (every other contender has answered), then prints `released`.
import { createInterface } from "node:readline";
import { acquireSyncLock, syncLockOf } from "../../cli/sync-lock";

async function main(): Promise<void> {
    const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
    const lock = syncLockOf(process.env as Record<string, string>, "proj", "race")!;
    const warmup = `${lock.key}.warmup-${process.pid}`;
    if (await lock.store.create(warmup, "warm-up")) await lock.store.remove(warmup);
    console.log("ready");
    await lines.next(); // go
    try {
        const release = await acquireSyncLock({ lock, stack: "race", timeoutMs: 0, progress: (line) => console.error(line), refuse: (m) => new Error(m) });
        console.log(`got ${Date.now()}`);
        await lines.next(); // release
        console.log(`released ${Date.now()}`);
        await release();
    } catch (err) {
        console.log(`refused ${(err as Error).message.split(":")[0]}`);
    }
    process.exit(0);
}

void main();
