// The SyncWave stack program: Projects and Applications from stack configuration (Argo CD's field
// names) and from Argo CD manifests, turned into components. `pulumi preview` is the diff, `pulumi up`
// the sync.
import * as pulumi from "@pulumi/pulumi";
import { Application, type ApplicationSummary } from "./components/application";
import type { ClusterConnection } from "./components/cluster-connection";
import { OwnershipRegistry } from "./components/ownership";
import { Project } from "./components/project";
import type { GitCredentials } from "./components/source/git";
import { readDeclarations } from "./components/stack-config";
import { declares, syncRunFromEnv } from "./components/sync-run";
import { DEFAULT_HEALTH_TIMEOUT } from "./components/duration";

const config = new pulumi.Config("syncwave");
const baseDir = __dirname;

// Projects come only from the platform's source (syncwave:platform); Applications from stack config
// and Argo CD manifests, each naming a Project the platform assigned to it (components/stack-config.ts).
const declarations = readDeclarations(
    {
        platform: config.getObject<unknown>("platform"),
        projects: config.getObject<unknown>("projects"),
        applications: config.getObject<Record<string, unknown>>("applications"),
        manifests: config.getObject<string[]>("manifests") ?? [],
    },
    baseDir,
);

// Cluster connections may hold inline kubeconfigs: kept secret, since component arguments reach the state.
const clusters = pulumi.secret(config.getObject<Record<string, ClusterConnection>>("clusters") ?? {});
// Repository credentials by repoURL prefix, kept in secret config: `pulumi config set --secret`.
const credentials = config.getSecretObject<Record<string, GitCredentials>>("repoCredentials");
const healthTimeout = config.get("healthTimeout") ?? DEFAULT_HEALTH_TIMEOUT;
// How long a pod may stay Degraded without backing off before its wave fails (default 30s).
const degradedGrace = config.get("degradedGrace");
// The kind of sync (automated unless the CLI says manual), an explicit prune, and which Applications
// this run declares, as the CLI says them (see components/sync-run.ts).
const run = syncRunFromEnv();

// A rollback pins an Application to a commit until it is unpinned (`syncwave rollback`, `syncwave
// unpin`); a sync started by the syncwave CLI passes the commits its preview resolved, so the update
// applies exactly what was reviewed.
const pins = config.getObject<Record<string, { revision: string }>>("pins") ?? {};
// One commit per Application, or one per source for an Application with several sources.
const resolved = JSON.parse(process.env.SYNCWAVE_REVISIONS ?? "{}") as Record<string, string | string[]>;

const projects = Object.fromEntries(Object.entries(declarations.projects).map(([name, spec]) => [name, new Project(name, spec, { gpgKeys: declarations.gpgKeys })]));
const ownership = new OwnershipRegistry();
const applicationNames = Object.keys(declarations.applications);

const applications = Object.entries(declarations.applications).filter(([name]) => declares(run, name)).map(([name, spec]) => {
    return new Application(name, {
        ...spec,
        revision: pins[name]?.revision ?? (typeof resolved[name] === "string" ? resolved[name] : undefined),
        revisions: Array.isArray(resolved[name]) ? resolved[name] : undefined,
        project: projects[spec.project],
        clusters,
        // Looked up for each source by its repoURL (components/source/credentials.ts).
        repoCredentialTable: credentials,
        siblings: applicationNames,
        healthTimeout,
        degradedGrace,
        baseDir,
        syncKind: run.kind,
        prune: run.prune,
        isolateFailures: run.isolateFailures,
        hookRunKey: run.hookRunKeys[name],
        fingerprint: run.fingerprints[name],
        ownership,
    });
});

/** Each Application's resolved revision, stages and digest: the stack history keeps them per update. */
export const syncwave: pulumi.Output<Record<string, ApplicationSummary>> = pulumi
    .all(applications.map((a) => a.summary))
    .apply((summaries) => Object.fromEntries(summaries.map((s, i) => [applications[i].applicationName, s])));
