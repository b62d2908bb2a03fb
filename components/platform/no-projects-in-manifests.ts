// An Application's rendered manifests come from its team's repository. An AppProject among them would
// let the team write the boundary that confines it (in Argo CD, an app of apps that syncs AppProjects
// can widen its own Project), so it is refused whatever it says: Projects come only from the platform
// source.
import { apiGroup, type SourcedManifest } from "../sync/manifest";
import type { Violation } from "../project/rules";

export interface ManifestViolation extends Violation {
    resource: string;
    file: string;
}

export function isAppProject(manifest: { apiVersion?: unknown; kind?: unknown }): boolean {
    return typeof manifest.apiVersion === "string" && apiGroup(manifest.apiVersion) === "argoproj.io" && manifest.kind === "AppProject";
}

/** One violation per AppProject in `manifests`, naming its file and name; none when there is none. */
export function checkNoProjectsInManifests(application: string, manifests: readonly SourcedManifest[]): ManifestViolation[] {
    return manifests
        .filter((m) => isAppProject(m.manifest))
        .map((m) => ({
            rule: "project-in-manifests",
            resource: `AppProject ${m.manifest.metadata?.name ?? "(unnamed)"}`,
            file: m.file,
            message: `application ${application} renders an AppProject; Projects come only from the platform source (syncwave:platform), never from an application's repository`,
        }));
}
