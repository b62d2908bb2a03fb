// `syncwave history`: the stack's updates, newest first, each with the commit of every Application it synced (from
// the update's message, which `syncwave sync` writes), when, by whom, and how it ended.
import { parseSyncMessage, openStack, type StackOptions } from "../stack";
import { formatColumns } from "../format/table";
import { failureTagName, parseFailureTag } from "../failure-class";
import { plainValues, type StateResource } from "./state";

export interface HistoryEntry {
    id: number;
    /** The Pulumi operation: update, refresh, destroy… */
    operation: string;
    /** What syncwave ran it as (sync, reconcile, rollback), or the operation for anything else. */
    kind: string;
    startTime: string;
    /** When the update ended (absent while it runs). */
    endTime?: string;
    by: string;
    result: string;
    health: string;
    revisions: Record<string, string>;
    /** Why the sync ran, when it says: an automatic rollback's failed commit and cause. */
    reason?: string;
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
    const [updates, tags, exported] = await Promise.all([stack.history(), stack.workspace.listTags(stack.name), stack.exportStack()]);
    const completed = completedSyncs(((exported.deployment as { resources?: StateResource[] } | undefined)?.resources ?? []) as StateResource[]);
    return numberUpdates(updates).map((u) => {
        const record = parseSyncMessage(u.message);
        const failure = tags[failureTagName(u.version)];
        return {
            id: u.version,
            operation: u.kind,
            kind: record?.kind ?? u.kind,
            startTime: u.startTime.toISOString(),
            ...(u.endTime && !Number.isNaN(u.endTime.getTime()) ? { endTime: u.endTime.toISOString() } : {}),
            by: record?.by ?? u.environment?.["git.author"] ?? "",
            result: u.result,
            health: u.kind !== "update" ? "" : u.result === "failed" ? failedHealth(failure) : measuredHealth(completed, u.startTime, u.endTime),
            revisions: record?.revisions ?? {},
            ...(record?.reason ? { reason: record.reason } : {}),
            message: u.message,
        };
    });
}

/** What each Application's SyncResult recorded at the end of its completed syncs. */
export function completedSyncs(resources: readonly StateResource[]): { application: string; health: string; finishedAt: string }[] {
    return resources
        .filter((r) => r.type.endsWith("syncwave:SyncResult"))
        .flatMap((r) => {
            const outputs = plainValues(r.outputs) as { application?: string; completed?: { health: string; finishedAt: string }[] } | undefined;
            return (outputs?.completed ?? []).map((c) => ({ application: outputs?.application ?? "", health: c.health, finishedAt: c.finishedAt }));
        });
}

/** The health measured at the end of the update, per Application ("Healthy" when all agree). */
export function measuredHealth(completed: readonly { application: string; health: string; finishedAt: string }[], start: Date, end: Date | undefined): string {
    const inUpdate = completed.filter((c) => {
        const at = Date.parse(c.finishedAt);
        return at >= start.getTime() && (end === undefined || Number.isNaN(end.getTime()) || at <= end.getTime() + 1_000);
    });
    // An update that changed nothing of an Application measured nothing new: no entry, no claim.
    if (inUpdate.length === 0) return "";
    const healths = new Set(inUpdate.map((c) => c.health));
    return healths.size === 1 ? [...healths][0] : inUpdate.map((c) => `${c.application}=${c.health}`).join(" ");
}

/** A failed update's reason classes, as `syncwave sync` recorded them. */
export function failedHealth(tag: string | undefined): string {
    if (tag === undefined) return "failed (no reason recorded)";
    const classes = parseFailureTag(tag);
    const values = new Set(Object.values(classes));
    if (values.size === 1) return [...values][0];
    return Object.entries(classes).map(([app, c]) => (app === "-" ? c : `${app}: ${c}`)).join(", ");
}

export function formatHistory(entries: HistoryEntry[]): string {
    const rows = entries.map((e) => [
        String(e.id),
        e.startTime.replace("T", " ").replace(/\.\d+Z$/, "Z"),
        e.kind,
        e.result,
        e.health,
        e.by,
        (Object.entries(e.revisions).map(([app, sha]) => `${app}@${sha.slice(0, 12)}`).join(" ") || e.message.split("\n")[0].slice(0, 60)) +
            (e.reason ? `  (${e.reason.split("\n").map(shortenShas).join("; ")})` : ""),
    ]);
    return formatColumns(["ID", "WHEN", "KIND", "RESULT", "HEALTH", "BY", "REVISIONS"], rows, [3, 4]);
}

/** Full commit SHAs cut to 12 characters, as the REVISIONS column shows them. */
function shortenShas(text: string): string {
    return text.replace(/\b([0-9a-f]{12})[0-9a-f]{28}\b/g, "$1");
}
