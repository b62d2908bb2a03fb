// `syncwave drift`: a refresh in preview-only mode (nothing is written to the state), then every
// drifted field classified: ignored, owned by another controller, or unauthorised.
import { resolve } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { connect, getJSON, readObject } from "../../components/providers/kube-client";
import { apiGroup } from "../../components/sync/manifest";
import { applicationOfStep, openStack, type StackOptions } from "../stack";
import { classifyField, driftedPathsOf, type DriftedField, type LiveObjectWithFields } from "./drift-classify";
import { appRecords, readState, recordCluster, type AppRecord } from "./state";
import { bold, paint } from "../format/colors";

export interface DriftReport {
    application: string;
    fields: DriftedField[];
}

/** The fields of the desired manifest (the step's inputs) that the live object (the refreshed outputs) no longer matches. */
function driftedPaths(e: EngineEvent): string[] {
    const m = e.resOutputsEvent?.metadata;
    if (!m?.old?.inputs || !m.new?.outputs) return [];
    const { metadata, ...rest } = m.old.inputs as { metadata?: { labels?: unknown; annotations?: Record<string, string> } };
    // The provider's own bookkeeping annotations are not part of what git declares.
    const annotations = Object.fromEntries(Object.entries(metadata?.annotations ?? {}).filter(([k]) => !k.startsWith("pulumi.com/")));
    const desired = { ...rest, metadata: { labels: metadata?.labels, annotations } };
    return driftedPathsOf(desired, m.new.outputs).filter((p) => !p.startsWith("__"));
}

/** `records`: the stack's ApplicationRecords when the caller has read them already. */
export async function drift(options: StackOptions, records?: readonly AppRecord[]): Promise<DriftReport[]> {
    records ??= appRecords(readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env));
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
        const paths = driftedPaths(e);
        if (paths.length === 0) continue;
        const state = (m.old?.inputs ?? m.old?.outputs ?? {}) as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
        const ref = { apiVersion: state.apiVersion, kind: state.kind, namespace: state.metadata?.namespace, name: state.metadata?.name };
        const conn = connect({ cluster: recordCluster(record) });
        const live = (await readObject(conn.kc, ref)) as LiveObjectWithFields | undefined;
        if (!live) {
            reports.set(application, [...(reports.get(application) ?? []), { resource: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`, path: "(object)", class: "unauthorised", reason: "deleted outside git" }]);
            continue;
        }
        const owned = new Set<string>();
        // An autoscaler that targets this workload owns its replicas, whoever wrote them last.
        if (ref.namespace) {
            const hpas = await getJSON<{ items: { spec: { scaleTargetRef: { kind: string; name: string } } }[] }>(
                conn.kc,
                `/apis/autoscaling/v2/namespaces/${ref.namespace}/horizontalpodautoscalers`,
            ).catch(() => undefined);
            if (hpas?.items.some((h) => h.spec.scaleTargetRef.kind === ref.kind && h.spec.scaleTargetRef.name === ref.name)) owned.add("spec.replicas");
        }
        const resource = { group: apiGroup(ref.apiVersion), kind: ref.kind, namespace: ref.namespace, name: ref.name };
        const fields = paths.map((p) => classifyField(resource, live, p, record.ignoreDifferences ?? [], owned));
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
