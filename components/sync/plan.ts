// The sync plan: Argo CD's ordering of an Application's manifests into stages, one per (phase, wave),
// with hooks, skipped resources, namespace and CRD hoisting and per-resource sync options. Pure: no
// Pulumi and no I/O, so it is tested with plain tables.
import { createHash } from "node:crypto";
import {
    ANNOTATION,
    checkCompareOptions,
    checkSyncWaveAnnotations,
    durationAnnotation,
    hookDeletePolicies,
    hookTypes,
    syncWave,
    type HookDeletePolicy,
    type Phase,
} from "./annotations";
import { SyncWaveInputError } from "./errors";
import { kindRank } from "./kind-order";
import { namespaceProblem, nameProblem } from "./names";
import {
    apiGroup,
    describeResource,
    keyString,
    resourceKey,
    type Manifest,
    type ResourceKey,
    type SourcedManifest,
} from "./manifest";
import { scopeOrSkipDryRun, type MissingKindGuess } from "./missing-resource";
import { kindScopesFor, scopeResolver, type DiscoveredKinds, type Scope } from "./scope";
import { checkOptionCombinations, DEFAULT_SYNC_OPTIONS, parseSyncOptions, splitSyncOptionsAnnotation, type SyncOptions } from "./sync-options";

/** Phases in the order a sync runs them; SyncFail runs only when the sync fails. */
export const PHASE_ORDER: readonly Phase[] = ["PreSync", "Sync", "PostSync"];

export interface PlannedResource {
    key: ResourceKey;
    /** group/kind/namespace/name: stable identity, used for the Pulumi name. */
    id: string;
    manifest: Manifest;
    file: string;
    phase: Phase;
    wave: number;
    options: SyncOptions;
    /** Set for hooks: they are run by a Hook resource, not managed as live objects. */
    hook?: { types: Phase[]; deletePolicies: HookDeletePolicy[]; generateName?: string };
    /** Per-resource health timeout from syncwave.dev/health-timeout, in milliseconds. */
    healthTimeoutMs?: number;
    /** Per-resource grace for a Degraded pod from syncwave.dev/degraded-grace, in milliseconds. */
    degradedGraceMs?: number;
}

export interface Stage {
    phase: Phase;
    wave: number;
    /** Managed resources first, in Argo CD's kind order, then name. */
    resources: PlannedResource[];
    hooks: PlannedResource[];
    /** Digest of the stage's desired manifests: a gate reruns exactly when this changes. */
    digest: string;
}

export interface SyncPlan {
    application: string;
    /** PreSync, Sync and PostSync stages in execution order. */
    stages: Stage[];
    /** Hooks that run only when the sync fails, in wave order. */
    syncFailHooks: PlannedResource[];
    /** Hooks that run when the Application is deleted. */
    preDeleteHooks: PlannedResource[];
    postDeleteHooks: PlannedResource[];
    /** Resources annotated Skip: never applied. */
    skipped: PlannedResource[];
    /** Every managed (non-hook) resource, in sync order. */
    managed: PlannedResource[];
    /** Digest of everything desired: the revision's identity as far as the cluster is concerned. */
    digest: string;
    /** The scope of every kind the plan declares ("group/Kind"), from discovery and the plan's CRDs. */
    kindScopes: Record<string, Scope>;
}

export interface PlanInput {
    application: string;
    manifests: readonly SourcedManifest[];
    /** The destination namespace, given to namespaced resources that name none. */
    namespace?: string;
    /** The Application's syncPolicy.syncOptions. */
    syncOptions?: readonly string[];
    /** Refuse an empty render unless the Application allows it (syncPolicy.automated.allowEmpty). */
    allowEmpty?: boolean;
    /** What the destination's API discovery serves: a kind's scope is never guessed. */
    kinds: DiscoveredKinds;
}

function digestOf(values: unknown[]): string {
    return createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 16);
}

function validateManifest(app: string, s: SourcedManifest): void {
    const m = s.manifest as Partial<Manifest>;
    const where = { application: app, file: s.file };
    if (!m || typeof m !== "object" || Array.isArray(m)) {
        throw new SyncWaveInputError("a document is not a Kubernetes object", where);
    }
    if (typeof m.apiVersion !== "string" || !m.apiVersion) throw new SyncWaveInputError("apiVersion is missing", { ...where, field: "apiVersion" });
    if (typeof m.kind !== "string" || !m.kind) throw new SyncWaveInputError("kind is missing", { ...where, field: "kind" });
    if (!m.metadata || typeof m.metadata !== "object") {
        throw new SyncWaveInputError(`${m.kind} has no metadata`, { ...where, field: "metadata" });
    }
    if (!m.metadata.name && !m.metadata.generateName) {
        throw new SyncWaveInputError(`${m.kind} has neither metadata.name nor metadata.generateName`, { ...where, field: "metadata.name" });
    }
    const group = apiGroup(m.apiVersion);
    // Application and ApplicationSet manifests are read by their own readers, with their own list.
    if (!(group === "argoproj.io" && (m.kind === "Application" || m.kind === "ApplicationSet"))) checkSyncWaveAnnotations(s);
    for (const [field, value, problem] of [
        ["metadata.name", m.metadata.name, (v: string) => nameProblem(group, m.kind!, v)],
        ["metadata.namespace", m.metadata.namespace, namespaceProblem],
    ] as const) {
        if (value === undefined) continue;
        const why = typeof value === "string" ? problem(value) : "must be a string";
        if (why) throw new SyncWaveInputError(`${m.kind} ${field} "${String(value)}" ${why}`, { ...where, field });
    }
}

const PHASE_RANK: Record<Phase, number> = { PreSync: 0, Sync: 1, PostSync: 2, SyncFail: 3, PreDelete: 4, PostDelete: 5 };

function compareTasks(a: PlannedResource, b: PlannedResource): number {
    return (
        PHASE_RANK[a.phase] - PHASE_RANK[b.phase] ||
        a.wave - b.wave ||
        kindRank(a.key.kind) - kindRank(b.key.kind) ||
        a.key.name.localeCompare(b.key.name)
    );
}

/** Builds the plan, or throws a SyncWaveInputError that names the file, resource and field. */
export function planSync(input: PlanInput): SyncPlan {
    const app = input.application;
    for (const s of input.manifests) validateManifest(app, s);
    if (input.manifests.length === 0 && !input.allowEmpty) {
        throw new SyncWaveInputError(
            "the source rendered no manifests; refusing to sync, since that would prune every resource " +
                "(set syncPolicy.automated.allowEmpty to allow it)",
            { application: app },
        );
    }
    const appOptions = parseSyncOptions(input.syncOptions ?? [], DEFAULT_SYNC_OPTIONS, {
        application: app,
        field: "syncPolicy.syncOptions",
    });
    const scopes = scopeResolver(
        input.manifests.map((s) => s.manifest),
        input.kinds,
    );

    const tasks: PlannedResource[] = [];
    const seen = new Map<string, string>();
    // Kinds nobody knows yet, allowed by SkipDryRunOnMissingResource=true: their scope as guessed.
    const guessed = new Map<string, MissingKindGuess>();
    for (const s of input.manifests) {
        const skipDryRun = skipDryRunRequested(s.manifest, appOptions);
        const namespaced = scopeOrSkipDryRun(scopes, s.manifest, skipDryRun, guessed, { application: app, file: s.file }) === "Namespaced";
        // Namespaced resources without a namespace go to the destination namespace; cluster-scoped
        // ones never carry one, as the API server would drop it anyway.
        const metadata = { ...s.manifest.metadata };
        if (namespaced && !metadata.namespace && input.namespace) metadata.namespace = input.namespace;
        if (!namespaced) delete metadata.namespace;
        const manifest: Manifest = { ...s.manifest, metadata };
        const sourced = { manifest, file: s.file };
        const key = resourceKey(manifest);
        const resource = describeResource(key);
        const types = hookTypes(sourced);
        checkCompareOptions(sourced);
        const options = parseSyncOptions(splitSyncOptionsAnnotation(metadata.annotations?.[ANNOTATION.syncOptions]), appOptions, {
            application: app,
            file: s.file,
            resource,
            field: `metadata.annotations["${ANNOTATION.syncOptions}"]`,
        });
        checkOptionCombinations(key, options, { application: app, file: s.file, resource, field: `metadata.annotations["${ANNOTATION.syncOptions}"]` });
        const base = {
            key,
            id: keyString(key),
            manifest,
            file: s.file,
            wave: syncWave(sourced),
            options,
            healthTimeoutMs: durationAnnotation(sourced, ANNOTATION.healthTimeout),
            degradedGraceMs: durationAnnotation(sourced, ANNOTATION.degradedGrace),
        };
        if (types.length === 0) {
            const previous = seen.get(base.id);
            if (previous !== undefined) {
                throw new SyncWaveInputError(`${resource} is declared twice (also in ${previous})`, {
                    application: app,
                    file: s.file,
                    resource,
                });
            }
            seen.set(base.id, s.file);
            tasks.push({ ...base, phase: "Sync" });
            continue;
        }
        const hook = {
            types: types.filter((t): t is Phase => t !== "Skip"),
            deletePolicies: hookDeletePolicies(sourced),
            generateName: metadata.name ? undefined : metadata.generateName,
        };
        if (types.includes("Skip")) {
            tasks.push({ ...base, phase: "Sync", hook: { ...hook, types: [] } });
            continue;
        }
        // A hook listed for several phases runs in each of them, as Argo CD runs it.
        for (const phase of hook.types) tasks.push({ ...base, phase, hook });
    }

    hoistPrerequisites(tasks);
    tasks.sort(compareTasks);

    const skipped = tasks.filter((t) => t.hook && t.hook.types.length === 0);
    const active = tasks.filter((t) => !skipped.includes(t));
    const byStage = new Map<string, Stage>();
    const stages: Stage[] = [];
    for (const t of active.filter((t) => PHASE_ORDER.includes(t.phase))) {
        const id = `${t.phase}/${t.wave}`;
        let stage = byStage.get(id);
        if (!stage) {
            stage = { phase: t.phase, wave: t.wave, resources: [], hooks: [], digest: "" };
            byStage.set(id, stage);
            stages.push(stage);
        }
        (t.hook ? stage.hooks : stage.resources).push(t);
    }
    for (const stage of stages) {
        stage.digest = digestOf([...stage.resources, ...stage.hooks].map((t) => [t.id, t.manifest, t.options]));
    }
    const managed = active.filter((t) => !t.hook);
    return {
        application: app,
        stages,
        syncFailHooks: active.filter((t) => t.phase === "SyncFail"),
        preDeleteHooks: active.filter((t) => t.phase === "PreDelete"),
        postDeleteHooks: active.filter((t) => t.phase === "PostDelete"),
        skipped,
        managed,
        digest: digestOf(active.map((t) => [t.id, t.phase, t.wave, t.manifest])),
        kindScopes: {
            // Guessed for SkipDryRunOnMissingResource (see missing-resource.ts), so the Project's rules
            // and the policy pack judge such an object by the scope it is applied with.
            ...Object.fromEntries([...guessed].map(([key, g]) => [key, g.scope])),
            ...kindScopesFor(
                input.manifests.map((s) => s.manifest),
                input.kinds,
            ),
        },
    };
}

/**
 * Whether the resource asks for SkipDryRunOnMissingResource (its annotation over the Application's
 * options). Read before the resource's scope is known; a malformed annotation counts as not asking,
 * and is refused with its own error once the scope is.
 */
function skipDryRunRequested(manifest: Manifest, appOptions: SyncOptions): boolean {
    try {
        return parseSyncOptions(splitSyncOptionsAnnotation(manifest.metadata?.annotations?.[ANNOTATION.syncOptions]), appOptions, { field: "" })
            .skipDryRunOnMissingResource;
    } catch {
        return false;
    }
}

/**
 * A Namespace or CRD that another task needs moves in front of the earliest task that needs it: into
 * that task's phase and wave, where Helm's kind order then applies it first.
 */
function hoistPrerequisites(tasks: PlannedResource[]): void {
    const namespaces = new Map<string, PlannedResource>();
    const crds = new Map<string, PlannedResource>();
    for (const t of tasks) {
        if (t.hook) continue;
        if (t.key.group === "" && t.key.kind === "Namespace") namespaces.set(t.key.name, t);
        if (t.key.group === "apiextensions.k8s.io" && t.key.kind === "CustomResourceDefinition") {
            const spec = t.manifest.spec as { group?: string; names?: { kind?: string } } | undefined;
            if (spec?.group && spec.names?.kind) crds.set(`${spec.group}/${spec.names.kind}`, t);
        }
    }
    const earlier = (a: PlannedResource, b: PlannedResource) => PHASE_RANK[a.phase] < PHASE_RANK[b.phase] || (a.phase === b.phase && a.wave < b.wave);
    for (const t of tasks) {
        if (!PHASE_ORDER.includes(t.phase)) continue;
        const needs = [namespaces.get(t.key.namespace), crds.get(`${t.key.group}/${t.key.kind}`)];
        for (const prerequisite of needs) {
            if (prerequisite && prerequisite !== t && earlier(t, prerequisite)) {
                prerequisite.phase = t.phase;
                prerequisite.wave = t.wave;
            }
        }
    }
}
