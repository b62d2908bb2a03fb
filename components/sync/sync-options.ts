// Argo CD sync options ("Key=Value"), from the Application's syncPolicy and from a resource's
// argocd.argoproj.io/sync-options annotation; the resource's value wins for that resource.
import { SyncWaveInputError } from "./errors";
import type { ResourceKey } from "./manifest";

export interface SyncOptions {
    createNamespace: boolean;
    pruneLast: boolean;
    /** Prune=false: the resource is never deleted by a sync (retainOnDelete). */
    prune: boolean;
    /** Delete=false: the resource survives the Application's deletion too (retainOnDelete). */
    delete: boolean;
    replace: boolean;
    /**
     * ServerSideApply=false: client-side apply (a three-way strategic merge patch, with kubectl's
     * last-applied-configuration annotation). SyncWave's default is server-side apply, where Argo CD's
     * is client-side: the Kubernetes provider's field ownership is what lets ignoreDifferences and
     * other controllers' fields coexist with git's.
     */
    serverSideApply: boolean;
    /**
     * Validate=false: unknown fields are not refused. The Kubernetes provider never refuses them (it
     * applies with fieldValidation Warn: the API server drops them with a warning), so this is always
     * in effect; Argo CD's default (kubectl's strict validation) is not.
     */
    validate: boolean;
    skipDryRunOnMissingResource: boolean;
    prunePropagationPolicy: "foreground" | "background" | "orphan";
    /**
     * ApplyOutOfSyncOnly=true is always in effect: the engine updates only resources whose desired
     * state differs from the state's, so an unchanged object is never written.
     */
    applyOutOfSyncOnly: boolean;
    /**
     * RespectIgnoreDifferences=true: the fields ignoreDifferences names are not applied (Argo CD's
     * normalizeTargetResources, controller/sync.go). Off by default, as in Argo CD: ignoreDifferences
     * then only affects the diff and drift, and a sync applies git's value.
     */
    respectIgnoreDifferences: boolean;
    failOnSharedResource: boolean;
    force: boolean;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
    createNamespace: false,
    pruneLast: false,
    prune: true,
    delete: true,
    replace: false,
    serverSideApply: true,
    validate: true,
    skipDryRunOnMissingResource: false,
    prunePropagationPolicy: "foreground",
    applyOutOfSyncOnly: false,
    respectIgnoreDifferences: false,
    failOnSharedResource: false,
    force: false,
};

type BooleanOption = { [K in keyof SyncOptions]: SyncOptions[K] extends boolean ? K : never }[keyof SyncOptions];

const BOOLEAN_OPTIONS: Record<string, BooleanOption> = {
    CreateNamespace: "createNamespace",
    PruneLast: "pruneLast",
    Prune: "prune",
    Delete: "delete",
    Replace: "replace",
    ServerSideApply: "serverSideApply",
    Validate: "validate",
    SkipDryRunOnMissingResource: "skipDryRunOnMissingResource",
    ApplyOutOfSyncOnly: "applyOutOfSyncOnly",
    RespectIgnoreDifferences: "respectIgnoreDifferences",
    FailOnSharedResource: "failOnSharedResource",
    Force: "force",
};

/** Applies a list of "Key=Value" options on top of `base`. `where` says where the list came from. */
export function parseSyncOptions(
    options: readonly string[],
    base: SyncOptions,
    where: { application?: string; file?: string; resource?: string; field: string },
): SyncOptions {
    const result: SyncOptions = { ...base };
    for (const raw of options) {
        const option = raw.trim();
        if (!option) continue;
        const eq = option.indexOf("=");
        const key = eq < 0 ? option : option.slice(0, eq);
        const value = eq < 0 ? "" : option.slice(eq + 1);
        if (key === "PrunePropagationPolicy") {
            if (value !== "foreground" && value !== "background" && value !== "orphan") {
                throw new SyncWaveInputError(`PrunePropagationPolicy must be foreground, background or orphan, not "${value}"`, where);
            }
            result.prunePropagationPolicy = value;
            continue;
        }
        const field = BOOLEAN_OPTIONS[key];
        if (!field) {
            throw new SyncWaveInputError(
                `unknown sync option "${option}" (known: ${[...Object.keys(BOOLEAN_OPTIONS), "PrunePropagationPolicy"].join(", ")})`,
                where,
            );
        }
        // Argo CD's "confirm" (Prune=confirm, Delete=confirm) needs a human: SyncWave keeps such a
        // resource, as Prune=false does, until the option is removed.
        if ((key === "Prune" || key === "Delete") && value === "confirm") {
            result[field] = false;
            continue;
        }
        if (value !== "true" && value !== "false") {
            throw new SyncWaveInputError(`sync option ${key} must be true or false, not "${value}"`, where);
        }
        result[field] = value === "true";
    }
    return result;
}

/** The per-resource annotation value, split as Argo CD splits it. */
export function splitSyncOptionsAnnotation(value: string | undefined): string[] {
    return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/**
 * Combinations of options that would destroy more than the resource: Replace=true with Force=true is
 * `kubectl replace --force`, a delete and a create, and deleting a CRD deletes every custom resource
 * of its kind, deleting a Namespace every object in it. Argo CD quietly updates such objects in place
 * instead (gitops-engine pkg/sync/sync_context.go, applyObject); SyncWave refuses, so the manifest says
 * what happens. Replace=true alone is a replace in place and keeps what the object holds.
 */
export function checkOptionCombinations(
    key: Pick<ResourceKey, "group" | "kind">,
    options: SyncOptions,
    where: { application?: string; file?: string; resource?: string; field?: string },
): void {
    if (options.force && !options.replace) throw forceWithoutReplace(where);
    if (!options.replace || !options.force) return;
    const holds =
        key.group === "apiextensions.k8s.io" && key.kind === "CustomResourceDefinition"
            ? "every custom resource of its kind"
            : key.group === "" && key.kind === "Namespace"
              ? "every object in it"
              : undefined;
    if (!holds) return;
    throw new SyncWaveInputError(
        `Replace=true with Force=true would delete this ${key.kind} and ${holds}, then create it again: ` +
            `use Replace=true alone (a replace in place), or set Force=false on this resource ` +
            `(annotation argocd.argoproj.io/sync-options: Force=false)`,
        where,
    );
}

/**
 * Force=true without Replace=true is `kubectl apply --force`: when the patch fails (an immutable
 * field), delete the object and create it again (gitops-engine pkg/utils/kube/resource_ops.go sets
 * DeleteOptions.ForceDeletion). The Kubernetes provider has no such fallback: its patch either
 * succeeds or fails the sync, and kubectl itself refuses --force with --server-side, SyncWave's
 * default apply. Refused rather than ignored, so the manifest does not promise a recreate.
 */
function forceWithoutReplace(where: { application?: string; file?: string; resource?: string; field?: string }): SyncWaveInputError {
    return new SyncWaveInputError(
        "Force=true without Replace=true (kubectl apply --force: delete and create again when the patch fails on an immutable field) " +
            "is not supported: the Kubernetes provider never falls back from a failed patch to delete-and-create. " +
            "Use Replace=true,Force=true to delete and create the object on every change, or change its name to get a new object",
        where,
    );
}
