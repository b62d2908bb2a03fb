// The SyncWave stack program: Projects and Applications from stack configuration (Argo CD's field
// names) and from Argo CD manifests, turned into components. `pulumi preview` is the diff, `pulumi up`
// the sync.
import * as pulumi from "@pulumi/pulumi";
import { Application, type ApplicationSummary } from "./components/application";
import type { ClusterConnection } from "./components/cluster-connection";
import { OwnershipRegistry } from "./components/ownership";
import { Project } from "./components/project";
import type { GitCredentials } from "./components/source/git";
import { mergeDeclarations, readArgoManifests } from "./components/stack-config";

const config = new pulumi.Config("syncwave");
const baseDir = __dirname;

const manifestPaths = config.getObject<string[]>("manifests") ?? [];
const declarations = mergeDeclarations(
    {
        projects: config.getObject<Record<string, unknown>>("projects"),
        applications: config.getObject<Record<string, unknown>>("applications"),
    },
    readArgoManifests(manifestPaths, baseDir),
);

const clusters = config.getObject<Record<string, ClusterConnection>>("clusters") ?? {};
// Repository credentials by repoURL prefix, kept in secret config: `pulumi config set --secret`.
const credentials = config.getSecretObject<Record<string, GitCredentials>>("repoCredentials");
const healthTimeout = config.get("healthTimeout") ?? "5m";
// `syncwave reconcile` syncs automatically (SYNCWAVE_MANUAL_SYNC=false): a deny window with manualSync
// then still blocks it, as it blocks Argo CD's automated syncs.
const manualSync = process.env.SYNCWAVE_MANUAL_SYNC !== undefined ? process.env.SYNCWAVE_MANUAL_SYNC !== "false" : (config.getBoolean("manualSync") ?? true);

// A rollback pins an Application to a commit until it is unpinned (`syncwave rollback`, `syncwave
// unpin`); a sync started by the syncwave CLI passes the commits its preview resolved, so the update
// applies exactly what was reviewed.
const pins = config.getObject<Record<string, { revision: string }>>("pins") ?? {};
const resolved = JSON.parse(process.env.SYNCWAVE_REVISIONS ?? "{}") as Record<string, string>;

const projects = Object.fromEntries(Object.entries(declarations.projects).map(([name, spec]) => [name, new Project(name, spec)]));
const ownership = new OwnershipRegistry();
const applicationNames = Object.keys(declarations.applications);

const applications = Object.entries(declarations.applications).map(([name, spec]) => {
    const repoCredentials = credentials?.apply((all) => {
        const match = Object.keys(all ?? {})
            .filter((prefix) => spec.source.repoURL.startsWith(prefix))
            .sort((a, b) => b.length - a.length)[0];
        return match ? all[match] : {};
    });
    return new Application(name, {
        ...spec,
        revision: pins[name]?.revision ?? resolved[name],
        project: projects[spec.project],
        clusters,
        repoCredentials,
        siblings: applicationNames,
        healthTimeout,
        baseDir,
        manualSync,
        ownership,
    });
});

/** Each Application's resolved revision, stages and digest: the stack history keeps them per update. */
export const syncwave: pulumi.Output<Record<string, ApplicationSummary>> = pulumi
    .all(applications.map((a) => a.summary))
    .apply((summaries) => Object.fromEntries(summaries.map((s, i) => [applications[i].applicationName, s])));
