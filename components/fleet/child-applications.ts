// App of apps: the `argoproj.io/v1alpha1` Application objects among a parent's rendered manifests are
// child Applications, not custom resources to apply. Each is read as syncwave:manifests reads an
// Application (finalizers, syncwave.dev/depends-on), keeps its sync wave (Argo CD orders child
// Applications by it like any object: gitops-engine pkg/sync/syncwaves), and the rest of the render
// is the parent's own objects. Pure.
import type { ApplicationSpec } from "../application-spec";
import { syncWave } from "../sync/annotations";
import { splitSyncOptionsAnnotation } from "../sync/sync-options";
import { SyncWaveInputError } from "../sync/errors";
import type { SourcedManifest } from "../sync/manifest";
import { applicationFromManifest, isArgoApplication } from "../stack-config";

export interface ChildApplication {
    name: string;
    spec: ApplicationSpec;
    wave: number;
    /** Prune=false (or confirm) in its sync-options annotation: never pruned when it leaves the render. */
    prune: boolean;
    /** The file of the parent's source that declares it. */
    file: string;
}

/** Splits a parent's render into its child Applications (in wave, then name order) and its own objects. */
export function splitChildApplications(parent: string, manifests: readonly SourcedManifest[]): { children: ChildApplication[]; own: SourcedManifest[] } {
    const children: ChildApplication[] = [];
    const own: SourcedManifest[] = [];
    for (const m of manifests) {
        if (!isArgoApplication(m.manifest)) {
            own.push(m);
            continue;
        }
        let child;
        try {
            child = applicationFromManifest(m.manifest, m.file);
        } catch (err) {
            throw new SyncWaveInputError(`child application: ${(err as Error).message}`, { application: parent });
        }
        // A child's own namespace (Argo CD's argocd namespace, usually) says where the Application
        // object lives, which SyncWave has no use for; a hook annotation on an Application is refused.
        const annotations = m.manifest.metadata.annotations ?? {};
        if (annotations["argocd.argoproj.io/hook"] !== undefined || annotations["helm.sh/hook"] !== undefined) {
            throw new SyncWaveInputError("a child Application cannot be a hook", { application: parent, file: m.file, resource: `Application ${child.name}`, field: "metadata.annotations" });
        }
        if (child.name === parent) {
            throw new SyncWaveInputError("an Application cannot render itself as its own child", { application: parent, file: m.file, resource: `Application ${child.name}` });
        }
        // Sync options on the Application object itself: Prune decides whether pruning removes it
        // (gitops-engine reads it from any object); the others configure how Argo CD applies the
        // custom resource, which SyncWave does not apply, or (Delete) are not supported: refused.
        let prune = true;
        for (const option of splitSyncOptionsAnnotation(annotations["argocd.argoproj.io/sync-options"])) {
            const [key, value] = option.split("=");
            if (key === "Prune" && (value === "false" || value === "confirm")) prune = false;
            else if (key === "Prune" && value === "true") continue;
            else {
                throw new SyncWaveInputError(`sync option ${option} on a child Application is not supported (SyncWave does not apply it as a custom resource): only Prune is read`, {
                    application: parent,
                    file: m.file,
                    resource: `Application ${child.name}`,
                    field: 'metadata.annotations["argocd.argoproj.io/sync-options"]',
                });
            }
        }
        if (annotations["argocd.argoproj.io/compare-options"] !== undefined) {
            throw new SyncWaveInputError("compare-options on a child Application has no effect: SyncWave does not diff it as a custom resource", { application: parent, file: m.file, resource: `Application ${child.name}`, field: 'metadata.annotations["argocd.argoproj.io/compare-options"]' });
        }
        const twice = children.find((c) => c.name === child.name);
        if (twice) {
            throw new SyncWaveInputError(`child Application ${child.name} is rendered twice (also in ${twice.file})`, { application: parent, file: m.file, resource: `Application ${child.name}` });
        }
        children.push({ name: child.name, spec: child.spec, wave: syncWave(m), file: m.file, prune });
    }
    children.sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { children, own };
}

/** The children grouped by wave, lowest first: each wave starts when every child of the waves before is Healthy. */
export function childWaves(children: readonly ChildApplication[]): ChildApplication[][] {
    const waves: ChildApplication[][] = [];
    for (const c of children) {
        const last = waves[waves.length - 1];
        if (last && last[0].wave === c.wave) last.push(c);
        else waves.push([c]);
    }
    return waves;
}

/** A child as the last sync of its parent declared it: the record keeps it for the next sync. */
export interface RecordedChild {
    spec: ApplicationSpec;
    wave: number;
    file: string;
    /** Prune=false on its manifest: kept even by a sync that prunes (absent in older records: true). */
    prune?: boolean;
}

/**
 * The children the last sync declared that this render no longer has, kept as they were when the
 * parent's sync does not prune, or its manifest said Prune=false (Argo CD prunes a child Application
 * object only with prune and without Prune=false, like any
 * object: gitops-engine pkg/sync/sync_context.go, pruning needs syncOp.Prune or automated prune).
 */
export function keptChildren(rendered: readonly ChildApplication[], previous: Record<string, RecordedChild>, pruneEnabled: boolean): ChildApplication[] {
    const names = new Set(rendered.map((c) => c.name));
    return Object.entries(previous)
        .filter(([name, c]) => !names.has(name) && (!pruneEnabled || c.prune === false))
        .map(([name, c]) => ({ name, spec: c.spec, wave: c.wave, file: c.file, prune: c.prune !== false }))
        .sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
