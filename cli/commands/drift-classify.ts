// Classifying drift, pure: each drifted field of a live object is ignored (an ignoreDifferences rule
// covers it), owned by another controller (an HPA's replicas, a webhook's injection: whoever last set
// the field per managedFields is a controller), or unauthorised (a person with kubectl edit, patch,
// apply, scale or replace).

export type DriftClass = "ignored" | "owned" | "unauthorised";

export interface DriftedField {
    resource: string;
    path: string;
    class: DriftClass;
    manager?: string;
    reason: string;
}

export interface IgnoreRule {
    group?: string;
    kind: string;
    name?: string;
    namespace?: string;
    jsonPointers?: string[];
    managedFieldsManagers?: string[];
}

interface ManagedFieldsEntry {
    manager?: string;
    operation?: string;
    time?: string;
    fieldsV1?: Record<string, unknown>;
}

export interface LiveObjectWithFields {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; managedFields?: ManagedFieldsEntry[] };
    [key: string]: unknown;
}

/** Managers that are people at a terminal, not controllers. */
const HUMAN_MANAGERS = /^kubectl(-.*)?$|^k9s$|^Lens$|^helm$/;
/** SyncWave's own writes (the Kubernetes provider's field manager). */
const OWN_MANAGERS = /^pulumi-kubernetes/;

/** "spec.template.spec.containers[0].image" → ["spec","template","spec","containers",0,"image"]. */
export function splitPath(path: string): (string | number)[] {
    const parts: (string | number)[] = [];
    for (const m of path.matchAll(/([^.[\]"]+)|\[(\d+)\]|\["([^"]+)"\]/g)) {
        if (m[2] !== undefined) parts.push(Number(m[2]));
        else parts.push(m[1] ?? m[3]);
    }
    return parts;
}

function pointerToPath(pointer: string): string {
    return pointer
        .slice(1)
        .split("/")
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
        .join("")
        .replace(/^\./, "");
}

/** Whether a fieldsV1 tree of one manager covers the path, walking the live object alongside. */
function managesPath(fields: Record<string, unknown> | undefined, live: unknown, path: (string | number)[]): boolean {
    let node = fields;
    let value = live;
    for (const segment of path) {
        if (!node) return false;
        if (typeof segment === "number") {
            const element = Array.isArray(value) ? value[segment] : undefined;
            const key = Object.keys(node).find((k) => {
                if (k === `i:${segment}`) return true;
                if (!k.startsWith("k:") || !element || typeof element !== "object") return false;
                const keyFields = JSON.parse(k.slice(2)) as Record<string, unknown>;
                return Object.entries(keyFields).every(([f, v]) => (element as Record<string, unknown>)[f] === v);
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

/** The manager that owns a field now: the latest writer among those whose fields cover it. */
export function fieldManager(live: LiveObjectWithFields, path: string): string | undefined {
    const segments = splitPath(path);
    const owners = (live.metadata.managedFields ?? []).filter((e) => managesPath(e.fieldsV1, live, segments));
    owners.sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""));
    return owners.pop()?.manager;
}

export function classifyField(
    resource: { group: string; kind: string; namespace?: string; name: string },
    live: LiveObjectWithFields,
    path: string,
    rules: readonly IgnoreRule[],
    ownedByControllers: ReadonlySet<string>,
): DriftedField {
    const label = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
    const manager = fieldManager(live, path);
    const matching = rules.filter(
        (r) =>
            (r.group ?? "") === resource.group &&
            r.kind === resource.kind &&
            (r.name === undefined || r.name === resource.name) &&
            (r.namespace === undefined || r.namespace === resource.namespace),
    );
    for (const rule of matching) {
        const pointer = (rule.jsonPointers ?? []).find((p) => path === pointerToPath(p) || path.startsWith(`${pointerToPath(p)}.`) || path.startsWith(`${pointerToPath(p)}[`));
        if (pointer) return { resource: label, path, class: "ignored", manager, reason: `ignoreDifferences ${pointer}` };
        if (manager && (rule.managedFieldsManagers ?? []).includes(manager)) {
            return { resource: label, path, class: "ignored", manager, reason: `ignoreDifferences managedFieldsManagers ${manager}` };
        }
    }
    if (ownedByControllers.has(path)) return { resource: label, path, class: "owned", manager, reason: "a controller of the application owns this field (an autoscaler's replicas)" };
    if (manager && !HUMAN_MANAGERS.test(manager) && !OWN_MANAGERS.test(manager)) {
        return { resource: label, path, class: "owned", manager, reason: `last set by controller ${manager}` };
    }
    return {
        resource: label,
        path,
        class: "unauthorised",
        manager,
        reason: manager ? `changed by ${manager} outside git` : "changed outside git by an unknown writer",
    };
}

/**
 * Fields where the live object differs from the desired manifest, as Argo CD compares: only what the
 * manifest sets counts (defaults and status filled in by the cluster are not drift).
 */
export function driftedPathsOf(desired: unknown, live: unknown, prefix = ""): string[] {
    if (desired === undefined) return [];
    if (desired === null || typeof desired !== "object") {
        return JSON.stringify(desired) === JSON.stringify(live) ? [] : [prefix];
    }
    if (Array.isArray(desired)) {
        if (!Array.isArray(live)) return [prefix];
        return desired.flatMap((d, i) => driftedPathsOf(d, live[i], `${prefix}[${i}]`));
    }
    const liveObject = live && typeof live === "object" && !Array.isArray(live) ? (live as Record<string, unknown>) : {};
    return Object.entries(desired as Record<string, unknown>).flatMap(([k, v]) => {
        const key = /^[A-Za-z_$][\w$]*$/.test(k) ? (prefix ? `${prefix}.${k}` : k) : `${prefix}[${JSON.stringify(k)}]`;
        return driftedPathsOf(v, liveObject[k], key);
    });
}
