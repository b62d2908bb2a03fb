// `syncwave drift`: a refresh in preview-only mode (nothing is written to the state), then every
// drifted field classified: ignored, owned by another controller, or unauthorised.
import { resolve } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { connect, getJSON, readObject } from "../../components/providers/kube-client";
import { apiGroup } from "../../components/sync/manifest";
import { applicationOfStep, openStack, type StackOptions } from "../stack";
import { ignoredPaths, ignoreRuleMatches, prepareIgnoreDifferences } from "../../components/sync/ignore-differences";
import type { PathSegment } from "../../components/sync/json-pointer";
import { classifyField, driftedSegmentsOf, type DriftedField, type LiveObjectWithFields } from "./drift-classify";
import { appRecords, projectTrustedManagers, readState, recordCluster, type StateResource } from "./state";
import { bold, paint } from "../format/colors";

export interface DriftReport {
    application: string;
    fields: DriftedField[];
}

/** The desired manifest as git declared it (the step's inputs), without the provider's bookkeeping. */
function desiredOf(e: EngineEvent): Record<string, unknown> | undefined {
    const m = e.resOutputsEvent?.metadata;
    if (!m?.old?.inputs) return undefined;
    const { metadata, ...rest } = m.old.inputs as { metadata?: { labels?: unknown; annotations?: Record<string, string> } };
    // The provider's own bookkeeping annotations are not part of what git declares.
    const annotations = Object.fromEntries(Object.entries(metadata?.annotations ?? {}).filter(([k]) => !k.startsWith("pulumi.com/")));
    return { ...rest, metadata: { labels: metadata?.labels, annotations } };
}

/** The fields of the desired manifest that the live object (the refreshed outputs) no longer matches. */
function driftedPaths(desired: Record<string, unknown>, e: EngineEvent): PathSegment[][] {
    const outputs = e.resOutputsEvent?.metadata.new?.outputs;
    if (!outputs) return [];
    return driftedSegmentsOf(desired, outputs).filter((p) => !String(p[0]).startsWith("__"));
}

/** `state`: the stack's exported state when the caller has read it already. */
export async function drift(options: StackOptions, state?: readonly StateResource[]): Promise<DriftReport[]> {
    state ??= readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env);
    const records = appRecords(state);
    const trusted = projectTrustedManagers(state);
    // Every rule is valid (a bad jq expression names its application and field) and jq is loaded.
    for (const r of records) await prepareIgnoreDifferences(r.application, r.ignoreDifferences ?? []);
    const stack = await openStack(options);
    const events: EngineEvent[] = [];
    await stack.refresh({ previewOnly: true, onEvent: (e) => events.push(e) });
    const reports = new Map<string, DriftedField[]>();
    for (const e of events) {
        // A refresh step's outputs event carries the object as read from the cluster now.
        const m = e.resOutputsEvent?.metadata;
        if (!m || !m.type.startsWith("kubernetes:") || m.type.startsWith("pulumi:providers")) continue;
        const application = applicationOfStep(e);
        const record = records.find((r) => r.application === application);
        if (!application || !record) continue;
        const desired = desiredOf(e);
        const paths = desired ? driftedPaths(desired, e) : [];
        if (!desired || paths.length === 0) continue;
        const state = (m.old?.inputs ?? m.old?.outputs ?? {}) as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
        const ref = { apiVersion: state.apiVersion, kind: state.kind, namespace: state.metadata?.namespace, name: state.metadata?.name };
        const conn = connect({ cluster: recordCluster(record) });
        const live = (await readObject(conn.kc, ref)) as LiveObjectWithFields | undefined;
        if (!live) {
            reports.set(application, [...(reports.get(application) ?? []), { resource: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`, path: "(object)", class: "unauthorised", reason: "deleted outside git" }]);
            continue;
        }
        let autoscaled = false;
        // An autoscaler that targets this workload owns its replicas, whoever wrote them last.
        if (ref.namespace) {
            const hpas = await getJSON<{ items: { spec: { scaleTargetRef: { kind: string; name: string } } }[] }>(
                conn.kc,
                `/apis/autoscaling/v2/namespaces/${ref.namespace}/horizontalpodautoscalers`,
            ).catch(() => undefined);
            if (hpas?.items.some((h) => h.spec.scaleTargetRef.kind === ref.kind && h.spec.scaleTargetRef.name === ref.name)) autoscaled = true;
        }
        const resource = { group: apiGroup(ref.apiVersion), kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name };
        const rules = record.ignoreDifferences ?? [];
        const owners = {
            // Argo CD removes the ignored paths from both the live object and the desired manifest.
            ignored: ignoredPaths(application, rules, resource, [live, desired]),
            managedFieldsManagers: rules.filter((r) => ignoreRuleMatches(r, resource)).flatMap((r) => r.managedFieldsManagers ?? []),
            trustedManagers: trusted[record.project] ?? [],
            autoscaled,
        };
        const fields = paths.map((p) => classifyField(resource, live, p, owners));
        reports.set(application, [...(reports.get(application) ?? []), ...fields]);
    }
    return records.map((r) => ({ application: r.application, fields: reports.get(r.application) ?? [] }));
}

export function formatDrift(reports: DriftReport[]): string {
    const lines: string[] = [];
    for (const r of reports) {
        const unauthorised = r.fields.filter((f) => f.class === "unauthorised").length;
        lines.push(`${bold(r.application)}: ${r.fields.length === 0 ? "no drift" : `${r.fields.length} drifted field(s), ${unauthorised} unauthorised`}`);
        for (const f of r.fields) lines.push(`  ${paint(f.class.padEnd(12))} ${f.resource} ${f.path}  (${f.reason})`);
    }
    return lines.join("\n");
}
