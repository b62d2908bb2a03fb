// What a killed update's unfinished creates become before the next update. Pure: the caller reads the
// live objects and writes the state.
//
// The engine writes a "creating" operation before it asks a provider to create, and removes it when the
// provider answers. A run killed in between leaves the operation, and Pulumi keeps it in every later
// snapshot until a person decides (pkg/backend/snapshot.go, "we don't want to clear pending CREATE
// operations because these must require user intervention"): every later update warns, and the object
// the killed create made is not in the state. `pulumi refresh --import-pending-creates URN ID` is the
// documented way out, but in 3.259 the refresh drops the operation it turned into an import instead of
// reading it (pkg/cmd/pulumi/operations/refresh.go rewrites it to "importing"; no step of the refresh
// reads it back), so SyncWave makes the decision itself, from what the cluster holds:
//   - a Kubernetes object that exists live carrying the tracking annotations the killed run applied is
//     the killed create's: it goes into the state as the provider would have recorded it (same object,
//     same field manager), and the update compares it with git like any other;
//   - a Kubernetes object that is absent, or exists but is not tracked as this Application's, was not
//     created by that run: the operation is dropped and the update creates it (or refuses it, under the
//     same ownership rules as any object that exists untracked);
//   - SyncWave's own resources (gates, hooks, the pruner, the record) hold nothing that a second create
//     would duplicate: a gate waits again, a hook finds the run the killed sync started by its labels
//     and waits for it (hook-runtime.ts), the pruner and the record are recomputed.
import { INSTALLATION_ID, TRACKING_ID } from "../../components/sync/tracking";

/** A resource as `pulumi stack export` writes it (only the fields read here are named). */
export interface ExportedResource {
    urn: string;
    type: string;
    custom?: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    [field: string]: unknown;
}

export interface ExportedOperation {
    type: string;
    resource: ExportedResource;
}

export interface ExportedDeployment {
    resources?: ExportedResource[];
    pending_operations?: ExportedOperation[];
    [field: string]: unknown;
}

export interface LiveObjectLike {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; managedFields?: { manager?: string; operation?: string; time?: string }[] };
    [field: string]: unknown;
}

export interface KubernetesTarget {
    urn: string;
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
}

export type PendingCreateOutcome =
    | { urn: string; action: "imported"; object: string }
    | { urn: string; action: "created again"; object: string; reason: string }
    | { urn: string; action: "runs again"; resource: string }
    | { urn: string; action: "replaced again"; resource: string };

/** A Kubernetes object's resource type (not a provider, not one of SyncWave's own). */
export function isKubernetesObject(type: string): boolean {
    return type.startsWith("kubernetes:") && !type.startsWith("pulumi:providers:");
}

/** The object a pending create of a Kubernetes resource was creating, from the inputs it recorded. */
export function targetOf(op: ExportedOperation): KubernetesTarget | undefined {
    if (op.type !== "creating" || !isKubernetesObject(op.resource.type)) return undefined;
    const inputs = (op.resource.inputs ?? {}) as LiveObjectLike;
    const name = inputs.metadata?.name;
    if (typeof name !== "string" || !name || typeof inputs.apiVersion !== "string" || typeof inputs.kind !== "string") return undefined;
    const namespace = typeof inputs.metadata?.namespace === "string" && inputs.metadata.namespace ? inputs.metadata.namespace : undefined;
    return { urn: op.resource.urn, apiVersion: inputs.apiVersion, kind: inputs.kind, namespace, name };
}

export function describeTarget(t: Pick<KubernetesTarget, "kind" | "namespace" | "name">): string {
    return `${t.kind} ${t.namespace ? `${t.namespace}/` : ""}${t.name}`;
}

/** The provider's field manager of the killed create: the latest server-side apply by a `pulumi-kubernetes-*` manager. */
export function killedCreateFieldManager(live: LiveObjectLike): string | undefined {
    const applies = (live.metadata?.managedFields ?? [])
        .filter((f) => typeof f.manager === "string" && f.manager.startsWith("pulumi-kubernetes") && f.operation === "Apply")
        .sort((a, b) => String(b.time ?? "").localeCompare(String(a.time ?? "")));
    return applies[0]?.manager;
}

/** Whether the live object carries the tracking the killed create applied: then that create made (or kept) it. */
export function trackedAsApplied(live: LiveObjectLike, inputs: LiveObjectLike): boolean {
    const want = inputs.metadata?.annotations ?? {};
    const have = live.metadata?.annotations ?? {};
    return Boolean(want[TRACKING_ID]) && want[TRACKING_ID] === have[TRACKING_ID] && want[INSTALLATION_ID] === have[INSTALLATION_ID];
}

/**
 * The state entry the provider would have written had the create returned: the live object, with the
 * provider's bookkeeping (`__inputs`, `__initialApiVersion`, `__fieldManager`). A Secret's values stay
 * out (the state must not hold them in plain text): the update's refresh reads them back as secrets.
 */
export function importedResource(op: ExportedOperation, live: LiveObjectLike, fieldManager: string | undefined, target: KubernetesTarget, now: string): ExportedResource {
    const outputs: Record<string, unknown> = { ...live };
    if (target.kind === "Secret" && target.apiVersion === "v1") {
        delete outputs.data;
        delete outputs.stringData;
    }
    outputs.__inputs = op.resource.inputs ?? {};
    outputs.__initialApiVersion = target.apiVersion;
    if (fieldManager) outputs.__fieldManager = fieldManager;
    const id = target.namespace ? `${target.namespace}/${target.name}` : target.name;
    return { ...op.resource, custom: true, id, outputs, created: now, modified: now };
}

/**
 * The deployment after the decisions: every pending create settled (imported or dropped), other
 * pending operations dropped as Pulumi's next update drops them, imported resources placed after
 * what they refer to (parent, provider, dependencies) and before what refers to them.
 * `live` answers for each Kubernetes target: the object, or undefined when absent.
 */
export function settlePendingCreates(
    deployment: ExportedDeployment,
    live: ReadonlyMap<string, LiveObjectLike | undefined>,
    now: string,
): { deployment: ExportedDeployment; outcomes: PendingCreateOutcome[] } {
    const outcomes: PendingCreateOutcome[] = [];
    const imported: ExportedResource[] = [];
    const inState = new Set((deployment.resources ?? []).map((r) => r.urn));
    for (const op of deployment.pending_operations ?? []) {
        if (op.type !== "creating") continue;
        const target = targetOf(op);
        if (inState.has(op.resource.urn)) {
            // The create of a replacement: the state still holds the object it replaces.
            outcomes.push({ urn: op.resource.urn, action: "replaced again", resource: target ? describeTarget(target) : `${op.resource.urn.split("::").pop()} (${op.resource.type})` });
            continue;
        }
        if (!target) {
            outcomes.push({ urn: op.resource.urn, action: "runs again", resource: `${op.resource.urn.split("::").pop()} (${op.resource.type})` });
            continue;
        }
        const object = describeTarget(target);
        const found = live.get(target.urn);
        if (!found) {
            outcomes.push({ urn: target.urn, action: "created again", object, reason: "the killed run had not created it" });
        } else if (!trackedAsApplied(found, (op.resource.inputs ?? {}) as LiveObjectLike)) {
            outcomes.push({ urn: target.urn, action: "created again", object, reason: "it exists but is not tracked as this Application's, so the ownership rules decide as for any existing object" });
        } else {
            imported.push(importedResource(op, found, killedCreateFieldManager(found), target, now));
            inState.add(target.urn);
            outcomes.push({ urn: target.urn, action: "imported", object });
        }
    }
    const settled: ExportedDeployment = { ...deployment, resources: imported.reduce(insertInOrder, [...(deployment.resources ?? [])]) };
    delete settled.pending_operations;
    return { deployment: settled, outcomes };
}

/** The URNs a resource refers to: the state lists each after all of these. */
function referencesOf(r: ExportedResource): string[] {
    const propertyDependencies = Object.values((r.propertyDependencies as Record<string, string[]> | undefined) ?? {}).flat();
    const provider = r.provider ? [r.provider.slice(0, r.provider.lastIndexOf("::"))] : [];
    return [r.parent, ...provider, ...((r.dependencies as string[] | undefined) ?? []), ...propertyDependencies, r.deletedWith as string | undefined].filter((u): u is string => Boolean(u));
}

/**
 * Puts a resource into the state's order: after everything it refers to, before anything that refers
 * to it (a gate or a later wave recorded by an earlier sync may). Refuses when no place satisfies both.
 */
export function insertInOrder(resources: ExportedResource[], resource: ExportedResource): ExportedResource[] {
    const references = new Set(referencesOf(resource));
    const after = resources.reduce((last, r, i) => (references.has(r.urn) ? i : last), -1);
    const before = resources.findIndex((r) => referencesOf(r).includes(resource.urn));
    if (before !== -1 && before <= after) {
        throw new Error(`${resource.urn} cannot be put back into the state: ${resources[before].urn} refers to it but comes before ${resources[after].urn}, which it refers to`);
    }
    const at = before === -1 ? resources.length : before;
    return [...resources.slice(0, at), resource, ...resources.slice(at)];
}

/** One line per decision, for the sync's progress. */
export function describeOutcome(o: PendingCreateOutcome): string {
    if (o.action === "imported") return `${o.object}: the killed run created it; taken into the state as it is live (not created again)`;
    if (o.action === "created again") return `${o.object}: ${o.reason}; this sync creates it`;
    if (o.action === "replaced again") return `${o.resource}: its replacement was under way; the state still holds it, and this sync applies it again`;
    return `${o.resource}: runs again in this sync`;
}
