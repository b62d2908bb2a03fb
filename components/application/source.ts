// The source and render steps of an Application: resolve its revision to a commit, check the commit
// out, and render the source folder into manifests. A failure here fails the Application before
// anything is declared, so nothing is ever pruned on a broken source.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { fetchRevision, GitSourceError, type FetchedRevision } from "../source/git";
import { renderSource, type HelmTemplate } from "../source/render";
import { SyncWaveInputError } from "../sync/errors";
import type { SourcedManifest, Manifest } from "../sync/manifest";
import { checkNoProjectsInManifests } from "../platform/no-projects-in-manifests";
import { failOn } from "./enforce";
import type { ApplicationArgs } from "./types";
import { valueOf } from "./inputs";

/** Resolves the Application's source to a commit and checks it out (into the shared cache). */
export async function fetchSource(application: string, args: ApplicationArgs, parent: pulumi.Resource): Promise<FetchedRevision> {
    const cacheDir = args.cacheDir ?? join(process.env.SYNCWAVE_CACHE ?? join(process.cwd(), ".syncwave"), "git");
    let fetched;
    try {
        fetched = await fetchRevision(args.source.repoURL, args.revision ?? args.source.targetRevision, {
            cacheDir,
            baseDir: args.baseDir,
            credentials: await valueOf(args.repoCredentials),
        });
    } catch (err) {
        if (err instanceof GitSourceError) {
            throw new SyncWaveInputError(err.message, { application, field: "source.repoURL" });
        }
        throw err;
    }
    // The declared revision stays what the Application says; a pin or a reviewed commit only decides the commit.
    fetched = { ...fetched, targetRevision: args.source.targetRevision ?? "HEAD" };
    pulumi.log.info(`${application}: ${args.source.repoURL}@${fetched.targetRevision} is ${fetched.commit}${args.revision ? " (pinned)" : ""}`, parent);
    return fetched;
}

/** Renders the checked-out source; an AppProject among the manifests is refused. */
export async function renderManifests(
    application: string,
    args: ApplicationArgs,
    fetched: FetchedRevision,
    provider: k8s.Provider,
): Promise<SourcedManifest[]> {
    const manifests = await renderSource(
        {
            application,
            checkoutDir: fetched.checkoutDir,
            path: args.source.path ?? ".",
            directory: args.source.directory,
            helm: args.source.helm,
            kustomize: args.source.kustomize,
            namespace: args.destination?.namespace,
            build: { project: args.project.projectName, revision: fetched.commit, repoURL: args.source.repoURL, targetRevision: fetched.targetRevision },
        },
        helmTemplateVia(provider),
    );
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
