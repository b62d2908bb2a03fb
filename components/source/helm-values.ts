// Helm values as Argo CD layers them: the chart's values.yaml (read by helm template itself), then
// `valueFiles` in order, then `values` (or `valuesObject`); parameters come after (helm-options.ts).
// Value files are resolved inside the checkout before any is read.
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parseAllDocuments } from "yaml";
import { CheckoutPathError, resolveValueFile } from "./checkout-paths";

export interface ResolvedValueFile {
    /** As written in `source.helm.valueFiles`. */
    file: string;
    /** Its real path inside the checkout. */
    path: string;
}

/**
 * Resolves every value file (see resolveValueFile). A missing one is refused, as Argo CD does by
 * default, or left out with `ignoreMissing` (`helm.ignoreMissingValueFiles`); one that leaves the
 * checkout is refused either way. A file named twice is read once, at its first place (Argo CD's
 * getResolvedValueFiles `appendUnique`).
 */
export function resolveValueFiles(root: string, chartDir: string, files: readonly string[], options: { ignoreMissing?: boolean } = {}): ResolvedValueFile[] {
    const resolved: ResolvedValueFile[] = [];
    for (const file of files) {
        const path = resolveValueFile(root, chartDir, file);
        if (path === undefined) {
            if (options.ignoreMissing) continue;
            const hint = isAbsolute(file) ? " (an absolute value file is relative to the repository root)" : "";
            throw new CheckoutPathError(file, `value file does not exist in the checkout${hint}`);
        }
        if (!resolved.some((r) => r.path === path)) resolved.push({ file, path });
    }
    return resolved;
}

/** Helm's mergeMaps: maps merge key by key, anything else replaces. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        const b = out[k];
        out[k] =
            b && v && typeof b === "object" && typeof v === "object" && !Array.isArray(b) && !Array.isArray(v)
                ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
                : v;
    }
    return out;
}

/** A value file that is not a YAML map of values: Helm refuses it ("failed to parse"), and so does a sync, before rendering. */
export class ValuesFileError extends Error {
    constructor(
        message: string,
        readonly file: string,
    ) {
        super(message);
        this.name = "ValuesFileError";
    }
}

/** The first document of a value file (Helm reads no further), a map or nothing. */
function firstDocument(text: string, file: string): Record<string, unknown> {
    const first = parseAllDocuments(text)[0];
    if (first && first.errors.length > 0) throw new ValuesFileError(`value file ${file} is not valid YAML: ${first.errors[0].message.split("\n")[0]}`, file);
    const value = first?.toJS() as unknown;
    if (value === null || value === undefined) return {};
    if (typeof value !== "object" || Array.isArray(value)) throw new ValuesFileError(`value file ${file} is not a YAML map of values`, file);
    return value as Record<string, unknown>;
}

/** The values of `helm.values` written as YAML: a map, as Helm requires of a values file. */
export function valuesFromYaml(text: string): Record<string, unknown> {
    const docs = parseAllDocuments(text);
    const first = docs[0];
    if (first && first.errors.length > 0) throw new Error(`invalid YAML: ${first.errors[0].message.split("\n")[0]}`);
    const value = first?.toJS() as unknown;
    if (value === null || value === undefined) return {};
    if (typeof value !== "object" || Array.isArray(value)) throw new Error("is not a YAML map of values");
    return value as Record<string, unknown>;
}

/** The values passed to helm template: resolved value files in order, then the inline values. */
export function helmValues(valueFiles: readonly ResolvedValueFile[], inline?: Record<string, unknown> | string): Record<string, unknown> {
    let values: Record<string, unknown> = {};
    for (const { path, file } of valueFiles) values = deepMerge(values, firstDocument(readFileSync(path, "utf8"), file));
    if (typeof inline === "string") values = deepMerge(values, valuesFromYaml(inline));
    else if (inline) values = deepMerge(values, inline);
    return values;
}
