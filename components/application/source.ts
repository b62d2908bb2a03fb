// The source and render steps of an Application: resolve each source's revision (a commit, or a chart
// version from a Helm repository), fetch it, and render the sources into manifests, in order. A failure
// here fails the Application before anything is declared, so nothing is ever pruned on a broken source.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { credentialsFor } from "../source/credentials";
import { gitCacheDir } from "../source/git";
import { fetchSources, renderSources, type FetchedSource } from "../source/multi-source";
import type { HelmTemplate } from "../source/render";
import type { DeclaredSource } from "../source/sources-spec";
import type { Manifest, SourcedManifest } from "../sync/manifest";
import { checkNoProjectsInManifests } from "../platform/no-projects-in-manifests";
import { failOn } from "./enforce";
import { valueOf } from "./inputs";
import type { ApplicationArgs } from "./types";

/** Resolves and fetches every source (into the shared caches); pins decide the commits where given. */
export async function fetchApplicationSources(application: string, args: ApplicationArgs, declared: readonly DeclaredSource[], parent: pulumi.Resource): Promise<FetchedSource[]> {
    const cacheDir = args.cacheDir ?? gitCacheDir(process.cwd());
    const table = await valueOf(args.repoCredentialTable);
    const firstCredentials = await valueOf(args.repoCredentials);
    const pins = declared.map((_, i) => (i === 0 ? (args.revision ?? args.revisions?.[0]) : args.revisions?.[i]));
    // The declared revisions stay what the Application says; a pin or a reviewed commit only decides what they resolve to.
    const fetched = await fetchSources(application, declared, {
        cacheDir,
        baseDir: args.baseDir,
        credentials: declared.map((d, i) => (table ? credentialsFor(d.source.repoURL, table) : i === 0 ? firstCredentials : undefined)),
        pins,
    });
    for (const [i, f] of fetched.entries()) {
        const what = f.kind === "chart" ? `chart ${f.source.chart} ${f.targetRevision} is version` : `${f.targetRevision} is`;
        pulumi.log.info(`${application}: ${f.multi ? `${f.field} ` : ""}${f.repoURL} ${what} ${f.revision}${pins[i] ? " (pinned)" : ""}`, parent);
    }
    return fetched;
}

/** Renders the fetched sources; an AppProject among the manifests is refused. */
export async function renderManifests(application: string, args: ApplicationArgs, fetched: readonly FetchedSource[], provider: k8s.Provider): Promise<SourcedManifest[]> {
    const manifests = await renderSources(application, fetched, {
        namespace: args.destination?.namespace,
        helmTemplate: helmTemplateVia(provider),
        project: args.project.projectName,
    });
    // An AppProject in a team's source would let the team widen its own boundary.
    failOn(application, checkNoProjectsInManifests(application, manifests));
    return manifests;
}

/** Helm charts render inside the Kubernetes provider (its helm:template support): no helm binary. */
function helmTemplateVia(provider: k8s.Provider): HelmTemplate {
    return async (options) => {
        const result = await pulumi.runtime.invoke("kubernetes:helm:template", { jsonOpts: JSON.stringify(options) }, { provider });
        return ((result as { result?: Manifest[] }).result ?? []) as Manifest[];
    };
}
