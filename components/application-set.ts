// ApplicationSet: Argo CD's generator of Applications as a Pulumi component. It generates (list,
// clusters, git, matrix, merge: components/fleet/), checks every generated Application as an
// Application manifest is checked, applies its applicationsSync policy and preserveResourcesOnDeletion,
// orders a RollingSync into steps, and declares the Applications under itself through the stack's
// declarer. A generator error fails it before anything is declared, so nothing of the set is created,
// updated or deleted; FleetMembers refuses a mass deletion.
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationSpec } from "./application-spec";
import type { Application } from "./application";
import { valueOf } from "./application/inputs";
import type { ClusterConnection } from "./cluster-connection";
import { validateApplicationSet } from "./fleet/applicationset-spec";
import { readinessOf, type FleetDeclarer, type Readiness } from "./fleet/declarer";
import { orderByDependencies } from "./fleet/depends-on";
import { applicationsSyncPolicy } from "./fleet/fleet-guard";
import { fleetClusters } from "./fleet/fleet-clusters";
import { generateApplications, generatedManifest } from "./fleet/generate";
import { rollingSyncSteps } from "./fleet/rolling-sync";
import type { OwnershipRegistry } from "./ownership";
import { checkProjectAssignment } from "./platform/assignments";
import { FleetMembers } from "./providers/fleet-members";
import { credentialsFor } from "./source/credentials";
import { fetchRevision, gitCacheDir, type GitCredentials } from "./source/git";
import { applicationFromManifest, type ApplicationSetDeclaration } from "./stack-config";
import { SyncWaveInputError } from "./sync/errors";
import { reportApplicationSet } from "./report";
import { CASCADE_FINALIZERS } from "./sync/prune";

export interface ApplicationSetArgs {
    declaration: ApplicationSetDeclaration;
    fleet: FleetDeclarer;
    clusters?: pulumi.Input<Record<string, ClusterConnection>>;
    repoCredentialTable?: pulumi.Input<Record<string, GitCredentials>>;
    baseDir?: string;
    cacheDir?: string;
    ownership?: OwnershipRegistry;
    /** What it generated at its last sync (the CLI reads it from the state), for its applicationsSync policy. */
    previous?: Record<string, ApplicationSpec>;
}

export const ALLOW_FLEET_DELETION_ANNOTATION = "syncwave.dev/allow-fleet-deletion";
export const FLEET_DELETION_THRESHOLD_ANNOTATION = "syncwave.dev/fleet-deletion-threshold";
/** Beyond Argo CD: a failed RollingSync step sends every Application it synced back to its last Healthy revision. */
export const ROLLBACK_ON_FAILURE_ANNOTATION = "syncwave.dev/rollback-on-failure";
const KNOWN_ANNOTATIONS = [ALLOW_FLEET_DELETION_ANNOTATION, FLEET_DELETION_THRESHOLD_ANNOTATION, ROLLBACK_ON_FAILURE_ANNOTATION];

/** What a set generated, by rollout step (one step when it has no RollingSync). */
export interface GeneratedFleet {
    steps: string[][];
    /** In no RollingSync step: reported, not synced. */
    unmatched: string[];
}

export class ApplicationSet extends pulumi.ComponentResource {
    declare public readonly setName: string;
    public readonly generated: pulumi.Output<GeneratedFleet>;

    constructor(name: string, args: ApplicationSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("syncwave:index:ApplicationSet", name, args, opts);
        this.generated = pulumi.output(this.getData() as Promise<GeneratedFleet>);
    }

    protected async initialize(argsInput: pulumi.Inputs, _opts?: pulumi.ComponentResourceOptions, name = ""): Promise<pulumi.Inputs> {
        const args = argsInput as unknown as ApplicationSetArgs;
        (this as { setName: string }).setName = name;
        const owner = `ApplicationSet/${name}`;
        args.ownership?.expect(owner);
        try {
            return (await this.generate(name, args)) as unknown as pulumi.Inputs;
        } finally {
            args.ownership?.settle(owner);
        }
    }

    private async generate(name: string, args: ApplicationSetArgs): Promise<GeneratedFleet> {
        const { declaration } = args;
        const file = declaration.file;
        const prefix = file ? "spec" : `syncwave:applicationSets.${name}`;
        for (const key of Object.keys(declaration.annotations)) {
            if (key.startsWith("syncwave.dev/") && !KNOWN_ANNOTATIONS.includes(key)) {
                throw new SyncWaveInputError(`unknown SyncWave annotation on an ApplicationSet (known: ${KNOWN_ANNOTATIONS.join(", ")})`, { file, resource: `ApplicationSet ${name}`, field: `metadata.annotations["${key}"]` });
            }
        }
        const spec = validateApplicationSet(name, declaration.spec, { file, field: prefix });
        const clusters = fleetClusters((await valueOf(args.clusters)) ?? {});
        const table = (await valueOf(args.repoCredentialTable)) ?? undefined;
        const cacheDir = args.cacheDir ?? gitCacheDir(process.cwd());
        let generated;
        try {
            generated = await generateApplications(name, spec, {
                clusters,
                checkout: async (repoURL, revision) => {
                    const f = await fetchRevision(repoURL, revision, { cacheDir, baseDir: args.baseDir, credentials: table ? credentialsFor(repoURL, table) : undefined });
                    return { dir: f.checkoutDir, commit: f.commit };
                },
            }, { file, field: prefix });
        } catch (err) {
            throw new SyncWaveInputError(`generating failed, so nothing of this ApplicationSet is created, updated or deleted: ${(err as Error).message}`, { file, resource: `ApplicationSet ${name}` });
        }
        pulumi.log.info(`ApplicationSet ${name}: generates ${generated.map((g) => g.name).join(", ") || "no Applications"}`, this);

        // Each generated Application is read as an Application manifest is: unknown fields refused.
        const preserve = spec.syncPolicy?.preserveResourcesOnDeletion === true;
        const specs: Record<string, ApplicationSpec> = {};
        const labels: Record<string, Record<string, string>> = {};
        for (const g of generated) {
            const manifest = generatedManifest(g);
            let app;
            try {
                app = applicationFromManifest(manifest as never, file ?? `ApplicationSet ${name}`);
            } catch (err) {
                throw new SyncWaveInputError(`generated application ${g.name} (from ${JSON.stringify(g.params)}): ${(err as Error).message}`, { file, resource: `ApplicationSet ${name}` });
            }
            const violation = checkProjectAssignment(args.fleet.assignments, { name: g.name, project: app.spec.project, applicationSet: name });
            if (violation) {
                throw new SyncWaveInputError(`${violation.message} (allowed: ${violation.allowed.join(", ") || "none"})`, { file, resource: `ApplicationSet ${name}`, field: "template.spec.project" });
            }
            // preserveResourcesOnDeletion: deleting a generated Application leaves its objects (Argo CD
            // removes the cascade finalizer before it deletes the Application).
            specs[g.name] = preserve ? withoutCascade(app.spec) : app.spec;
            labels[g.name] = g.labels ?? {};
        }

        // applicationsSync: what a sync may do to the Applications the set already has.
        const policy = applicationsSyncPolicy(spec.syncPolicy?.applicationsSync);
        const previous = args.previous ?? {};
        for (const [app, before] of Object.entries(previous)) {
            if (specs[app] !== undefined && !policy.update) specs[app] = before;
            if (specs[app] === undefined && !policy.delete) specs[app] = before;
        }
        for (const app of Object.keys(specs)) if (previous[app] === undefined && !policy.create) delete specs[app];
        new FleetMembers(
            `${name}:members`,
            {
                applicationSet: name,
                specs,
                ...(declaration.annotations[FLEET_DELETION_THRESHOLD_ANNOTATION] ? { threshold: declaration.annotations[FLEET_DELETION_THRESHOLD_ANNOTATION] } : {}),
                allowDeletion: args.fleet.allowFleetDeletion || declaration.annotations[ALLOW_FLEET_DELETION_ANNOTATION] === "true",
                policy: { update: policy.update, delete: policy.delete, name: spec.syncPolicy?.applicationsSync ?? "sync" },
            },
            { parent: this },
        );

        // RollingSync: step N+1 waits for every Application of steps 1..N, each batch of a step
        // (maxUpdate) for the batch before it; those in no step are not synced.
        const names = Object.keys(specs).sort();
        const rollout = spec.strategy?.type === "RollingSync"
            ? rollingSyncSteps(names.map((n) => ({ name: n, labels: labels[n] ?? {} })), spec.strategy)
            : { steps: [{ step: 1, applications: [names] }], unmatched: [] as string[], held: [] as string[] };
        const held = new Set<string>(rollout.held);
        const waitsFor = new Map<string, string[]>();
        let before: string[] = [];
        for (const step of rollout.steps) {
            let batchBefore: string[] = [];
            for (const batch of step.applications) {
                for (const app of batch) waitsFor.set(app, [...before, ...batchBefore]);
                batchBefore = batch;
            }
            before = step.applications.flat();
        }
        const nodes = names.map((n) => ({ name: n, dependsOn: [...(waitsFor.get(n) ?? []), ...(specs[n].dependsOn ?? [])], where: { file, field: "template.metadata.annotations" } }));
        const ordered = orderByDependencies(nodes, `ApplicationSet ${name}`);
        const waitedOn = new Set(ordered.flatMap((n) => n.dependsOn));
        const declared = new Map<string, Application>();
        for (const n of ordered) {
            const after: Promise<Readiness>[] = readinessOf(n.name, n.dependsOn, declared);
            if (rollout.unmatched.includes(n.name)) {
                after.push(Promise.resolve({ application: `ApplicationSet ${name}`, ok: false, reason: "this Application matches no step of its RollingSync strategy: not synced", resources: [] }));
            }
            // maxUpdate 0: Argo CD leaves the step for a person to sync; the steps after it wait too.
            if (held.has(n.name) && !args.fleet.requested(n.name)) {
                after.push(Promise.resolve({ application: `ApplicationSet ${name}`, ok: false, reason: "its RollingSync step has maxUpdate 0: it waits for a manual sync (syncwave sync --app NAME)", resources: [] }));
            }
            const app = args.fleet.declare(n.name, specs[n.name], { parent: this, origin: { applicationSet: name }, after, measuredLive: waitedOn.has(n.name), file });
            if (app) declared.set(n.name, app);
        }
        const steps = rollout.steps.map((s) => s.applications.flat());
        for (const app of rollout.unmatched) pulumi.log.warn(`ApplicationSet ${name}: ${app} matches no step of its RollingSync strategy: not synced`, this);
        const rollbackOnFailure = declaration.annotations[ROLLBACK_ON_FAILURE_ANNOTATION];
        if (rollbackOnFailure !== undefined && rollbackOnFailure !== "true" && rollbackOnFailure !== "false") {
            throw new SyncWaveInputError('must be "true" or "false"', { file, resource: `ApplicationSet ${name}`, field: `metadata.annotations["${ROLLBACK_ON_FAILURE_ANNOTATION}"]` });
        }
        reportApplicationSet({ applicationSet: name, steps, unmatched: rollout.unmatched, rollbackOnFailure: rollbackOnFailure === "true" });
        return { steps, unmatched: rollout.unmatched };
    }
}

function withoutCascade(spec: ApplicationSpec): ApplicationSpec {
    const finalizers = spec.finalizers?.filter((f) => !CASCADE_FINALIZERS.includes(f));
    const { cascade: _cascade, ...rest } = spec;
    return { ...rest, ...(finalizers ? { finalizers } : {}) };
}
