// Helm values as Argo CD layers them: the chart's values.yaml (read by helm template itself), then
// `valueFiles` in order, then `values`. Value files are resolved inside the checkout before any is read.
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

/** Resolves every value file (see resolveValueFile); a missing one is refused, as Argo CD does by default. */
export function resolveValueFiles(root: string, chartDir: string, files: readonly string[]): ResolvedValueFile[] {
    return files.map((file) => {
        const path = resolveValueFile(root, chartDir, file);
        if (path === undefined) {
            const hint = isAbsolute(file) ? " (an absolute value file is relative to the repository root)" : "";
            throw new CheckoutPathError(file, `value file does not exist in the checkout${hint}`);
        }
        return { file, path };
    });
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
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

function firstDocument(text: string): Record<string, unknown> {
    return (parseAllDocuments(text)[0]?.toJS() as Record<string, unknown>) ?? {};
}

/** The values passed to helm template: resolved value files in order, then the inline values. */
export function helmValues(valueFiles: readonly ResolvedValueFile[], inline?: Record<string, unknown> | string): Record<string, unknown> {
    let values: Record<string, unknown> = {};
    for (const { path } of valueFiles) values = deepMerge(values, firstDocument(readFileSync(path, "utf8")));
    if (typeof inline === "string") values = deepMerge(values, firstDocument(inline));
    else if (inline) values = deepMerge(values, inline);
    return values;
}
