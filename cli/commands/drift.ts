// `syncwave drift`: every managed object's live state, read straight from the API server, compared
// with what the last sync applied (the state's inputs), and every drifted field classified: ignored,
// owned by another controller, or unauthorised. Nothing is written: no refresh, no update.
import { resolve } from "node:path";
import { getJSON, type ObjectRef } from "../../components/cluster/kube-http";
import { httpsConfigOf, type HttpsConfig } from "../../components/cluster/https-config";
import { resolveKubeconfig } from "../../components/cluster/connection-ref";
import { apiGroup } from "../../components/sync/manifest";
import { ignoredPaths, ignoreRuleMatches, prepareIgnoreDifferences } from "../../components/sync/ignore-differences";
import type { StackOptions } from "../stack";
import { classifyField, driftedSegmentsOf, type DriftedField, type LiveObjectWithFields } from "./drift-classify";
import { appRecords, plainValues, projectTrustedManagers, readState, recordCluster, type AppRecord, type StateResource } from "./state";
import { readLiveObjects, refKey } from "../../components/cluster/live-objects";
import { timings } from "../timings";
import { bold, paint } from "../format/colors";
import { applicationOfUrn } from "../application-urn";

export interface DriftReport {
    application: string;
    fields: DriftedField[];
}

/** A managed object of the state: what git declared for it at the last sync, and where it lives. */
export interface DesiredObject {
    application: string;
    urn: string;
    ref: ObjectRef;
    desired: Record<string, unknown>;
}

/** The desired manifest as git declared it (the state's inputs), without the provider's bookkeeping; secrets unread. */
function desiredOf(inputs: Record<string, unknown>): Record<string, unknown> {
    const { metadata, ...rest } = plainValues(inputs) as { metadata?: { labels?: unknown; annotations?: Record<string, string> } };
    // The provider's own bookkeeping annotations are not part of what git declares.
    const annotations = Object.fromEntries(Object.entries(metadata?.annotations ?? {}).filter(([k]) => !k.startsWith("pulumi.com/")));
    return { ...rest, metadata: { labels: metadata?.labels, annotations } };
}

/** Every object the stack's Applications manage, with its desired manifest. */
export function desiredObjects(state: readonly StateResource[]): DesiredObject[] {
    return state
        .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers") && applicationOfUrn(r.parent) !== undefined && r.inputs)
        .map((r) => {
            const inputs = r.inputs as { apiVersion: string; kind: string; metadata?: { name: string; namespace?: string } };
            const outputs = (r.outputs ?? {}) as { metadata?: { name?: string; namespace?: string } };
            const ref = {
                apiVersion: inputs.apiVersion,
                kind: inputs.kind,
                namespace: outputs.metadata?.namespace ?? inputs.metadata?.namespace,
                name: outputs.metadata?.name ?? inputs.metadata?.name ?? "",
            };
            return { application: applicationOfUrn(r.parent)!, urn: r.urn, ref, desired: desiredOf(r.inputs!) };
        });
}

/** A drifted field, with the object it belongs to (so a repair can target it). */
export interface LocatedDrift extends DriftedField {
    urn: string;
}

/** `state`: the stack's exported state when the caller has read it already. */
export async function drift(options: StackOptions, state?: readonly StateResource[]): Promise<DriftReport[]> {
    return (await locatedDrift(options, state)).map((r) => ({ application: r.application, fields: r.fields.map(({ urn: _urn, ...f }) => f) }));
}

export async function locatedDrift(options: StackOptions, state?: readonly StateResource[]): Promise<{ application: string; fields: LocatedDrift[] }[]> {
    state ??= readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env);
    const records = appRecords(state);
    const trusted = projectTrustedManagers(state);
    // Every rule is valid (a bad jq expression names its application and field) and jq is loaded.
    for (const r of records) await prepareIgnoreDifferences(r.application, r.ignoreDifferences ?? []);
    const objects = desiredObjects(state);
    const reports = new Map<string, LocatedDrift[]>(records.map((r) => [r.application, []]));
    // One connection and one read per cluster, shared by its Applications.
    const byCluster = new Map<string, { kubeconfig: string; objects: DesiredObject[] }>();
    const recordOf = new Map(records.map((r) => [r.application, r]));
    for (const o of objects) {
        const record = recordOf.get(o.application);
        if (!record) continue;
        const cluster = recordCluster(record);
        const key = JSON.stringify(cluster);
        const entry = byCluster.get(key) ?? { kubeconfig: resolveKubeconfig({ cluster }), objects: [] };
        entry.objects.push(o);
        byCluster.set(key, entry);
    }
    for (const { kubeconfig, objects: members } of byCluster.values()) {
        const kc = await httpsConfigOf(kubeconfig);
        const live = await timings.span("live objects read", () => readLiveObjects(kc, members.map((m) => m.ref)));
        const autoscaled = autoscaledWorkloads(kc);
        for (const o of members) {
            const record = recordOf.get(o.application)!;
            const object = live.get(refKey(o.ref)) as LiveObjectWithFields | undefined;
            const fields = object ? await classify(o, object, record, trusted, autoscaled) : [missing(o)];
            reports.get(o.application)!.push(...fields);
        }
    }
    return records.map((r) => ({ application: r.application, fields: reports.get(r.application) ?? [] }));
}

function missing(o: DesiredObject): LocatedDrift {
    const { kind, namespace, name } = o.ref;
    return { urn: o.urn, resource: `${kind} ${namespace ? `${namespace}/` : ""}${name}`, path: "(object)", class: "unauthorised", reason: "deleted outside git" };
}

async function classify(
    o: DesiredObject,
    live: LiveObjectWithFields,
    record: AppRecord,
    trusted: Record<string, string[]>,
    autoscaled: (namespace: string) => Promise<Set<string>>,
): Promise<LocatedDrift[]> {
    // Only what the manifest sets counts; the provider's own keys (`__...`) are not git's.
    const paths = driftedSegmentsOf(o.desired, live).filter((p) => !String(p[0]).startsWith("__"));
    if (paths.length === 0) return [];
    const ref = o.ref;
    const resource = { group: apiGroup(ref.apiVersion), kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name };
    const rules = record.ignoreDifferences ?? [];
    const owners = {
        // Argo CD removes the ignored paths from both the live object and the desired manifest.
        ignored: ignoredPaths(record.application, rules, resource, [live, o.desired]),
        managedFieldsManagers: rules.filter((r) => ignoreRuleMatches(r, resource)).flatMap((r) => r.managedFieldsManagers ?? []),
        trustedManagers: trusted[record.project] ?? [],
        // An autoscaler that targets this workload owns its replicas, whoever wrote them last.
        autoscaled: ref.namespace ? (await autoscaled(ref.namespace)).has(`${ref.kind}/${ref.name}`) : false,
    };
    return paths.map((p) => ({ urn: o.urn, ...classifyField(resource, live, p, owners) }));
}

/** The workloads an autoscaler targets, per namespace, each namespace listed once. */
function autoscaledWorkloads(kc: HttpsConfig): (namespace: string) => Promise<Set<string>> {
    const seen = new Map<string, Promise<Set<string>>>();
    return (namespace) => {
        let targets = seen.get(namespace);
        if (!targets) {
            targets = getJSON<{ items: { spec: { scaleTargetRef: { kind: string; name: string } } }[] }>(
                kc,
                `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
            )
                .then((list) => new Set((list?.items ?? []).map((h) => `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`)))
                .catch(() => new Set<string>());
            seen.set(namespace, targets);
        }
        return targets;
    };
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
