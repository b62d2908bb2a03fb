// Argo CD's parameter override files: `.argocd-source.yaml` and `.argocd-source-<app>.yaml` in the
// source folder are merged, in that order, over the Application's `helm`, `kustomize` and `directory`
// settings before the source is rendered. Argo CD's repo server does it in mergeSourceParameters
// (reposerver/repository/repository.go): each file is a JSON merge patch (RFC 7386) of the source, so
// a map merges key by key, a list (helm.parameters, kustomize.images) replaces the Application's list
// whole, and null removes a field. Argo CD then puts back repoURL, path, chart and targetRevision and
// silently drops anything else; SyncWave refuses those keys instead, naming the file and field.
// Argo CD Image Updater's default git write-back target is `.argocd-source-<app>.yaml`.
import { statSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { SyncWaveInputError } from "../sync/errors";
import { realPathWithin } from "./checkout-paths";
import { isMap } from "./is-map";
import { checkSourceFields } from "./source-field-checks";
import type { DirectorySource, HelmSource, KustomizeSource } from "./source-types";
import { yamlErrorText } from "./yaml-error";

/** What an override file may change: the config management settings of the source. */
export interface OverridableSource {
    directory?: DirectorySource;
    helm?: HelmSource;
    kustomize?: KustomizeSource;
}

const OVERRIDABLE = ["directory", "helm", "kustomize"] as const;

/** The override files Argo CD reads from the source folder, in the order it merges them. */
export function sourceOverrideFiles(application: string): string[] {
    return [".argocd-source.yaml", `.argocd-source-${application}.yaml`];
}

/** RFC 7386 JSON merge patch, as github.com/evanphx/json-patch's MergePatch applies it. */
export function mergePatch(target: unknown, patch: unknown): unknown {
    if (!isMap(patch)) return patch;
    const result: Record<string, unknown> = isMap(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete result[key];
        else result[key] = mergePatch(result[key], value);
    }
    return result;
}

/** One override file's content, checked: a map of `helm`, `kustomize` and `directory` only, each with Argo CD's field names. */
export function parseSourceOverride(application: string, file: string, text: string): Partial<Record<(typeof OVERRIDABLE)[number], unknown>> {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new SyncWaveInputError(yamlErrorText(doc.errors[0]), { application, file });
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return {};
    if (!isMap(value)) throw new SyncWaveInputError("a parameter override file is a map of helm, kustomize or directory settings", { application, file });
    for (const key of Object.keys(value)) {
        if (!(OVERRIDABLE as readonly string[]).includes(key)) {
            throw new SyncWaveInputError(
                `not a setting a parameter override file can change (Argo CD keeps the Application's repoURL, path, chart and targetRevision and ignores the rest; SyncWave refuses it): expected ${OVERRIDABLE.join(", ")}`,
                { application, file, field: key },
            );
        }
    }
    try {
        // null fields are deletions in a merge patch: check only what the file sets.
        checkSourceFields(application, value);
    } catch (err) {
        if (err instanceof SyncWaveInputError) {
            const field = err.details.field?.replace(/^source\./, "");
            throw new SyncWaveInputError(err.message.replace(/^.*?field [^:]+: /, ""), { application, file, field });
        }
        throw err;
    }
    return value;
}

/**
 * The source's settings with the folder's override files merged over them (unchanged when there are
 * none). `sourceDir` is the real source folder inside the real checkout `root`; `shownPath` is the
 * source path as the Application writes it, for messages. A file that is a symlink out of the
 * checkout is refused like any other file SyncWave reads. `files` narrows which override files are
 * merged (image update's write-back starts from the settings without the file it rewrites).
 */
export function withSourceOverrides<T extends OverridableSource>(
    application: string,
    spec: T,
    root: string,
    sourceDir: string,
    shownPath: string,
    readFile: (realPath: string, shown: string) => string,
    files: readonly string[] = sourceOverrideFiles(application),
): T {
    let merged: Record<string, unknown> = Object.fromEntries(OVERRIDABLE.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]]));
    let changed = false;
    for (const name of files) {
        const shown = join(shownPath, name);
        const real = realPathWithin(root, join(sourceDir, name), shown);
        // As Argo CD: a missing file, or a folder of that name, is no override.
        if (real === undefined || !statSync(real).isFile()) continue;
        merged = mergePatch(merged, parseSourceOverride(application, shown, readFile(real, shown))) as Record<string, unknown>;
        changed = true;
    }
    if (!changed) return spec;
    const result: T = { ...spec };
    for (const key of OVERRIDABLE) {
        if (merged[key] === undefined) delete result[key];
        else (result as Record<string, unknown>)[key] = merged[key];
    }
    return result;
}
