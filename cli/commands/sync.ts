// `syncwave sync`: preview, then update to exactly the commits the preview resolved, showing each wave
// as its gate passes; the update's message records every Application's commit in the stack history.
import { userInfo } from "node:os";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { applicationOfStep, describeId, openStack, revisionsFrom, syncMessage, type ResolvedRevision, type StackOptions } from "../stack";

export interface SyncOptions extends StackOptions {
    /** Sync only this Application (a targeted update of its resources). */
    app?: string;
    /** "sync", "rollback" or "reconcile": recorded in the history. */
    kind?: string;
    policyPacks?: string[];
    policyPackConfigs?: string[];
    progress?: (line: string) => void;
}

export interface SyncResult {
    revisions: ResolvedRevision[];
    result: string;
    summary: Record<string, number>;
}

export class SyncError extends Error {}

function errorsOf(events: readonly EngineEvent[]): string[] {
    return events
        .filter((e) => e.diagnosticEvent?.severity === "error")
        .map((e) => e.diagnosticEvent!.message.trim())
        .filter((m) => !/^preview failed$|^update failed$/.test(m));
}

const APPLIED: Record<string, string> = { create: "created", update: "updated", replace: "replaced", "create-replacement": "replaced", delete: "pruned" };

/** Progress lines for applied objects, gates and hooks as the engine reports them. */
function progressOf(e: EngineEvent): string | undefined {
    const m = e.resOutputsEvent?.metadata;
    if (!m) return undefined;
    const app = applicationOfStep(e);
    if (m.type.startsWith("kubernetes:") && !m.type.startsWith("kubernetes:providers") && APPLIED[m.op] && app) {
        return `${app}: ${APPLIED[m.op]} ${describeId(m.urn.split("::").pop() ?? "")}`;
    }
    // Only steps that ran something: not refreshes, reads or deletions of earlier runs.
    if (!["create", "update", "replace", "create-replacement"].includes(m.op)) return undefined;
    const outputs = (m.new?.outputs ?? {}) as Record<string, unknown>;
    if (m.type.endsWith("syncwave:HealthGate")) {
        const health = (outputs.health as { resource: string; status: string }[] | undefined) ?? [];
        return `${app}: ${String(outputs.stage)}: ${health.length} resource(s) ${[...new Set(health.map((h) => h.status))].join("/") || "done"}`;
    }
    if (m.type.endsWith("syncwave:Hook")) {
        return `${app}: ${String(outputs.phase)} hook ${String(outputs.hookName)}: ${String(outputs.status)}`;
    }
    return undefined;
}

export async function sync(options: SyncOptions): Promise<SyncResult> {
    const progress = options.progress ?? (() => undefined);
    const previewEvents: EngineEvent[] = [];
    const stack = await openStack(options);
    progress("previewing: fetching sources and planning");
    let previewFailure = "";
    // No refresh here: the preview resolves the commits, the Application's resources and the policy
    // verdicts, none of which depends on live state; the update refreshes before it applies.
    await stack
        .preview({ policyPacks: options.policyPacks, policyPackConfigs: options.policyPackConfigs, onEvent: (e) => previewEvents.push(e) })
        .catch((err: Error) => (previewFailure = err.message));
    const previewErrors = errorsOf(previewEvents);
    if (previewErrors.length === 0 && previewFailure) previewErrors.push(previewFailure);
    if (previewErrors.length > 0) throw new SyncError(`the preview failed, nothing was synced:\n${previewErrors.join("\n")}`);

    let revisions = revisionsFrom(previewEvents);
    if (options.app) {
        revisions = revisions.filter((r) => r.application === options.app);
        if (revisions.length === 0) throw new SyncError(`no application named ${options.app} in stack ${options.stack}`);
    }
    for (const r of revisions) progress(`${r.application}: ${r.repoURL}@${r.targetRevision} = ${r.commit}`);

    // The update applies the commits the preview showed, even if a branch moved meanwhile.
    const pinned = Object.fromEntries(revisions.map((r) => [r.application, r.commit]));
    const synced = await openStack({ ...options, env: { ...(options.env ?? {}), SYNCWAVE_REVISIONS: JSON.stringify(pinned) } });
    const targets = options.app ? targetsOf(previewEvents, options.app) : undefined;
    const updateEvents: EngineEvent[] = [];
    const said = new Set<string>();
    try {
        const up = await synced.up({
            message: `${syncMessage(options.kind ?? "sync", revisions)} by=${userInfo().username}`,
            // What drifted or vanished since the last sync is read first, then put back.
            refresh: true,
            target: targets,
            targetDependents: targets ? true : undefined,
            policyPacks: options.policyPacks,
            policyPackConfigs: options.policyPackConfigs,
            onEvent: (e) => {
                updateEvents.push(e);
                const line = progressOf(e);
                // The engine can report a step's outputs more than once; say each thing once.
                if (line && !said.has(line)) {
                    said.add(line);
                    progress(line);
                }
            },
        });
        return { revisions, result: up.summary.result, summary: (up.summary.resourceChanges ?? {}) as Record<string, number> };
    } catch (err) {
        const reasons = errorsOf(updateEvents);
        throw new SyncError(`the sync failed:\n${reasons.length ? reasons.join("\n") : (err as Error).message}`);
    }
}

/** The URNs of one Application and everything under it, as the preview listed them. */
function targetsOf(events: readonly EngineEvent[], app: string): string[] {
    const urns = new Set<string>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m) continue;
        if (m.urn.endsWith(`::syncwave:index:Application::${app}`) || applicationOfStep(e) === app) urns.add(m.urn);
    }
    return [...urns];
}
