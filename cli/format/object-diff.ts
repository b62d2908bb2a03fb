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
            for (const key of NOISY_ANNOTATIONS) delete annotations[key];
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
        new Map(
            (["data", "stringData"] as const).flatMap((field) => Object.entries((o?.[field] as Obj | undefined) ?? {}).map(([k, v]) => [`${field}.${k}`, v] as const)),
        );
    const before = keysOf(live);
    const after = keysOf(desired);
    const result: Record<string, SecretKeyChange> = {};
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        if (!before.has(key)) result[key] = "added";
        else if (!after.has(key)) result[key] = "removed";
        else {
            const reported = changedPaths.some((p) => p === key || p.startsWith(`${key}.`) || p === key.split(".")[0]);
            const comparableValues = before.get(key) !== "[secret]" && after.get(key) !== "[secret]";
            result[key] = (comparableValues ? JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)) : reported) ? "changed" : "unchanged";
        }
    }
    return result;
}

/** A Secret with every value replaced by what happens to it: safe to print, still diffable. */
function masked(object: Obj | undefined, changes: Record<string, SecretKeyChange>, side: "live" | "desired"): Obj | undefined {
    if (!object) return undefined;
    const copy = structuredClone(object);
    for (const field of ["data", "stringData"] as const) {
        const values = copy[field] as Obj | undefined;
        if (!values) continue;
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
        before = masked(before, changes, "live");
        after = masked(after, changes, "desired");
    }
    const patch = structuredPatch("live", "desired", yamlOf(before), yamlOf(after), "", "", { context });
    return patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith("\\"))]);
}
