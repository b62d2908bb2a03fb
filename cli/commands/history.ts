// `syncwave history`: the stack's updates, newest first, each with the commit of every Application it synced (from
// the update's message, which `syncwave sync` writes), when, by whom, and how it ended.
import { parseSyncMessage, openStack, type StackOptions } from "../stack";
import { formatColumns } from "../format/table";

export interface HistoryEntry {
    id: number;
    /** The Pulumi operation: update, refresh, destroy… */
    operation: string;
    /** What syncwave ran it as (sync, reconcile, rollback), or the operation for anything else. */
    kind: string;
    startTime: string;
    by: string;
    result: string;
    health: string;
    revisions: Record<string, string>;
    message: string;
}

/**
 * Newest first, with an ID each. The self-managed backends (file, s3, azblob, gs) keep no version
 * numbers and list newest first; there an update's ID is its position, the first update being 1.
 */
export function numberUpdates<U extends { version: number }>(listed: readonly U[]): U[] {
    const numbered = listed.every((u) => u.version > 0) ? [...listed] : listed.map((u, i) => ({ ...u, version: listed.length - i }));
    return numbered.sort((a, b) => b.version - a.version);
}

export async function history(options: StackOptions): Promise<HistoryEntry[]> {
    const stack = await openStack(options);
    return numberUpdates(await stack.history()).map((u) => {
        const record = parseSyncMessage(u.message);
        return {
            id: u.version,
            operation: u.kind,
            kind: record?.kind ?? u.kind,
            startTime: u.startTime.toISOString(),
            by: record?.by ?? u.environment?.["git.author"] ?? "",
            result: u.result,
            // Gates hold every wave until Healthy: a sync that succeeded left everything Healthy.
            health: u.kind !== "update" ? "" : u.result === "succeeded" ? "Healthy" : u.result === "failed" ? "Degraded or timed out" : "",
            revisions: record?.revisions ?? {},
            message: u.message,
        };
    });
}

export function formatHistory(entries: HistoryEntry[]): string {
    const rows = entries.map((e) => [
        String(e.id),
        e.startTime.replace("T", " ").replace(/\.\d+Z$/, "Z"),
        e.kind,
        e.result,
        e.health,
        e.by,
        Object.entries(e.revisions).map(([app, sha]) => `${app}@${sha.slice(0, 12)}`).join(" ") || e.message.slice(0, 60),
    ]);
    return formatColumns(["ID", "WHEN", "KIND", "RESULT", "HEALTH", "BY", "REVISIONS"], rows, [3, 4]);
}
