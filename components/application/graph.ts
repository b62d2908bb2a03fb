// The graph step of an Application: the planned stages as Pulumi resources. Every resource of a stage
// depends on all earlier gates; a stage's gate proves its resources Healthy before the next stage
// starts; the record comes first (so deleting the Application deletes it last) and the Pruner after
// the Sync phase's last gate, before PostSync hooks.
import * as k8s from "@pulumi/kubernetes";
import type { RecordedChild } from "../fleet/child-applications";
import { strayEntry } from "../sync/strays";
import * as pulumi from "@pulumi/pulumi";
import type { FetchedSource } from "../source/multi-source";
import type { ClusterRef } from "../cluster/connection-ref";
import { DEFAULT_HEALTH_TIMEOUT, requireDuration } from "../duration";
import { worst, type Health } from "../health/status";
import { KubernetesObject } from "../kubernetes-object";
import { ApplicationRecord, type SourceRecord } from "../providers/application-record";
import { HealthGate } from "../providers/health-gate";
import type { SyncFailHook } from "../providers/health-gate-runtime";
import { Hook } from "../providers/hook";
import { Pruner } from "../providers/pruner";
import { SyncResult } from "../providers/sync-result";
import { ReplacedObject } from "../providers/replaced-object";
import { stageGate } from "../stage-gate";
import { SyncWaveInputError } from "../sync/errors";
import { fieldsKeptLive } from "../sync/respect-ignore-differences";
import { describeResource, type Manifest } from "../sync/manifest";
import type { PlannedResource, Stage, SyncPlan } from "../sync/plan";
import { cascadeOnDelete, type InventoryEntry } from "../sync/prune";
import { DEFAULT_SYNC_OPTIONS, parseSyncOptions } from "../sync/sync-options";
import { trackingAnnotations } from "../sync/tracking";
import type { ApplicationArgs } from "./types";
import { holdsSecretData, LAST_APPLIED_ANNOTATION, lastAppliedConfiguration } from "./apply-providers";
import { createdNamespaceManifest } from "./created-namespace";
import type { CustomHealthRules } from "../health/assess";

/** Who declares: the Application component and how its dynamic resources reach the destination. */
export interface GraphContext {
    parent: pulumi.ComponentResource;
    application: string;
    installationId: string;
    access: { cluster: ClusterRef; kubeconfig?: pulumi.Output<string> };
    /** The destination's scope for Namespace (from discovery), for the record's kind scopes. */
    namespaceScope: "Cluster" | "Namespaced" | undefined;
    /** When hooks run (see providers/hook.ts): the desired state's digest and this run's key. */
    hookRun: HookRun;
    /** The destination's client-side apply provider, for ServerSideApply=false (see apply-providers.ts). */
    clientSideProvider?: () => k8s.Provider;
    /** Put before every object's and hook's Pulumi name: a fleet member's own name (see Application). */
    namePrefix?: string;
    /** What the first stage waits for: the last gates of the Applications this one syncs after. */
    after?: pulumi.Resource[];
    /** Others wait for this Application: a last gate measures all its objects live on every sync. */
    measuredLive?: boolean;
    /** The parent or ApplicationSet that declares it, kept in the record for the policy pack. */
    origin?: { parent?: string; applicationSet?: string };
    /** The child Applications it renders, kept in the record: the mass-deletion guard compares them with the last sync's. */
    children?: string[];
    /** The children's specs, waves and files: a parent that does not prune keeps those that left its render (components/fleet/child-applications.ts). */
    childSpecs?: Record<string, RecordedChild>;
    /** Children kept though they left the render (no prune): reported as requiring pruning. */
    keptChildren?: string[];
    /** Whether this sync may delete children that left the render (the parent's prune). */
    childrenPruned?: boolean;
    /** The parent may have had children before (the record's guard then needs childrenPruned). */
    childrenBefore?: boolean;
    /** `syncwave sync --allow-fleet-deletion`. */
    allowFleetDeletion?: boolean;
}

export interface HookRun {
    desired: string;
    runKey: string;
}

export class ApplicationGraph {
    constructor(
        private readonly ctx: GraphContext,
        private readonly args: ApplicationArgs,
        private readonly provider: k8s.Provider,
    ) {}

    /** The resources that prove this Application synced and Healthy (its result, and its live gate): what others wait on. */
    public completion: pulumi.Resource[] = [];

    private get prefix(): string {
        return this.ctx.namePrefix ?? "";
    }

    private get timeout(): string {
        return this.args.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT;
    }

    /** Declares the whole sync; returns the Application's health, its worst resource's as in Argo CD. */
    declare(plan: SyncPlan, fetched: readonly FetchedSource[], tracking: { pruneEnabled: boolean }): pulumi.Output<Health> {
        const record = this.declareRecord(plan, fetched);
        return this.declareStages(plan, fetched.map((f) => f.revision).join(","), record, tracking);
    }

    private declareStages(plan: SyncPlan, revision: string, record: pulumi.Resource, tracking: { pruneEnabled: boolean }): pulumi.Output<Health> {
        const gates: HealthGate[] = [];
        const siblingParents = (this.args.siblings ?? [])
            .filter((s) => s !== this.ctx.application)
            .map((s) => pulumi.createUrn(s, "syncwave:index:Application"));
        // Every stage depends on all earlier gates, not only the last one.
        let earlierGates: pulumi.Resource[] = [record, ...(this.ctx.after ?? []), ...this.declareCreatedNamespace(plan)];
        // Pruning comes after the Sync phase's last wave is Healthy and before PostSync hooks.
        let pruner: pulumi.Resource | undefined;
        const declarePruner = () => {
            if (pruner) return;
            pruner = this.declarePruner(plan, tracking, earlierGates);
            earlierGates = [...earlierGates, pruner];
        };
        const syncFailHooks = this.hookRuns(plan.syncFailHooks, "SyncFail");
        // One object for every gate of the Application: its gate provider is serialized once.
        const healthRules = { ...(this.args.project.healthChecks ?? {}), ...(this.args.healthChecks ?? {}) };
        plan.stages.forEach((stage: Stage) => {
            if (stage.phase === "PostSync") declarePruner();
            const members: pulumi.Resource[] = [];
            // Inside a stage, a Namespace or CRD (first by kind order) must exist before what needs it.
            const prerequisites = new Map<string, pulumi.Resource>();
            for (const r of stage.resources) {
                const needs = prerequisitesOf(r, prerequisites);
                const resource = this.declareResource(r, [...earlierGates, ...needs], siblingParents);
                members.push(resource);
                for (const provided of providedBy(r)) prerequisites.set(provided, resource);
            }
            for (const hook of stage.hooks) {
                const needs = prerequisitesOf(hook, prerequisites);
                members.push(this.declareHook(hook, stage, [...earlierGates, ...needs], syncFailHooks, healthRules));
            }
            const gate = stageGate(
                this.ctx.parent,
                members,
                {
                    ...this.ctx.access,
                    application: this.ctx.application,
                    stage: `${stage.phase} wave ${stage.wave}`,
                    resources: stage.resources.map(gateResource),
                    digest: stage.digest,
                    timeoutMs: parseTimeout(this.timeout),
                    ...(this.args.degradedGrace ? { degradedGraceMs: requireDuration(this.args.degradedGrace, { field: "degradedGrace" }) } : {}),
                    syncId: `${revision}:${plan.digest}`,
                    syncFailHooks,
                },
                healthRules,
            );
            earlierGates = [...earlierGates, ...gate];
            gates.push(...gate.filter((g): g is HealthGate => g instanceof HealthGate));
        });
        declarePruner();
        // Another Application waits for this one: prove it Healthy now, even when nothing of it changed
        // (its stage gates ran only if their stage did), so the wait never rests on a stale status.
        if (this.ctx.measuredLive && plan.managed.length > 0) {
            const live = new HealthGate(
                `${this.ctx.application}:live`,
                {
                    ...this.ctx.access,
                    application: this.ctx.application,
                    stage: "live health",
                    resources: plan.managed.map(gateResource),
                    digest: `${plan.digest}:${liveRunId()}`,
                    timeoutMs: parseTimeout(this.timeout),
                    ...(this.args.degradedGrace ? { degradedGraceMs: requireDuration(this.args.degradedGrace, { field: "degradedGrace" }) } : {}),
                    syncId: `${revision}:${plan.digest}`,
                    syncFailHooks: [],
                },
                healthRules,
                { parent: this.ctx.parent, dependsOn: earlierGates },
            );
            earlierGates = [...earlierGates, live];
        }
        const measured = pulumi.all(gates.map((g) => g.health)).apply((all) => all.flat());
        // Last: in the state only when every step of the sync completed.
        const result = new SyncResult(
            `${this.ctx.application}:synced`,
            {
                application: this.ctx.application,
                revision,
                desired: this.ctx.hookRun.desired,
                runKey: this.ctx.hookRun.runKey,
                fingerprint: this.args.fingerprint ?? "",
                health: measured,
            },
            { parent: this.ctx.parent, dependsOn: earlierGates },
        );
        this.completion = [...earlierGates.filter((g) => g instanceof HealthGate).slice(-1), result];
        // The Application's health is its worst resource's, as in Argo CD; hooks are left out.
        return measured.apply((all) => worst(all.map((h) => ({ status: h.status, message: `${h.resource}: ${h.message}` }))));
    }

    /** Strays (components/sync/strays.ts) as inventory entries, under the Application's own sync options. */
    private strayEntries(manifests: readonly Manifest[]): InventoryEntry[] {
        const base = parseSyncOptions(this.args.syncPolicy?.syncOptions ?? [], DEFAULT_SYNC_OPTIONS, { application: this.ctx.application, field: "syncPolicy.syncOptions" });
        return manifests.flatMap((m) => strayEntry(m, base) ?? []);
    }

    /** The Application's inventory and the one place that deletes from the cluster (see providers/pruner.ts). */
    private declarePruner(plan: SyncPlan, tracking: { pruneEnabled: boolean }, dependsOn: pulumi.Resource[]): pulumi.Resource {
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
            `${this.ctx.application}:prune`,
            {
                ...this.ctx.access,
                application: this.ctx.application,
                installation: this.ctx.installationId,
                desired,
                ...(this.args.strays?.length ? { strays: this.strayEntries(this.args.strays) } : {}),
                pruneEnabled: tracking.pruneEnabled,
                claimedElsewhere: this.args.ownership ? pulumi.output(this.args.ownership.claimedByOthers(this.ctx.application, this.ctx.access.cluster.cluster)) : [],
                cascade: cascadeOnDelete(this.args.finalizers, this.args.cascade),
                // Run when the whole Application is deleted, before anything of it is; never on a prune.
                preDeleteHooks: this.hookRuns(plan.preDeleteHooks, "PreDelete"),
                timeoutMs: parseTimeout(this.timeout),
            },
            { parent: this.ctx.parent, dependsOn },
        );
    }

    /** Hooks that run outside the stages (SyncFail, PostDelete), as their runs are described. */
    private hookRuns(hooks: PlannedResource[], phase: string): SyncFailHook[] {
        return hooks.map((h) => ({
            manifest: withAnnotations(h.manifest, trackingAnnotations(this.ctx.application, this.ctx.installationId, h.key)),
            generateName: h.hook?.generateName,
            deletePolicies: h.hook?.deletePolicies ?? ["BeforeHookCreation"],
            phase,
            wave: h.wave,
            timeoutMs: h.healthTimeoutMs ?? parseTimeout(this.timeout),
        }));
    }

    /** The Application's record: first in the graph, so deleting the Application deletes it last. */
    private declareRecord(plan: SyncPlan, fetched: readonly FetchedSource[]): pulumi.Resource {
        const postDeleteHooks = this.hookRuns(plan.postDeleteHooks, "PostDelete");
        const first = fetched[0];
        return new ApplicationRecord(
            `${this.ctx.application}:record`,
            {
                ...this.ctx.access,
                application: this.ctx.application,
                project: this.args.project.projectName,
                repoURL: first.repoURL,
                targetRevision: first.targetRevision,
                revision: first.revision,
                path: first.kind === "chart" ? first.source.chart! : first.path,
                // Only for multiple sources or a chart, so that a single git source's record is unchanged.
                ...(fetched.length > 1 || first.kind === "chart" ? { sources: fetched.map(sourceRecord) } : {}),
                destination: this.args.destination ?? {},
                syncPolicy: this.args.syncPolicy ?? {},
                ignoreDifferences: this.args.ignoreDifferences ?? [],
                postDeleteHooks,
                // Run by the CLI when a sync fails in a step that runs no SyncFail hooks itself (an apply refused).
                syncFailHooks: this.hookRuns(plan.syncFailHooks, "SyncFail"),
                desired: this.ctx.hookRun.desired,
                runKey: this.ctx.hookRun.runKey,
                // The Namespace CreateNamespace applies is declared too, outside the plan.
                kindScopes: { ...plan.kindScopes, ...(this.ctx.namespaceScope ? { "/Namespace": this.ctx.namespaceScope } : {}) },
                // Only for fleet members and parents, so that other records are unchanged.
                ...(this.ctx.origin?.parent ? { parent: this.ctx.origin.parent } : {}),
                ...(this.ctx.origin?.applicationSet ? { applicationSet: this.ctx.origin.applicationSet } : {}),
                ...(this.ctx.children?.length ? { children: this.ctx.children, childSpecs: this.ctx.childSpecs ?? {} } : {}),
                ...(this.ctx.keptChildren?.length ? { keptChildren: this.ctx.keptChildren } : {}),
                ...(this.ctx.children?.length || this.ctx.childrenBefore ? { childrenPruned: this.ctx.childrenPruned ?? false } : {}),
                ...(this.ctx.allowFleetDeletion ? { allowFleetDeletion: true } : {}),
            },
            { parent: this.ctx.parent, dependsOn: this.ctx.after ?? [] },
        );
    }

    /**
     * CreateNamespace=true: the destination namespace exists before the first stage, and is kept; with
     * syncPolicy.managedNamespaceMetadata its labels and annotations are applied on every sync.
     */
    private declareCreatedNamespace(plan: SyncPlan): pulumi.Resource[] {
        const namespace = this.args.destination?.namespace;
        const { createNamespace } = parseSyncOptions(this.args.syncPolicy?.syncOptions ?? [], DEFAULT_SYNC_OPTIONS, {
            application: this.ctx.application,
            field: "syncPolicy.syncOptions",
        });
        const ns = createdNamespaceManifest({
            application: this.ctx.application,
            namespace,
            createNamespace,
            managedNamespaceMetadata: this.args.syncPolicy?.managedNamespaceMetadata,
            declaredByManifests: plan.managed.some((r) => r.key.group === "" && r.key.kind === "Namespace" && r.key.name === namespace),
        });
        if (!ns) return [];
        // Argo CD does not delete namespaces it created for CreateNamespace; neither does SyncWave.
        // Named after its Application: several Applications may create the same namespace (as in Argo
        // CD), and a Pulumi name does not include the parent's. The alias keeps the name it had before.
        const legacy = `/Namespace//${ns.metadata.name}`;
        return [
            new KubernetesObject(`${this.ctx.application}|${legacy}`, ns, {
                parent: this.ctx.parent,
                provider: this.provider,
                retainOnDelete: true,
                dependsOn: this.ctx.after ?? [],
                ...(this.prefix ? {} : { aliases: [{ name: legacy }] }),
            }),
        ];
    }

    private declareResource(r: PlannedResource, dependsOn: pulumi.Resource[], siblingParents: pulumi.Output<string>[]): pulumi.Resource {
        const { application, installationId, parent, access } = this.ctx;
        const ignoreChanges = this.ignoredFields(r);
        if (r.options.replace) {
            // Replace=true is `kubectl replace` (a PUT of the whole object; created when absent), and
            // delete-and-create only with Force=true, as gitops-engine's ReplaceResource does.
            return new ReplacedObject(
                `${this.prefix}${r.id}`,
                {
                    manifest: withAnnotations(r.manifest, trackingAnnotations(application, installationId, r.key)),
                    force: r.options.force,
                    propagationPolicy: r.options.prunePropagationPolicy,
                    // As every managed object: deleting is the Pruner's.
                    retain: true,
                    ...access,
                },
                { parent, dependsOn, ignoreChanges: ignoreChanges?.map((p) => `manifest.${p}`), aliases: siblingParents.map((p) => ({ parent: p })) },
            );
        }
        const tracked = withAnnotations(r.manifest, {
            ...trackingAnnotations(application, installationId, r.key),
            // The stage's HealthGate proves readiness with Argo CD's health rules, by watching.
            "pulumi.com/skipAwait": "true",
        });
        const serverSide = r.options.serverSideApply;
        const manifest = serverSide
            ? // Git wins over fields someone else changed since (Argo CD's apply overwrites them too);
              // fields others may own are declared in ignoreDifferences instead.
              withAnnotations(tracked, { "pulumi.com/patchForce": "true" })
            : withLastApplied(tracked);
        return new KubernetesObject(`${this.prefix}${r.id}`, manifest, {
            parent,
            provider: serverSide ? this.provider : this.clientSideProvider(r),
            dependsOn,
            // The engine never deletes a managed object: what left git, a failed or a removed
            // Application only leaves the state. Deleting is the Pruner's, and only when asked for.
            retainOnDelete: true,
            ignoreChanges,
            aliases: siblingParents.map((p) => ({ parent: p })),
        });
    }

    /** ignoreDifferences' fields, left as they are live only with RespectIgnoreDifferences=true. */
    private ignoredFields(r: PlannedResource): string[] | undefined {
        return fieldsKeptLive(this.ctx.application, this.args.ignoreDifferences ?? [], r);
    }

    /** ServerSideApply=false: the destination's client-side apply provider (see apply-providers.ts). */
    private clientSideProvider(r: PlannedResource): k8s.Provider {
        if (!this.ctx.clientSideProvider) {
            throw new SyncWaveInputError("ServerSideApply=false needs the destination's client-side apply provider, which this program does not declare", {
                application: this.ctx.application,
                file: r.file,
                resource: describeResource(r.key),
                field: `metadata.annotations["argocd.argoproj.io/sync-options"]`,
            });
        }
        return this.ctx.clientSideProvider();
    }

    private declareHook(hook: PlannedResource, stage: Stage, dependsOn: pulumi.Resource[], syncFailHooks: SyncFailHook[], rules: CustomHealthRules): pulumi.Resource {
        return new Hook(
            `${hook.phase}:${this.prefix}${hook.id}`,
            {
                ...this.ctx.access,
                manifest: withAnnotations(hook.manifest, trackingAnnotations(this.ctx.application, this.ctx.installationId, hook.key)),
                generateName: hook.hook?.generateName,
                deletePolicies: hook.hook?.deletePolicies ?? ["BeforeHookCreation"],
                phase: stage.phase,
                wave: stage.wave,
                desired: this.ctx.hookRun.desired,
                runKey: this.ctx.hookRun.runKey,
                hookKey: `${this.ctx.application}:${stage.phase}:${hook.id}`,
                timeoutMs: hook.healthTimeoutMs ?? parseTimeout(this.timeout),
                application: this.ctx.application,
                syncFailHooks,
            },
            rules,
            { parent: this.ctx.parent, dependsOn },
        );
    }
}

/** What the record keeps of one source: enough for the policy pack to check every repository. */
function sourceRecord(f: FetchedSource): SourceRecord {
    return {
        repoURL: f.repoURL,
        targetRevision: f.targetRevision,
        revision: f.revision,
        ...(f.kind === "chart" ? { chart: f.source.chart } : { path: f.path }),
        ...(f.source.ref !== undefined ? { ref: f.source.ref } : {}),
    };
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

/** What a health gate watches of a planned resource. */
function gateResource(r: PlannedResource) {
    return {
        apiVersion: r.manifest.apiVersion,
        kind: r.key.kind,
        namespace: r.key.namespace || undefined,
        name: r.key.name,
        timeoutMs: r.healthTimeoutMs,
        degradedGraceMs: r.degradedGraceMs,
    };
}

/**
 * One id per program run: the live gate's digest, so that it measures again on every sync. The CLI
 * gives the preview and the update of one sync the same id (SYNCWAVE_RUN_ID).
 */
function liveRunId(): string {
    return (process.env.SYNCWAVE_RUN_ID ||= `${Date.now().toString(36)}-${process.pid}`);
}

function parseTimeout(text: string): number {
    return requireDuration(text, { field: "healthTimeout" });
}

/** kubectl's last-applied-configuration on a client-side applied object; a secret for a Secret's. */
function withLastApplied(m: Manifest): Manifest {
    const value = lastAppliedConfiguration(m);
    return withAnnotations(m, { [LAST_APPLIED_ANNOTATION]: (holdsSecretData(m) ? pulumi.secret(value) : value) as unknown as string });
}

function withAnnotations(m: Manifest, annotations: Record<string, string>): Manifest {
    return { ...m, metadata: { ...m.metadata, annotations: { ...(m.metadata.annotations ?? {}), ...annotations } } };
}
