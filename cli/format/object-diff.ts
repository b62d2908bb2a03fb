// A changed object as a reviewer reads it: a unified diff of the live object (as the preview refreshed
// it) against what the sync would make of it (the provider's server-side dry run of the rendered
// manifest), both as YAML with keys sorted, without what no person changes (managed fields, status,
// resource versions, the provider's own bookkeeping). A Secret's values never appear: its keys are
// listed with whether each is added, removed, changed or unchanged.
import { structuredPatch } from "diff";
import { stringify } from "yaml";

type Obj = Record<string, unknown>;

/** Metadata the API server or the provider writes: never a change a person made or a review decides. */
const SERVER_METADATA = ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"];
/** Annotations that restate the object or count rollouts: noise in a review. */
const NOISY_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"];

const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** A value Pulumi keeps encrypted (`{"4dabf...": ..., "ciphertext": ...}`): neither its keys nor its content can be shown. */
function isWrappedSecret(value: unknown): boolean {
    return Boolean(value) && typeof value === "object" && SECRET_SIGNATURE in (value as Obj);
}

/**
 * The live object cut to the fields the Application declares, in the last sync or in this one: what
 * the API server defaults (a Deployment's strategy, a container's terminationMessagePath) is no
 * change anyone reviews, while a declared field's live value (drifted or not) and a field git drops
 * are. Lists are followed item by item; live items beyond the declared ones are someone else's
 * (server-side apply leaves them), so they are left out like undeclared keys.
 */
export function projectOnto(live: unknown, shape: unknown): unknown {
    if (isWrappedSecret(live) || isWrappedSecret(shape)) return live;
    if (Array.isArray(live) && Array.isArray(shape)) return live.slice(0, shape.length).map((item, i) => projectOnto(item, shape[i]));
    if (live && shape && typeof live === "object" && typeof shape === "object" && !Array.isArray(live) && !Array.isArray(shape)) {
        return Object.fromEntries(Object.keys(shape as Obj).filter((k) => k in (live as Obj)).map((k) => [k, projectOnto((live as Obj)[k], (shape as Obj)[k])]));
    }
    return live;
}

/** The union of two declarations' fields (values from the second where both have one). */
export function mergedShape(a: unknown, b: unknown): unknown {
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b) && !isWrappedSecret(a) && !isWrappedSecret(b)) {
        const keys = new Set([...Object.keys(a as Obj), ...Object.keys(b as Obj)]);
        return Object.fromEntries([...keys].map((k) => [k, k in (b as Obj) ? ((k in (a as Obj) ? mergedShape((a as Obj)[k], (b as Obj)[k]) : (b as Obj)[k])) : (a as Obj)[k]]));
    }
    if (Array.isArray(a) && Array.isArray(b)) return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (i < a.length && i < b.length ? mergedShape(a[i], b[i]) : (b[i] ?? a[i])));
    return b ?? a;
}

/** The object as a review compares it; undefined stays undefined (an object created or deleted). */
export function comparable(object: Obj | undefined): Obj | undefined {
    if (!object) return undefined;
    const copy = structuredClone(object);
    for (const key of Object.keys(copy)) if (key.startsWith("__")) delete copy[key];
    delete copy.status;
    const metadata = copy.metadata as Obj | undefined;
    if (metadata) {
        for (const key of SERVER_METADATA) delete metadata[key];
        const annotations = metadata.annotations as Record<string, string> | undefined;
        if (annotations) {
            // The provider's control annotations (pulumi.com/skipAwait, patchForce) are SyncWave's plumbing, not git's.
            for (const key of Object.keys(annotations)) if (NOISY_ANNOTATIONS.includes(key) || key.startsWith("pulumi.com/")) delete annotations[key];
            if (Object.keys(annotations).length === 0) delete metadata.annotations;
        }
    }
    return copy;
}

export function isSecret(object: Obj | undefined): boolean {
    return object?.kind === "Secret" && object?.apiVersion === "v1";
}

export type SecretKeyChange = "added" | "removed" | "changed" | "unchanged";

/**
 * A Secret's keys (data and stringData) and what happens to each. `changedPaths` are the paths the
 * engine reports as different ("data.password"): values shown as "[secret]" cannot be compared here.
 */
export function secretKeyChanges(live: Obj | undefined, desired: Obj | undefined, changedPaths: readonly string[]): Record<string, SecretKeyChange> {
    const keysOf = (o: Obj | undefined) =>
        new Map<string, unknown>(
            (["data", "stringData"] as const).flatMap((field): [string, unknown][] =>
                // An encrypted field counts as one value, under its own name.
                isWrappedSecret(o?.[field]) ? [[field, "[secret]"]] : Object.entries((o?.[field] as Obj | undefined) ?? {}).map(([k, v]): [string, unknown] => [`${field}.${k}`, v]),
            ),
        );
    const before = keysOf(live);
    const after = keysOf(desired);
    const result: Record<string, SecretKeyChange> = {};
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        if (!before.has(key)) result[key] = "added";
        else if (!after.has(key)) result[key] = "removed";
        else {
            const reported = changedPaths.some((p) => p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`) || p === key.split(".")[0]);
            const comparableValues = before.get(key) !== "[secret]" && after.get(key) !== "[secret]";
            result[key] = (comparableValues ? JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)) : reported) ? "changed" : "unchanged";
        }
    }
    return result;
}

/** A Secret with every value replaced by what happens to it: safe to print, still diffable. */
function masked(object: Obj | undefined, changes: Record<string, SecretKeyChange>, side: "live" | "desired", changedKeys: readonly string[]): Obj | undefined {
    if (!object) return undefined;
    const copy = structuredClone(object);
    for (const field of ["data", "stringData"] as const) {
        const values = copy[field] as Obj | undefined;
        if (!values) continue;
        if (isWrappedSecret(values)) {
            // Encrypted as a whole: the engine names the keys that changed ("data.password"), nothing more.
            const keys = changedKeys.filter((p) => p.startsWith(`${field}.`)).map((p) => p.slice(field.length + 1)).sort();
            copy[field] = changes[field] === "changed" ? `(hidden, ${side === "live" ? "old" : "new"} values${keys.length ? ` of ${keys.join(", ")}` : ""})` : "(hidden)";
            continue;
        }
        for (const key of Object.keys(values)) {
            const change = changes[`${field}.${key}`];
            values[key] = change === "changed" ? `(hidden, ${side === "live" ? "old" : "new"} value)` : "(hidden)";
        }
    }
    return copy;
}

const yamlOf = (o: Obj | undefined) => (o ? stringify(o, { sortMapEntries: true, lineWidth: 0 }) : "");

/**
 * The unified diff of two objects (hunks with `context` lines around each change), live first; no
 * lines when they are equal as a review compares them.
 */
export function objectDiff(live: Obj | undefined, desired: Obj | undefined, changedPaths: readonly string[] = [], context = 3): string[] {
    let before = comparable(live);
    let after = comparable(desired);
    if (isSecret(before) || isSecret(after)) {
        const changes = secretKeyChanges(before, after, changedPaths);
        before = masked(before, changes, "live", changedPaths);
        after = masked(after, changes, "desired", changedPaths);
    }
    const patch = structuredPatch("live", "desired", yamlOf(before), yamlOf(after), "", "", { context });
    return patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith("\\"))]);
}
