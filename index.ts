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
import { applicationRunSettings, declares, syncRunFromEnv } from "./components/sync-run";
import { DEFAULT_HEALTH_TIMEOUT } from "./components/duration";
import type { ApplicationSpec } from "./components/application-spec";
import { ApplicationSet } from "./components/application-set";
import { readinessOf, type DeclareOptions, type FleetDeclarer, type Readiness } from "./components/fleet/declarer";
import { orderByDependencies } from "./components/fleet/depends-on";
import type { RecordedChild } from "./components/fleet/child-applications";
import type { Manifest } from "./components/sync/manifest";
import { DEFAULT_PROJECT } from "./components/stack-config";
import { SyncWaveInputError } from "./components/sync/errors";

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
        applicationSets: config.getObject<Record<string, unknown>>("applicationSets"),
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
// What each ApplicationSet generated at its last sync, as the CLI read it from the state: its
// applicationsSync policy keeps or leaves those it may not update or delete (components/application-set.ts).
const previousFleet = JSON.parse(process.env.SYNCWAVE_FLEET_PREVIOUS ?? "{}") as Record<string, Record<string, ApplicationSpec>>;
// The children each parent declared at its last sync: one that does not prune now keeps those that left its render.
// Objects a sync that did not complete applied, which the Pruner's inventory lacks (components/sync/strays.ts).
const strays = JSON.parse(process.env.SYNCWAVE_STRAYS ?? "{}") as Record<string, Manifest[]>;
const previousChildren = JSON.parse(process.env.SYNCWAVE_FLEET_PREVIOUS_CHILDREN ?? "{}") as Record<string, Record<string, RecordedChild>>;

const projects: Record<string, Project> = Object.fromEntries(
    Object.entries(declarations.projects).map(([name, spec]) => [name, new Project(name, spec, { gpgKeys: declarations.gpgKeys })]),
);
const ownership = new OwnershipRegistry();
const applicationNames = Object.keys(declarations.applications);
// Every Application of the stack, whoever declares it (the stack, a parent, an ApplicationSet): one name, one Application.
const declaredBy = new Map<string, string>();

function projectOf(name: string, spec: ApplicationSpec, file?: string): Project {
    if (!projects[spec.project] && spec.project === "default") projects.default = new Project("default", DEFAULT_PROJECT);
    const project = projects[spec.project];
    if (!project) {
        throw new SyncWaveInputError(`names project ${spec.project}, which the platform does not declare (declared: ${Object.keys(projects).join(", ") || "none"})`, {
            application: name,
            file,
            field: "spec.project",
        });
    }
    return project;
}

/** Declares one Application with this run's settings; undefined when this run leaves it out. */
function declareApplication(name: string, spec: ApplicationSpec, options: Partial<DeclareOptions> & { where: string }): Application | undefined {
    const earlier = declaredBy.get(name);
    if (earlier !== undefined) {
        throw new SyncWaveInputError(`application ${name} is declared twice: by ${earlier} and by ${options.where}`, { application: name, file: options.file });
    }
    declaredBy.set(name, options.where);
    if (!declares(run, name)) return undefined;
    const fleetMember = options.origin?.parent !== undefined || options.origin?.applicationSet !== undefined;
    return new Application(
        name,
        {
            ...spec,
            revision: pins[name]?.revision ?? (typeof resolved[name] === "string" ? resolved[name] : undefined),
            revisions: Array.isArray(resolved[name]) ? resolved[name] : undefined,
            project: projectOf(name, spec, options.file),
            clusters,
            // Looked up for each source by its repoURL (components/source/credentials.ts).
            repoCredentialTable: credentials,
            // A resource moving between top-level Applications is aliased; fleet members name theirs after themselves.
            siblings: fleetMember ? [] : applicationNames,
            healthTimeout,
            degradedGrace,
            baseDir,
            ...applicationRunSettings(run, name),
            strays: strays[name],
            ownership,
            origin: options.origin,
            after: options.after,
            dependsOnResolved: true,
            measuredLive: options.measuredLive,
            fleet,
        },
        options.parent ? { parent: options.parent } : undefined,
    );
}

const fleet: FleetDeclarer = {
    assignments: declarations.assignments,
    allowFleetDeletion: process.env.SYNCWAVE_ALLOW_FLEET_DELETION === "true",
    previousChildren: (parent) => previousChildren[parent] ?? {},
    requested: (name) => run.only?.includes(name) ?? false,
    declare: (name, spec, options) =>
        declareApplication(name, spec, { ...options, where: options.origin.applicationSet !== undefined ? `ApplicationSet ${options.origin.applicationSet}` : `parent application ${options.origin.parent}` }),
};

// dependsOn between the stack's own Applications: dependencies first, each dependent waiting for them.
const topLevel = orderByDependencies(
    Object.entries(declarations.applications).map(([name, spec]) => ({
        name,
        spec,
        dependsOn: spec.dependsOn,
        where: { file: declarations.origins[`Application/${name}`] === "stack config" ? undefined : declarations.origins[`Application/${name}`], field: "dependsOn" },
    })),
    "the stack",
);
const waitedOn = new Set(topLevel.flatMap((a) => a.dependsOn ?? []));
const declared = new Map<string, Application>();
for (const { name, spec, where } of topLevel) {
    const after: Promise<Readiness>[] = readinessOf(name, spec.dependsOn ?? [], declared);
    const app = declareApplication(name, spec, { where: declarations.origins[`Application/${name}`] ?? "stack config", file: where.file, after, measuredLive: waitedOn.has(name) });
    if (app) declared.set(name, app);
}
const applicationSets = Object.entries(declarations.applicationSets).map(
    ([name, declaration]) =>
        new ApplicationSet(name, {
            declaration,
            fleet,
            clusters,
            repoCredentialTable: credentials,
            baseDir,
            ownership,
            previous: previousFleet[name],
        }),
);
const applications = [...declared.values()];

/** Each top-level Application's resolved revision, stages and digest: the stack history keeps them per update. */
export const syncwave: pulumi.Output<Record<string, ApplicationSummary>> = pulumi
    .all(applications.map((a) => a.summary))
    .apply((summaries) => Object.fromEntries(summaries.map((s, i) => [applications[i].applicationName, s])));

/** What each ApplicationSet generated: the names, by step of its rollout. */
export const applicationSetsGenerated =
    applicationSets.length === 0
        ? undefined
        : pulumi.all(applicationSets.map((a) => a.generated)).apply((all) => Object.fromEntries(all.map((g, i) => [applicationSets[i].setName, g])));
