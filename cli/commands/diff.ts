// `syncwave diff`: a preview, grouped by Application, phase and wave, with each Application's resolved
// revision and the policy packs' verdicts.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { applicationOfStep, describeId, openStack, revisionsFrom, stagesFrom, type ResolvedRevision, type StackOptions } from "../stack";
import { bold, green, red, yellow } from "../format/colors";

export interface PlannedChange {
    application: string;
    stage: string;
    resource: string;
    op: string;
    diffs: string[];
}

export interface DiffResult {
    revisions: ResolvedRevision[];
    changes: PlannedChange[];
    policyViolations: { policy: string; level: string; message: string; resource?: string }[];
    events: EngineEvent[];
}

const SYMBOL: Record<string, string> = { create: "+", update: "~", replace: "+-", "create-replacement": "+-", delete: "-", "delete-replaced": "-", same: " " };

function opColour(op: string): (s: string) => string {
    if (op.startsWith("create")) return green;
    if (op.startsWith("delete")) return red;
    return op === "same" ? (s) => s : yellow;
}

export async function diff(options: StackOptions & { policyPacks?: string[]; policyPackConfigs?: string[] }): Promise<DiffResult> {
    const stack = await openStack(options);
    const events: EngineEvent[] = [];
    await stack.preview({
        diff: true,
        // Compare with the live cluster, as Argo CD does, not only with the last sync's state.
        refresh: true,
        policyPacks: options.policyPacks,
        policyPackConfigs: options.policyPackConfigs,
        onEvent: (e) => events.push(e),
    }).catch((err: Error) => {
        // A refused preview (policy, project, bad input) is still a result to show.
        events.push({ sequence: -1, timestamp: 0, diagnosticEvent: { message: err.message, color: "never", severity: "error" } } as EngineEvent);
    });
    return summarize(events);
}

export function summarize(events: EngineEvent[]): DiffResult {
    const stageOf = stagesFrom(events);
    const changes: PlannedChange[] = [];
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.op === "same" || m.op === "read" || m.op === "refresh") continue;
        const application = applicationOfStep(e);
        if (!application || !m.type.startsWith("kubernetes:") || m.type.startsWith("pulumi:providers")) continue;
        const name = m.urn.split("::").pop() ?? "";
        const resource = describeId(name);
        changes.push({ application, stage: stageOf.get(`${application}|${resource}`) ?? "Sync wave 0", resource, op: m.op, diffs: m.diffs ?? [] });
    }
    const policyViolations = events
        .filter((e) => e.policyEvent)
        .map((e) => ({
            policy: e.policyEvent!.policyName,
            level: e.policyEvent!.enforcementLevel,
            message: e.policyEvent!.message,
            resource: e.policyEvent!.resourceUrn,
        }));
    return { revisions: revisionsFrom(events), changes, policyViolations, events };
}

export function formatDiff(result: DiffResult): string {
    const lines: string[] = [];
    const apps = new Set([...result.revisions.map((r) => r.application), ...result.changes.map((c) => c.application)]);
    for (const app of [...apps].sort()) {
        const rev = result.revisions.find((r) => r.application === app);
        lines.push(`application ${bold(app)}${rev ? `  ${rev.repoURL}@${rev.targetRevision} = ${rev.commit.slice(0, 12)}` : ""}`);
        const mine = result.changes.filter((c) => c.application === app);
        if (mine.length === 0) lines.push("  in sync: no changes");
        let stage = "";
        for (const c of mine) {
            if (c.stage !== stage) {
                stage = c.stage;
                lines.push(`  ${stage}`);
            }
            lines.push(`    ${opColour(c.op)((SYMBOL[c.op] ?? c.op).padEnd(2))} ${c.resource}${c.diffs.length ? `  [${c.diffs.join(", ")}]` : ""}`);
        }
    }
    for (const v of result.policyViolations) lines.push(`${(v.level === "mandatory" ? red : yellow)("policy")} ${v.policy} (${v.level}): ${v.message}`);
    for (const e of result.events.filter((x) => x.diagnosticEvent?.severity === "error")) {
        lines.push(`error: ${e.diagnosticEvent!.message.trim().split("\n").slice(0, 6).join("\n       ")}`);
    }
    return lines.join("\n");
}
