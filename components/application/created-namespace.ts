// CreateNamespace=true: the destination namespace, as Argo CD creates it before the sync
// (gitops-engine pkg/sync/sync_context.go, autoCreateNamespace), with syncPolicy.managedNamespaceMetadata's
// labels and annotations (argo-cd controller/sync_namespace.go). Pure: graph.ts declares it.
import type { ManagedNamespaceMetadata } from "../application-spec";
import { SyncWaveInputError } from "../sync/errors";
import type { Manifest } from "../sync/manifest";

export interface CreatedNamespaceInput {
    application: string;
    namespace: string | undefined;
    createNamespace: boolean;
    managedNamespaceMetadata: ManagedNamespaceMetadata | undefined;
    /** Whether the Application's own manifests declare the destination Namespace. */
    declaredByManifests: boolean;
}

/**
 * The Namespace to apply before the first stage, or undefined. Argo CD applies managedNamespaceMetadata
 * with server-side apply on every sync, to a namespace it created and to one that existed before, so
 * labels and annotations others set stay; SyncWave's apply is server-side too, and without force: a
 * label or annotation another manager set (a platform's pod-security label) is never overwritten, the
 * sync fails with the conflict instead.
 */
export function createdNamespaceManifest(input: CreatedNamespaceInput): Manifest | undefined {
    const { application, namespace, managedNamespaceMetadata: managed } = input;
    const field = "syncPolicy.managedNamespaceMetadata";
    if (managed !== undefined) {
        if (!input.createNamespace) {
            // Argo CD ignores it then; refused so the labels are not believed applied.
            throw new SyncWaveInputError("managedNamespaceMetadata applies only with the sync option CreateNamespace=true: add it to syncPolicy.syncOptions", {
                application,
                field,
            });
        }
        if (!namespace) throw new SyncWaveInputError("managedNamespaceMetadata needs destination.namespace, the namespace it describes", { application, field });
        if (input.declaredByManifests) {
            // Argo CD does not create a namespace the manifests declare, and drops the metadata with it.
            throw new SyncWaveInputError(
                `the Application's manifests declare Namespace ${namespace} themselves, so managedNamespaceMetadata would never be applied: put the labels and annotations in that manifest`,
                { application, field },
            );
        }
        const unknown = Object.keys(managed).filter((k) => k !== "labels" && k !== "annotations");
        if (unknown.length) throw new SyncWaveInputError(`unknown field ${unknown.join(", ")} (known: labels, annotations)`, { application, field });
        checkStringMap(managed, "labels", { application, field });
        checkStringMap(managed, "annotations", { application, field });
    }
    if (!namespace || !input.createNamespace || input.declaredByManifests) return undefined;
    const labels = managed?.labels && Object.keys(managed.labels).length ? { ...managed.labels } : undefined;
    const annotations = managed?.annotations && Object.keys(managed.annotations).length ? { ...managed.annotations } : undefined;
    return {
        apiVersion: "v1",
        kind: "Namespace",
        // Untracked, as Argo CD leaves the namespace CreateNamespace makes (argo-cd#11196): applying it to a
        // namespace that already exists (someone else's) changes only the managed metadata there.
        metadata: { name: namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    };
}

function checkStringMap(managed: ManagedNamespaceMetadata, key: "labels" | "annotations", where: { application: string; field: string }): void {
    const value = (managed as Record<string, unknown>)[key];
    if (value === undefined) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new SyncWaveInputError(`${key} must be a map of strings`, { ...where, field: `${where.field}.${key}` });
    }
    for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") {
            throw new SyncWaveInputError(`${key}["${k}"] must be a string, not ${JSON.stringify(v)}`, { ...where, field: `${where.field}.${key}` });
        }
    }
}
