// Application: Argo CD's reconciliation boundary as a Pulumi component. It fetches and renders its
// source, plans the sync (phases, waves, hooks), checks the plan against its Project, and declares the
// resources as a chain of stages: every resource of a stage depends on the previous stage's gate.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { ApplicationDestination, ApplicationSpec } from "./application-spec";
import { destinationKubeconfig, type ClusterConnection } from "./cluster-connection";
import { KubernetesObject } from "./kubernetes-object";
import { OwnershipRegistry } from "./ownership";
import { Project } from "./project";
import { checkDestination, checkNamespacedTarget, checkResourceKind, checkSourceRepo, destinationServiceAccount, type Violation } from "./project/rules";
import { syncWindowVerdict } from "./project/sync-windows";
import { fetchRevision, GitSourceError, type FetchedRevision, type GitCredentials } from "./source/git";
import { renderSource, type HelmTemplate } from "./source/render";
import { Hook } from "./providers/hook";
import { ApplicationRecord } from "./providers/application-record";
import type { CustomHealthRules } from "./health/assess";
import { worst, type Health } from "./health/status";
import { HealthGate } from "./providers/health-gate";
import type { SyncFailHook } from "./providers/health-gate-runtime";
import { stageGate } from "./stage-gate";
import { SyncWaveInputError } from "./sync/errors";
import { ignoreChangesFor, prepareIgnoreDifferences } from "./sync/ignore-differences";
import { describeResource, type Manifest } from "./sync/manifest";
import { planSync, type PlannedResource, type Stage, type SyncPlan } from "./sync/plan";
import { discoverKinds } from "./cluster/discovery";
import { DEFAULT_HEALTH_TIMEOUT, requireDuration } from "./duration";
import { clusterRef, inlineKubeconfig, type ClusterRef } from "./cluster/connection-ref";
import { DEFAULT_SYNC_OPTIONS, parseSyncOptions } from "./sync/sync-options";
import { cascadeOnDelete, pruneRequested, type InventoryEntry, type SyncKind } from "./sync/prune";
import { ADOPT_ANNOTATION, liveOwner, takeoverVerdict, trackingAnnotations } from "./sync/tracking";
import { readLiveAnnotations } from "./cluster/live-annotations";
import { Pruner } from "./providers/pruner";
import { ReplacedObject } from "./providers/replaced-object";
import { reportApplication } from "./report";
import { checkNoProjectsInManifests } from "./platform/no-projects-in-manifests";

export type { ApplicationSpec } from "./application-spec";

export interface ApplicationArgs extends Omit<ApplicationSpec, "project"> {
    project: Project;
    /** Destination clusters by server URL or name; the default cluster needs no entry. A secret when it holds inline kubeconfigs. */
    clusters?: pulumi.Input<Record<string, ClusterConnection>>;
    /** Repository credentials (keep them in Pulumi secret config). */
    repoCredentials?: pulumi.Input<GitCredentials>;
    /** The other Applications of the stack: a resource that moves from one of them is aliased, not recreated. */
    siblings?: string[];
    /** Default time a gate or hook waits for health, e.g. "5m". */
    healthTimeout?: string;
    /** Where git mirrors and checkouts are cached. */
    cacheDir?: string;
    /** Folder that relative repoURLs resolve against (the Pulumi project). */
    baseDir?: string;
    /**
     * Argo CD's two kinds of sync: "automated" (reconcile, CI after merge; the default, so a deny window
     * is never passed by accident) or "manual" (a person's `syncwave sync --manual`).
     */
    syncKind?: SyncKind;
    /** An explicit prune for this sync (`syncwave sync --prune`), as Argo CD's sync --prune. */
    prune?: boolean;
    /** Identifies the stack in every object's installation-id annotation; defaults to organization/project/stack. */
    installation?: string;
    /**
     * In a preview, report a failing Application (source, render, project, window, takeover) and declare
     * nothing for it instead of failing the program; the CLI then leaves it out of the update. Never used
     * by an update: there a failure always fails the program, so the engine deletes nothing.
     */
    isolateFailures?: boolean;
    /** Custom health rules by "group/Kind" (TypeScript functions), over the Project's. */
    healthChecks?: CustomHealthRules;
    /** Sync exactly this commit instead of resolving targetRevision (a rollback's pin, a reviewed preview). */
    revision?: string;
    /** Shared by the stack's Applications so that no object is owned twice. */
    ownership?: OwnershipRegistry;
}

export interface ApplicationSummary {
    /** "failed" only in an isolating preview: nothing was declared for the Application. */
    status: "ok" | "failed";
    reason?: string;
    project: string;
    repoURL: string;
    targetRevision: string;
    /** The commit the source's targetRevision resolved to. */
    revision: string;
    path: string;
    destination: ApplicationDestination;
    digest: string;
    health: Health;
    stages: StageSummary[];
    skipped: string[];
    /** Whether this sync deletes what left git (automated.prune on an automated sync, or --prune). */
    pruneEnabled: boolean;
}

export interface StageSummary {
    phase: string;
    wave: number;
    resources: string[];
    hooks: string[];
}

/** Resolves an Input to its value inside the program (used for secrets that must not be logged). */
function valueOf<T>(input: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (input === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => pulumi.output(input).apply((v) => resolve(v as T)));
}

function failOn(application: string, violations: (Violation & { resource?: string; file?: string })[]): void {
    if (violations.length === 0) return;
    const lines = violations.map(
        (v) => `  [${v.rule}] ${v.resource ? `${v.resource}${v.file ? ` (${v.file})` : ""}: ` : ""}${v.message}`,
    );
    throw new SyncWaveInputError(`refused by its project:\n${lines.join("\n")}`, { application });
}

export class Application extends pulumi.ComponentResource {
    declare public readonly applicationName: string;
    /** What the sync resolved and planned: revision, stages, digest (see initialize). */
    public readonly summary: pulumi.Output<ApplicationSummary>;

    constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("syncwave:index:Application", name, args, opts);
        const data = this.getData() as Promise<ApplicationSummary>;
        // The engine reports a failed initialize; a handler now keeps Node from warning about it later.
        data.catch(() => undefined);
        this.summary = pulumi.output(data);
    }

    // Components may initialize asynchronously: the source is fetched and rendered before any child
    // is declared, so a failure there fails the program and nothing is ever pruned.
    protected async initialize(argsInput: pulumi.Inputs, _opts?: pulumi.ComponentResourceOptions, name = ""): Promise<pulumi.Inputs> {
        const args = argsInput as unknown as ApplicationArgs;
        // initialize runs inside super(), before the constructor's own fields are set.
        (this as { applicationName: string }).applicationName = name;
        this.isolating = Boolean(args.isolateFailures && pulumi.runtime.isDryRun());
        args.ownership?.expect(name);
        try {
            const outputs = await this.synchronize(args);
            reportApplication({
                application: name,
                status: "ok",
                repoURL: outputs.repoURL,
                targetRevision: outputs.targetRevision,
                commit: outputs.revision,
                pruneEnabled: outputs.pruneEnabled,
                stages: outputs.stages,
            });
            return outputs;
        } catch (err) {
            args.ownership?.settle(name);
            // Only a preview may isolate a failure: an update that left the Application out would make
            // the engine drop (never delete: every object is retained) what it manages from the state.
            if (!(args.isolateFailures && pulumi.runtime.isDryRun())) throw err;
            const reason = (err as Error).message;
            reportApplication({ application: name, status: "failed", reason, repoURL: args.source?.repoURL, targetRevision: args.source?.targetRevision });
            pulumi.log.warn(`cannot be synced now, left out of this sync: ${reason}`, this);
            return { status: "failed", reason, project: args.project?.projectName ?? "", repoURL: args.source?.repoURL ?? "" };
        }
    }

    private async synchronize(args: ApplicationArgs): Promise<ApplicationSummary> {
        const name = this.applicationName;
        const project = args.project;
        const spec = project.spec;
        const destination = args.destination ?? {};

        failOn(name, [checkSourceRepo(project.projectName, spec, args.source.repoURL)].filter((v): v is Violation => Boolean(v)));
        failOn(name, [checkDestination(project.projectName, spec, { ...destination, namespace: destination.namespace ?? "" })].filter((v): v is Violation => Boolean(v)));

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
                throw new SyncWaveInputError(err.message, { application: name, field: "source.repoURL" });
            }
            throw err;
        }
        // The declared revision stays what the Application says; a pin or a reviewed commit only decides the commit.
        fetched = { ...fetched, targetRevision: args.source.targetRevision ?? "HEAD" };
        pulumi.log.info(`${name}: ${args.source.repoURL}@${fetched.targetRevision} is ${fetched.commit}${args.revision ? " (pinned)" : ""}`, this);

        const impersonate = destinationServiceAccount(spec, { ...destination, namespace: destination.namespace ?? "" });
        const clusters = (await valueOf(args.clusters)) ?? {};
        const kubeconfig = destinationKubeconfig(name, destination, clusters, impersonate);
        // Gates, hooks, the record and the pruner name the cluster; they never store its credentials.
        const ref = clusterRef(name, destination, clusters, impersonate);
        const inline = inlineKubeconfig(ref, clusters);
        this.access = { cluster: ref, ...(inline ? { kubeconfig: pulumi.secret(inline) } : {}) };
        const provider = new k8s.Provider(
            `${name}-destination`,
            { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true },
            { parent: this },
        );

        const path = args.source.path ?? ".";
        const manifests = await renderSource(
            {
                application: name,
                checkoutDir: fetched.checkoutDir,
                path,
                directory: args.source.directory,
                helm: args.source.helm,
                kustomize: args.source.kustomize,
                namespace: destination.namespace,
            },
            helmTemplateVia(provider),
        );
        // An AppProject in a team's source would let the team widen its own boundary.
        failOn(name, checkNoProjectsInManifests(name, manifests));
        let kinds;
        try {
            kinds = await discoverKinds(kubeconfig, 30_000);
        } catch (err) {
            throw new SyncWaveInputError(`reading the destination's API discovery failed: ${(err as Error).message}`, { application: name, field: "destination" });
        }
        this.namespaceScope = kinds.kinds["/Namespace"]?.scope;
        const plan = planSync({
            application: name,
            kinds,
            manifests,
            namespace: destination.namespace,
            syncOptions: args.syncPolicy?.syncOptions,
            allowEmpty: args.syncPolicy?.automated?.allowEmpty,
        });
        this.checkPlan(plan, args);
        // Every ignoreDifferences rule is valid (pointers, jq) before anything is declared.
        await prepareIgnoreDifferences(name, args.ignoreDifferences ?? []);
        try {
            for (const r of plan.managed) args.ownership?.claim(name, r.id, describeResource(r.key), r.file);
        } finally {
            args.ownership?.settle(name);
        }
        this.installationId = args.installation ?? `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
        const blockers = [...this.syncWindowBlockers(args), ...(await this.takeoverBlockers(plan, args, kubeconfig))];
        this.refuseOnUpdate(blockers);
        const pruneEnabled = pruneRequested(args.syncKind ?? "automated", args.syncPolicy?.automated?.prune, args.prune ?? false);
        const record = this.declareRecord(plan, args, fetched);
        const health = this.declareStages(plan, args, provider, fetched.commit, record, { pruneEnabled });

        const stages: StageSummary[] = plan.stages.map((s) => ({
            phase: s.phase,
            wave: s.wave,
            resources: s.resources.map((r) => describeResource(r.key)),
            hooks: s.hooks.map((r) => describeResource(r.key)),
        }));
        for (const s of stages) {
            pulumi.log.info(`${name}: ${s.phase} wave ${s.wave}: ${[...s.hooks.map((h) => `hook ${h}`), ...s.resources].join(", ")}`, this);
        }
        // The component registers what initialize returns as its outputs.
        return {
            status: "ok",
            project: project.projectName,
            repoURL: args.source.repoURL,
            targetRevision: fetched.targetRevision,
            revision: fetched.commit,
            path,
            destination,
            digest: plan.digest,
            health: health as unknown as Health,
            stages,
            skipped: plan.skipped.map((r) => describeResource(r.key)),
            pruneEnabled,
        };
    }

    private checkPlan(plan: SyncPlan, args: ApplicationArgs): void {
        const project = args.project;
        const destination = args.destination ?? {};
        const violations: (Violation & { resource: string; file: string })[] = [];
        const everything = [...plan.managed, ...plan.stages.flatMap((s) => s.hooks), ...plan.syncFailHooks, ...plan.postDeleteHooks];
        for (const r of everything) {
            // Every kind of the plan has a scope by now: planSync refused the ones discovery does not know.
            const clusterScoped = plan.kindScopes[`${r.key.group}/${r.key.kind}`] === "Cluster";
            const checks = [
                checkResourceKind(project.projectName, project.spec, r.key, clusterScoped),
                clusterScoped ? undefined : checkNamespacedTarget(project.projectName, project.spec, { ...destination, namespace: r.key.namespace }),
            ];
            for (const v of checks) if (v) violations.push({ ...v, resource: describeResource(r.key), file: r.file });
        }
        failOn(this.applicationName, violations);
    }

    /** An active deny window (or a closed allow window) as Argo CD's CanSync decides for this kind of sync. */
    private syncWindowBlockers(args: ApplicationArgs): string[] {
        const verdict = syncWindowVerdict(
            args.project.spec.syncWindows ?? [],
            { application: this.applicationName, namespace: args.destination?.namespace, cluster: args.destination?.server ?? args.destination?.name },
            new Date(),
            { manual: args.syncKind === "manual" },
        );
        return verdict.allowed ? [] : [`sync window: ${verdict.reason}`];
    }

    /**
     * No silent takeover: an object that exists with another Application's (or installation's) tracking
     * id is a shared resource (a warning; refused with FailOnSharedResource), and one that exists with no
     * tracking id is adopted only when the object or the Project says so.
     */
    private async takeoverBlockers(plan: SyncPlan, args: ApplicationArgs, kubeconfig: string): Promise<string[]> {
        if (plan.managed.length === 0) return [];
        let live;
        try {
            live = await readLiveAnnotations(
                kubeconfig,
                plan.managed.map((r) => ({ id: r.id, apiVersion: r.manifest.apiVersion, kind: r.key.kind, namespace: r.key.namespace || undefined, name: r.key.name })),
            );
        } catch (err) {
            // Fail closed: without knowing who owns the live objects, nothing may be applied over them.
            throw new SyncWaveInputError((err as Error).message, { application: this.applicationName });
        }
        const blockers: string[] = [];
        for (const r of plan.managed) {
            if (!live.annotations.has(r.id) || live.annotations.get(r.id) === undefined) continue;
            const owner = liveOwner(live.annotations.get(r.id), this.applicationName, this.installationId, r.key);
            const verdict = takeoverVerdict(owner, {
                // r.options already holds the Application's syncOptions under the object's own.
                failOnShared: r.options.failOnSharedResource || args.project.spec.failOnSharedResource === true,
                adopt: r.manifest.metadata.annotations?.[ADOPT_ANNOTATION] === "true" || args.project.spec.adoptExisting === true,
            });
            const where = `${describeResource(r.key)} (${r.file})`;
            if (verdict.action === "warn") pulumi.log.warn(`${where}: ${verdict.message}`, this);
            if (verdict.action === "refuse") blockers.push(`${where}: ${verdict.message}`);
        }
        return blockers;
    }

    /** What an update must refuse: a preview shows it as a warning (so a reviewer sees it), an update fails before anything is applied. */
    private refuseOnUpdate(blockers: string[]): void {
        if (blockers.length === 0) return;
        const message = blockers.join("\n");
        if (pulumi.runtime.isDryRun() && !this.isolating) {
            for (const b of blockers) pulumi.log.warn(`${b}; 'pulumi up' will refuse to sync`, this);
            return;
        }
        throw new SyncWaveInputError(message, { application: this.applicationName });
    }

    // Set inside initialize, which runs within super(): field initializers would overwrite them.
    declare private isolating: boolean;
    declare private installationId: string;
    declare private access: { cluster: ClusterRef; kubeconfig?: pulumi.Output<string> };
    declare private namespaceScope: "Cluster" | "Namespaced" | undefined;

    private declareStages(
        plan: SyncPlan,
        args: ApplicationArgs,
        provider: k8s.Provider,
        revision: string,
        record: pulumi.Resource,
        tracking: { pruneEnabled: boolean },
    ): pulumi.Output<Health> {
        const gates: HealthGate[] = [];
        const siblingParents = (args.siblings ?? [])
            .filter((s) => s !== this.applicationName)
            .map((s) => pulumi.createUrn(s, "syncwave:index:Application"));
        const timeout = args.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT;
        // Every stage depends on all earlier gates, not only the last one.
        let earlierGates: pulumi.Resource[] = [record, ...this.declareCreatedNamespace(plan, args, provider)];
        // Pruning comes after the Sync phase's last wave is Healthy and before PostSync hooks.
        let pruner: pulumi.Resource | undefined;
        const declarePruner = () => {
            if (pruner) return;
            pruner = this.declarePruner(plan, args, tracking, earlierGates, timeout);
            earlierGates = [...earlierGates, pruner];
        };
        const syncFailHooks = this.hookRuns(plan.syncFailHooks, "SyncFail", timeout);
        // One object for every gate of the Application: its gate provider is serialized once.
        const healthRules = { ...(args.project.healthChecks ?? {}), ...(args.healthChecks ?? {}) };
        plan.stages.forEach((stage: Stage) => {
            if (stage.phase === "PostSync") declarePruner();
            const members: pulumi.Resource[] = [];
            // Inside a stage, a Namespace or CRD (first by kind order) must exist before what needs it.
            const prerequisites = new Map<string, pulumi.Resource>();
            for (const r of stage.resources) {
                const needs = prerequisitesOf(r, prerequisites);
                const resource = this.declareResource(r, args, provider, [...earlierGates, ...needs], siblingParents);
                members.push(resource);
                for (const provided of providedBy(r)) prerequisites.set(provided, resource);
            }
            for (const hook of stage.hooks) {
                const needs = prerequisitesOf(hook, prerequisites);
                members.push(this.declareHook(hook, stage, revision, plan.digest, timeout, [...earlierGates, ...needs], syncFailHooks));
            }
            const gate = stageGate(
                this,
                members,
                {
                    ...this.access,
                    application: this.applicationName,
                    stage: `${stage.phase} wave ${stage.wave}`,
                    resources: stage.resources.map((r) => ({
                        apiVersion: r.manifest.apiVersion,
                        kind: r.key.kind,
                        namespace: r.key.namespace || undefined,
                        name: r.key.name,
                        timeoutMs: r.healthTimeoutMs,
                    })),
                    digest: stage.digest,
                    timeoutMs: parseTimeout(timeout),
                    syncId: `${revision}:${plan.digest}`,
                    syncFailHooks,
                },
                healthRules,
            );
            earlierGates = [...earlierGates, ...gate];
            gates.push(...gate.filter((g): g is HealthGate => g instanceof HealthGate));
        });
        declarePruner();
        // The Application's health is its worst resource's, as in Argo CD; hooks are left out.
        return pulumi.all(gates.map((g) => g.health)).apply((all) => worst(all.flat().map((h) => ({ status: h.status, message: `${h.resource}: ${h.message}` }))));
    }

    /** The Application's inventory and the one place that deletes from the cluster (see providers/pruner.ts). */
    private declarePruner(
        plan: SyncPlan,
        args: ApplicationArgs,
        tracking: { pruneEnabled: boolean },
        dependsOn: pulumi.Resource[],
        timeout: string,
    ): pulumi.Resource {
        const desired: InventoryEntry[] = plan.managed.map((r) => ({
            id: r.id,
            apiVersion: r.manifest.apiVersion,
            kind: r.key.kind,
            namespace: r.key.namespace || undefined,
            name: r.key.name,
            wave: r.wave,
            prune: r.options.prune,
            delete: r.options.delete,
            keep: r.manifest.metadata.annotations?.["helm.sh/resource-policy"] === "keep" || undefined,
            propagationPolicy: r.options.prunePropagationPolicy,
        }));
        return new Pruner(
            `${this.applicationName}:prune`,
            {
                ...this.access,
                application: this.applicationName,
                installation: this.installationId,
                desired,
                pruneEnabled: tracking.pruneEnabled,
                claimedElsewhere: args.ownership ? pulumi.output(args.ownership.claimedByOthers(this.applicationName)) : [],
                cascade: cascadeOnDelete(args.finalizers, args.cascade),
                timeoutMs: parseTimeout(timeout),
            },
            { parent: this, dependsOn },
        );
    }

    /** Hooks that run outside the stages (SyncFail, PostDelete), as their runs are described. */
    private hookRuns(hooks: PlannedResource[], phase: string, timeout: string): SyncFailHook[] {
        return hooks.map((h) => ({
            manifest: withAnnotations(h.manifest, trackingAnnotations(this.applicationName, this.installationId, h.key)),
            generateName: h.hook?.generateName,
            deletePolicies: h.hook?.deletePolicies ?? ["BeforeHookCreation"],
            phase,
            wave: h.wave,
            timeoutMs: h.healthTimeoutMs ?? parseTimeout(timeout),
        }));
    }

    /** The Application's record: first in the graph, so deleting the Application deletes it last. */
    private declareRecord(plan: SyncPlan, args: ApplicationArgs, fetched: FetchedRevision): pulumi.Resource {
        const timeout = args.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT;
        const postDeleteHooks = this.hookRuns(plan.postDeleteHooks, "PostDelete", timeout);
        return new ApplicationRecord(
            `${this.applicationName}:record`,
            {
                ...this.access,
                application: this.applicationName,
                project: args.project.projectName,
                repoURL: args.source.repoURL,
                targetRevision: fetched.targetRevision,
                revision: fetched.commit,
                path: args.source.path ?? ".",
                destination: args.destination ?? {},
                syncPolicy: args.syncPolicy ?? {},
                ignoreDifferences: args.ignoreDifferences ?? [],
                postDeleteHooks,
                // The Namespace CreateNamespace applies is declared too, outside the plan.
                kindScopes: { ...plan.kindScopes, ...(this.namespaceScope ? { "/Namespace": this.namespaceScope } : {}) },
            },
            { parent: this },
        );
    }

    /** CreateNamespace=true: the destination namespace exists before the first stage, and is kept. */
    private declareCreatedNamespace(plan: SyncPlan, args: ApplicationArgs, provider: k8s.Provider): pulumi.Resource[] {
        const namespace = args.destination?.namespace;
        const { createNamespace } = parseSyncOptions(args.syncPolicy?.syncOptions ?? [], DEFAULT_SYNC_OPTIONS, {
            application: this.applicationName,
            field: "syncPolicy.syncOptions",
        });
        if (!namespace || !createNamespace) return [];
        if (plan.managed.some((r) => r.key.group === "" && r.key.kind === "Namespace" && r.key.name === namespace)) return [];
        const ns: Manifest = {
            apiVersion: "v1",
            kind: "Namespace",
            // Untracked, as Argo CD leaves the namespace CreateNamespace makes: applying it to a namespace
            // that already exists (someone else's) then changes nothing there.
            metadata: { name: namespace },
        };
        // Argo CD does not delete namespaces it created for CreateNamespace; neither does SyncWave.
        return [new KubernetesObject(`/Namespace//${namespace}`, ns, { parent: this, provider, retainOnDelete: true })];
    }

    private declareResource(
        r: PlannedResource,
        args: ApplicationArgs,
        provider: k8s.Provider,
        dependsOn: pulumi.Resource[],
        siblingParents: pulumi.Output<string>[],
    ): pulumi.Resource {
        const ignoreChanges = ignoreChangesFor(this.applicationName, args.ignoreDifferences ?? [], r.key, r.manifest);
        if (r.options.replace) {
            // Replace=true is `kubectl replace` (a PUT of the whole object; created when absent), and
            // delete-and-create only with Force=true, as gitops-engine's ReplaceResource does.
            return new ReplacedObject(
                r.id,
                {
                    manifest: withAnnotations(r.manifest, trackingAnnotations(this.applicationName, this.installationId, r.key)),
                    force: r.options.force,
                    propagationPolicy: r.options.prunePropagationPolicy,
                    // As every managed object: deleting is the Pruner's.
                    retain: true,
                    ...this.access,
                },
                { parent: this, dependsOn, ignoreChanges: ignoreChanges?.map((p) => `manifest.${p}`), aliases: siblingParents.map((parent) => ({ parent })) },
            );
        }
        const manifest = withAnnotations(r.manifest, {
            ...trackingAnnotations(this.applicationName, this.installationId, r.key),
            // The stage's HealthGate proves readiness with Argo CD's health rules, by watching.
            "pulumi.com/skipAwait": "true",
            // Git wins over fields someone else changed since (Argo CD's apply overwrites them too);
            // fields others may own are declared in ignoreDifferences instead.
            "pulumi.com/patchForce": "true",
        });
        return new KubernetesObject(r.id, manifest, {
            parent: this,
            provider,
            dependsOn,
            // The engine never deletes a managed object: what left git, a failed or a removed
            // Application only leaves the state. Deleting is the Pruner's, and only when asked for.
            retainOnDelete: true,
            ignoreChanges,
            aliases: siblingParents.map((parent) => ({ parent })),
        });
    }

    private declareHook(
        hook: PlannedResource,
        stage: Stage,
        revision: string,
        appDigest: string,
        timeout: string,
        dependsOn: pulumi.Resource[],
        syncFailHooks: SyncFailHook[],
    ): pulumi.Resource {
        return new Hook(
            `${hook.phase}:${hook.id}`,
            {
                ...this.access,
                manifest: withAnnotations(hook.manifest, trackingAnnotations(this.applicationName, this.installationId, hook.key)),
                generateName: hook.hook?.generateName,
                deletePolicies: hook.hook?.deletePolicies ?? ["BeforeHookCreation"],
                phase: stage.phase,
                wave: stage.wave,
                // One run per sync of a new revision or a new desired state.
                syncId: `${revision}:${appDigest}`,
                timeoutMs: hook.healthTimeoutMs ?? parseTimeout(timeout),
                application: this.applicationName,
                syncFailHooks,
            },
            { parent: this, dependsOn },
        );
    }
}

/** What a resource provides to others of its stage: its namespace, or the kind its CRD defines. */
function providedBy(r: PlannedResource): string[] {
    if (r.key.group === "" && r.key.kind === "Namespace") return [`ns:${r.key.name}`];
    if (r.key.group === "apiextensions.k8s.io" && r.key.kind === "CustomResourceDefinition") {
        const spec = r.manifest.spec as { group?: string; names?: { kind?: string } } | undefined;
        return spec?.group && spec.names?.kind ? [`kind:${spec.group}/${spec.names.kind}`] : [];
    }
    return [];
}

function prerequisitesOf(r: PlannedResource, provided: Map<string, pulumi.Resource>): pulumi.Resource[] {
    return [provided.get(`ns:${r.key.namespace}`), provided.get(`kind:${r.key.group}/${r.key.kind}`)].filter(
        (x): x is pulumi.Resource => x !== undefined,
    );
}

function parseTimeout(text: string): number {
    return requireDuration(text, { field: "healthTimeout" });
}

function withAnnotations(m: Manifest, annotations: Record<string, string>): Manifest {
    return { ...m, metadata: { ...m.metadata, annotations: { ...(m.metadata.annotations ?? {}), ...annotations } } };
}

/** Helm charts render inside the Kubernetes provider (its helm:template support): no helm binary. */
function helmTemplateVia(provider: k8s.Provider): HelmTemplate {
    return async (chartDir, values, releaseName, namespace) => {
        const result = await pulumi.runtime.invoke(
            "kubernetes:helm:template",
            { jsonOpts: JSON.stringify({ path: chartDir, values, release_name: releaseName, namespace }) },
            { provider },
        );
        return ((result as { result?: Manifest[] }).result ?? []) as Manifest[];
    };
}
