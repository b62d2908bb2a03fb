// Classifying drift, pure, and failing closed: a drifted field of a live object is ignored (an
// ignoreDifferences rule covers it: jsonPointers, jqPathExpressions, or managedFieldsManagers naming
// every manager that wrote it), owned (an autoscaler that targets the workload owns spec.replicas; the
// Project's trustedManagers wrote it), or else unauthorised: a manager nobody declared, SyncWave's own
// manager holding a value git does not have, a field no manager owns (removed by hand, or written
// without managedFields), and an object without managedFields at all.
import type { IgnoredPath } from "../../components/sync/ignore-differences";
import { isUnder, toPropertyPath, type PathSegment } from "../../components/sync/json-pointer";

export type DriftClass = "ignored" | "owned" | "unauthorised";

export interface DriftedField {
    resource: string;
    path: string;
    class: DriftClass;
    /** The managers whose managedFields cover the field (the newest last), when any does. */
    manager?: string;
    reason: string;
}

interface ManagedFieldsEntry {
    manager?: string;
    operation?: string;
    time?: string;
    subresource?: string;
    fieldsV1?: Record<string, unknown>;
}

export interface LiveObjectWithFields {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; managedFields?: ManagedFieldsEntry[] };
    [key: string]: unknown;
}

/** SyncWave's own writes (the Kubernetes provider's field manager, `pulumi-kubernetes-<hash>`). */
const OWN_MANAGER = /^pulumi-kubernetes(-|$)/;

export function isOwnManager(manager: string): boolean {
    return OWN_MANAGER.test(manager);
}

/** Whether a fieldsV1 tree of one manager covers the path, walking the live object alongside. */
function managesPath(fields: Record<string, unknown> | undefined, live: unknown, path: readonly PathSegment[]): boolean {
    let node = fields;
    let value = live;
    for (const segment of path) {
        if (!node) return false;
        // A manager of a whole map or list (fieldsV1 `.` with nothing under it) owns what is inside.
        if (Object.keys(node).length === 0) return true;
        if (typeof segment === "number") {
            const element = Array.isArray(value) ? value[segment] : undefined;
            const key = Object.keys(node).find((k) => {
                if (k === `i:${segment}`) return true;
                if (k.startsWith("v:")) return JSON.stringify(JSON.parse(k.slice(2))) === JSON.stringify(element);
                if (!k.startsWith("k:") || !element || typeof element !== "object") return false;
                const keyFields = JSON.parse(k.slice(2)) as Record<string, unknown>;
                return Object.entries(keyFields).every(([f, v]) => JSON.stringify((element as Record<string, unknown>)[f]) === JSON.stringify(v));
            });
            if (!key) return false;
            node = node[key] as Record<string, unknown>;
            value = element;
        } else {
            const key = `f:${segment}`;
            if (!(key in node)) return false;
            node = node[key] as Record<string, unknown>;
            value = value && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
        }
    }
    return true;
}

/** Every manager whose managedFields cover the path, oldest write first. */
export function fieldManagers(live: LiveObjectWithFields, path: readonly PathSegment[]): string[] {
    const owners = (live.metadata.managedFields ?? []).filter((e) => (e.subresource ?? "") !== "status" && managesPath(e.fieldsV1, live, path));
    owners.sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""));
    return [...new Set(owners.map((e) => e.manager ?? "(unnamed manager)"))];
}

export interface FieldOwners {
    /** Paths ignoreDifferences removes from this object (jsonPointers and jqPathExpressions). */
    ignored: readonly IgnoredPath[];
    /** managedFieldsManagers of the ignoreDifferences rules that match this object. */
    managedFieldsManagers: readonly string[];
    /** The Project's trustedManagers. */
    trustedManagers: readonly string[];
    /** An autoscaler (HorizontalPodAutoscaler) targets this workload: it owns spec.replicas. */
    autoscaled: boolean;
}

export function classifyField(
    resource: { kind: string; namespace?: string; name: string },
    live: LiveObjectWithFields,
    path: readonly PathSegment[],
    owners: FieldOwners,
): DriftedField {
    const label = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
    const text = toPropertyPath(path);
    const field = (cls: DriftClass, reason: string, managers: string[] = []): DriftedField => ({
        resource: label,
        path: text,
        class: cls,
        ...(managers.length > 0 ? { manager: managers.join(", ") } : {}),
        reason,
    });
    const ignoredBy = owners.ignored.find((p) => isUnder(path, p.segments));
    if (ignoredBy) return field("ignored", ignoredBy.source);
    if (owners.autoscaled && isUnder(path, ["spec", "replicas"])) return field("owned", "an autoscaler targets this workload and owns its replicas");
    if (!live.metadata.managedFields || live.metadata.managedFields.length === 0) {
        return field("unauthorised", "the object has no managedFields: who changed it cannot be told");
    }
    const managers = fieldManagers(live, path);
    if (managers.length === 0) return field("unauthorised", "no field manager owns this field (removed by hand, or written without managedFields)");
    // SyncWave's own manager co-owning a field says nothing about who wrote the other value.
    const others = managers.filter((m) => !isOwnManager(m));
    if (others.length === 0) return field("unauthorised", `only SyncWave's manager owns this field, yet its value is not git's`, managers);
    const undeclared = others.filter((m) => !owners.managedFieldsManagers.includes(m) && !owners.trustedManagers.includes(m));
    if (undeclared.length > 0) return field("unauthorised", `changed by ${undeclared.join(", ")}, a manager no ignoreDifferences rule or Project trustedManagers declares`, others);
    if (others.every((m) => owners.managedFieldsManagers.includes(m))) return field("ignored", `ignoreDifferences managedFieldsManagers ${others.join(", ")}`, others);
    return field("owned", `written by ${others.join(", ")}, trusted by the Project`, others);
}

/**
 * Fields where the live object differs from the desired manifest, as Argo CD compares: only what the
 * manifest sets counts (defaults and status filled in by the cluster are not drift).
 */
export function driftedSegmentsOf(desired: unknown, live: unknown, prefix: PathSegment[] = []): PathSegment[][] {
    if (desired === undefined) return [];
    if (desired === null || typeof desired !== "object") {
        return JSON.stringify(desired) === JSON.stringify(live) ? [] : [prefix];
    }
    if (Array.isArray(desired)) {
        if (!Array.isArray(live)) return [prefix];
        return desired.flatMap((d, i) => driftedSegmentsOf(d, live[i], [...prefix, i]));
    }
    const liveObject = live && typeof live === "object" && !Array.isArray(live) ? (live as Record<string, unknown>) : {};
    return Object.entries(desired as Record<string, unknown>).flatMap(([k, v]) => driftedSegmentsOf(v, liveObject[k], [...prefix, k]));
}

/** The drifted fields as Pulumi-style property paths, for reports. */
export function driftedPathsOf(desired: unknown, live: unknown): string[] {
    return driftedSegmentsOf(desired, live).map((p) => toPropertyPath(p));
}
