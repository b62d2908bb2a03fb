// When hooks run. Argo CD runs every hook on every sync operation; SyncWave runs them when the
// Application's desired state changed (its rendered manifests, their per-resource options and the
// Application's sync options), after a failed or interrupted sync, and when asked (--force-hooks).
// Never for a commit that changes nothing the Application renders, never for a drift repair. Pure.
import { createHash } from "node:crypto";

function short(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The desired state's identity for hooks: the plan's digest (manifests, phases, waves) and the sync options. */
export function desiredStateDigest(planDigest: string, syncOptions: readonly string[]): string {
    return short(JSON.stringify([planDigest, [...syncOptions].map((o) => o.trim()).filter(Boolean).sort()]));
}

/** What the state says about an Application's last sync: its record (first step) and its result (last step). */
export interface LastSync {
    record?: { desired?: string; runKey?: string; revision?: string };
    result?: { desired?: string; runKey?: string; fingerprint?: string };
}

/** Whether the Application's last sync started but did not complete (failed, or the process was killed). */
export function lastSyncIncomplete(last: LastSync): boolean {
    if (!last.record) return false;
    // State written before hooks had run keys holds neither: nothing to retry.
    if (last.record.desired === undefined) return false;
    return last.result?.desired !== last.record.desired || (last.result?.runKey ?? "") !== (last.record.runKey ?? "");
}

/**
 * The hooks' run key for this sync: a new key after an incomplete sync (derived from the failed
 * attempt's record, so each retry gets its own) or for a forced run; "" otherwise.
 */
export function hookRunKey(last: LastSync, force: { nonce: string } | undefined): string {
    if (force) return `forced-${short(force.nonce)}`;
    if (lastSyncIncomplete(last)) return `retry-${short(JSON.stringify([last.record?.desired, last.record?.runKey ?? "", last.record?.revision ?? ""]))}`;
    return "";
}

/**
 * Whether a hook runs again: a new desired state, or a new non-empty run key (retry, forced). State
 * written before run keys holds a syncId of revision and plan digest instead: compared by what it has.
 * Self-contained (no imports): serialized into the Hook provider's closure.
 */
export function hookMustRun(olds: { desired?: string; runKey?: string; syncId?: string }, news: { desired: string; runKey: string }): boolean {
    if (olds.desired === undefined) return olds.syncId === undefined || !olds.syncId.endsWith(`:${news.desired}`);
    return olds.desired !== news.desired || (news.runKey !== "" && news.runKey !== olds.runKey);
}

/** The sync id a hook's run is labelled with. Self-contained, as hookMustRun. */
export function hookSyncId(desired: string, runKey: string): string {
    return runKey ? `${desired}:${runKey}` : desired;
}
