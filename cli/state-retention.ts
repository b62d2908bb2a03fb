// Bounds what a self-managed backend (a folder, a bucket) keeps of a stack's past. Pulumi's diy backend writes, for every update, a
// full copy of the checkpoint into the stack's history (`<stack>-<time>.checkpoint.json`, next to the
// small `<stack>-<time>.history.json` that `pulumi stack history` reads) and another into its backups
// (`<stack>.<time>.json`), and never removes either (pkg/backend/diy/state.go, addToHistory and
// backupStack). A stack that `reconcile` repairs all day grows by a checkpoint per repair. After a
// sync, SyncWave keeps the newest checkpoint copies and removes older ones; the `.history.json`
// entries stay, all of them: `syncwave history` and `rollback` read those (the commits each sync
// applied), never the old checkpoints.
import type { BlobStore } from "./backend/blob-store";
import { backupsFolder, historyFolder, stackRef } from "./backend/stack-keys";

export const DEFAULT_KEPT_CHECKPOINTS = 20;
export const KEEP_ENV = "SYNCWAVE_KEEP_CHECKPOINTS";

/** How many checkpoint copies to keep: SYNCWAVE_KEEP_CHECKPOINTS (a whole number, or "all"), 20 by default. */
export function keptCheckpoints(value: string | undefined): number {
    if (value === undefined || value === "") return DEFAULT_KEPT_CHECKPOINTS;
    if (value === "all") return Number.POSITIVE_INFINITY;
    if (!/^\d+$/.test(value)) throw new Error(`${KEEP_ENV}=${value}: expected a whole number of checkpoint copies to keep, or "all"`);
    return Number(value);
}

/** Of a folder's file names, those of the copies to remove: all but the newest `keep` (with their `.attrs`). */
export function expiredCopies(files: readonly string[], pattern: RegExp, keep: number): string[] {
    const copies = files
        .map((file) => ({ file, time: pattern.exec(file)?.[1] }))
        .filter((c): c is { file: string; time: string } => c.time !== undefined)
        // Nanosecond timestamps of equal length: compare as numbers, not text.
        .sort((a, b) => (BigInt(b.time) > BigInt(a.time) ? 1 : BigInt(b.time) < BigInt(a.time) ? -1 : 0));
    const expired = copies.slice(Number.isFinite(keep) ? keep : copies.length).map((c) => c.file);
    return expired.flatMap((file) => (files.includes(`${file}.attrs`) ? [file, `${file}.attrs`] : [file]));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Removes the stack's expired checkpoint copies from its backend (a folder or a bucket); returns how many objects went. */
export async function pruneCheckpointCopies(store: BlobStore, project: string, stack: string, keep: number): Promise<number> {
    const ref = stackRef(project, stack);
    const name = ref.stack;
    const folders: [string, RegExp][] = [
        [historyFolder(ref), new RegExp(`^${escape(name)}-(\\d+)\\.checkpoint\\.json(?:\\.gz|\\.zst)?$`)],
        [backupsFolder(ref), new RegExp(`^${escape(name)}\\.(\\d+)\\.json(?:\\.gz|\\.zst)?$`)],
    ];
    let removed = 0;
    for (const [folder, pattern] of folders) {
        const files = (await store.list(folder)).map((key) => key.slice(folder.length)).filter((f) => !f.includes("/"));
        for (const file of expiredCopies(files, pattern, keep)) {
            await store.remove(`${folder}${file}`);
            removed++;
        }
    }
    return removed;
}
