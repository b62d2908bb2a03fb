// One contender for a stack's SyncWave lock, in a process of its own (as a CI runner is): takes the
// lock of stack "race" in the backend PULUMI_BACKEND_URL names, without waiting, and prints `got`
// (then holds it HOLD_MS and releases it) or `refused`. Started by the lock race tests.
import { acquireSyncLock, syncLockOf } from "../../cli/sync-lock";

async function main(): Promise<void> {
    const lock = syncLockOf(process.env as Record<string, string>, "proj", "race")!;
    // Every contender starts at the same instant, whenever its process came up.
    await new Promise((r) => setTimeout(r, Math.max(0, Number(process.env.START_AT ?? "0") - Date.now())));
    try {
        const release = await acquireSyncLock({ lock, stack: "race", timeoutMs: 0, progress: (line) => console.error(line), refuse: (m) => new Error(m) });
        console.log(`got ${Date.now()}`);
        await new Promise((r) => setTimeout(r, Number(process.env.HOLD_MS ?? "1500")));
        console.log(`released ${Date.now()}`);
        await release();
    } catch (err) {
        console.log(`refused ${(err as Error).message.split(":")[0]}`);
    }
}

void main();
