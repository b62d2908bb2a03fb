// Application: Argo CD's reconciliation boundary as a Pulumi component. Its steps, one module each
// under application/: source (fetch and render), plan (components/sync/plan.ts), enforce (Project,
// windows, takeover), graph (the stages as resources, gates, hooks, the Pruner). A failure before the
// graph step fails the Application before anything is declared.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { destinationKubeconfig } from "./cluster-connection";
import { checkDestination, checkSourceRepo, destinationServiceAccount, type Violation } from "./project/rules";
import type { Health } from "./health/status";
import { SyncWaveInputError } from "./sync/errors";
import { checkApplicationAnnotations, checkAutoRollback } from "./stack-config";
import { describeResource } from "./sync/manifest";
import { planSync } from "./sync/plan";
import { prepareIgnoreDifferences } from "./sync/ignore-differences";
import { discoverKinds } from "./cluster/discovery";
import { clusterRef, inlineKubeconfig } from "./cluster/connection-ref";
import { pruneRequested } from "./sync/prune";
import { desiredStateDigest } from "./sync/hook-runs";
import { reportApplication } from "./report";
import { requireDuration } from "./duration";
import { checkPlan, failOn, refuseOnUpdate, syncWindowBlockers, takeoverBlockers } from "./application/enforce";
import { clientSideApplyProvider } from "./application/apply-providers";
import { ApplicationGraph } from "./application/graph";
import { valueOf } from "./application/inputs";
import { fetchApplicationSources, renderManifests } from "./application/source";
import { declaredSources } from "./source/sources-spec";
import { requireSignedSources } from "./application/signatures";
import type { ApplicationArgs, ApplicationSummary, StageSummary } from "./application/types";
import type { Readiness } from "./fleet/declarer";
import { declareChildren, orderChildren } from "./application/children";
import { keptChildren, splitChildApplications } from "./fleet/child-applications";
import { worst } from "./health/status";
import { notificationFacts, type NotificationFacts } from "./notification-facts";

/** The Application's subscriptions and spec as the CLI's notifications read them (see notification-facts.ts). */
function factsOf(args: ApplicationArgs): NotificationFacts {
    return notificationFacts({ ...args, project: args.project?.projectName ?? "", projectAnnotations: args.project?.spec?.annotations });
}

export type { ApplicationSpec } from "./application-spec";
export type { ApplicationArgs, ApplicationSummary, StageSummary } from "./application/types";

export class Application extends pulumi.ComponentResource {
    declare public readonly applicationName: string;
    /** What the sync resolved and planned: revision, stages, digest (see initialize). */
    public readonly summary: pulumi.Output<ApplicationSummary>;
    /** Settles once the Application declared its sync (or failed): what another Application waits on. */
    declare public readonly ready: Promise<Readiness>;

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
        let settle: (r: Readiness) => void = () => undefined;
        (this as { ready: Promise<Readiness> }).ready = new Promise<Readiness>((resolve) => (settle = resolve));
        this.steps = {};
        this.isolating = Boolean(args.isolateFailures && pulumi.runtime.isDryRun());
        args.ownership?.expect(name);
        try {
            const outputs = await this.synchronize(args, settle);
            reportApplication({
                application: name,
                status: "ok",
                repoURL: outputs.repoURL,
                targetRevision: outputs.targetRevision,
                commit: outputs.revision,
                revisions: outputs.revisions,
                pruneEnabled: outputs.pruneEnabled,
                autoRollback: args.autoRollback === true,
                stages: outputs.stages,
                timings: this.steps,
                ...(outputs.keptChildren?.length ? { keptChildren: outputs.keptChildren } : {}),
                notification: factsOf(args),
            });
            return outputs;
        } catch (err) {
            settle({ application: name, ok: false, reason: (err as Error).message.split("\n")[0], resources: [] });
            args.ownership?.settle(name);
            for (const child of this.expectedChildren ?? []) args.ownership?.settle(child);
            // Only a preview may isolate a failure: an update that left the Application out would make
            // the engine drop (never delete: every object is retained) what it manages from the state.
            if (!(args.isolateFailures && pulumi.runtime.isDryRun())) throw err;
            const reason = (err as Error).message;
            const first = args.source ?? args.sources?.[0];
            reportApplication({ application: name, status: "failed", reason, repoURL: first?.repoURL, targetRevision: first?.targetRevision, notification: factsOf(args) });
            pulumi.log.warn(`cannot be synced now, left out of this sync: ${reason}`, this);
            return { status: "failed", reason, project: args.project?.projectName ?? "", repoURL: first?.repoURL ?? "" };
        }
    }

    private async synchronize(args: ApplicationArgs, settle: (r: Readiness) => void): Promise<ApplicationSummary> {
        const name = this.applicationName;
        const project = args.project;
        const spec = project.spec;
        const destination = args.destination ?? {};
        // Fleet members (children, generated Applications) name their objects after themselves: two of
        // them may hold the same object on two clusters, and Pulumi names do not include the parent's.
        const namePrefix = args.origin?.parent !== undefined || args.origin?.applicationSet !== undefined ? `${name}|` : "";

        // Stack config and manifests were checked when read; a TypeScript program's arguments are checked here.
        checkAutoRollback(name, args, { application: name, field: "autoRollback" });
        checkApplicationAnnotations(args.annotations, (key) => ({ application: name, field: `annotations["${key}"]` }));
        // dependsOn names Applications, which only a declarer resolves (the stack program, a parent, an
        // ApplicationSet); a TypeScript program waits on others with `after: [other.ready]`.
        if (args.dependsOn?.length && !args.dependsOnResolved) {
            throw new SyncWaveInputError("dependsOn names Applications, which only the stack program, a parent or an ApplicationSet resolves: in TypeScript pass after: [other.ready]", {
                application: name,
                field: "dependsOn",
            });
        }
        // dependsOn, earlier child waves, earlier rollout steps: each must be able to sync, or this one cannot.
        const upstream = await Promise.all(args.after ?? []);
        for (const u of upstream.filter((x) => x.ok && x.measured === false)) {
            // Only in TypeScript: the declarers measure what they make others wait on.
            pulumi.log.warn(`waits for application ${u.application}, whose health is measured only when its stages change: give it measuredLive: true so the wait rests on this sync's health`, this);
        }
        const blocked = upstream.filter((u) => !u.ok);
        if (blocked.length > 0) {
            throw new SyncWaveInputError(`waits for ${blocked.map((b) => `application ${b.application} (${b.reason ?? "failed"})`).join(", ")}, which cannot sync now`, {
                application: name,
                field: "dependsOn",
            });
        }

        // Durations the user wrote are refused before anything is fetched, never half-way through declaring.
        if (args.degradedGrace !== undefined) requireDuration(args.degradedGrace, { application: name, field: "degradedGrace" });
        const declared = declaredSources(name, args);
        // Every source is checked, a `ref` source too: it supplies files just as much as the others.
        failOn(name, declared.map((d) => checkSourceRepo(project.projectName, spec, d.source.repoURL)).filter((v): v is Violation => Boolean(v)));
        failOn(name, [checkDestination(project.projectName, spec, { ...destination, namespace: destination.namespace ?? "" })].filter((v): v is Violation => Boolean(v)));

        const fetched = await this.step("git fetch", () => fetchApplicationSources(name, args, declared, this));
        const first = fetched[0];
        const revisions = fetched.map((f) => f.revision);
        // signatureKeys: every git commit this sync would apply is signed by one of the Project's keys.
        await this.step("signatures", () => requireSignedSources(name, project, fetched));

        const impersonate = destinationServiceAccount(spec, { ...destination, namespace: destination.namespace ?? "" });
        const clusters = (await valueOf(args.clusters)) ?? {};
        const kubeconfig = destinationKubeconfig(name, destination, clusters, impersonate);
        // Gates, hooks, the record and the pruner name the cluster; they never store its credentials.
        const ref = clusterRef(name, destination, clusters, impersonate);
        const inline = inlineKubeconfig(ref, clusters);
        const provider = new k8s.Provider(
            `${name}-destination`,
            { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true },
            { parent: this },
        );

        const rendered = await this.step("render", () => renderManifests(name, args, fetched, provider));
        // App of apps: rendered Applications are children, declared below once this one's own sync is.
        const { children: renderedChildren, own: manifests } = splitChildApplications(name, rendered);
        const pruneEnabled = pruneRequested(args.syncKind ?? "automated", args.syncPolicy?.automated?.prune, args.prune ?? false);
        // A child that left the render is an Application object to prune: without prune, Argo CD keeps
        // it (OutOfSync, requiring pruning) and it goes on syncing as it was; so does SyncWave.
        const kept = keptChildren(renderedChildren, args.fleet?.previousChildren(name) ?? {}, pruneEnabled);
        for (const c of kept) pulumi.log.warn(`child application ${c.name} left the manifests of ${name}: kept as it was, since ${pruneEnabled ? "it says Prune=false" : "this sync does not prune (requires pruning)"}`, this);
        const children = orderChildren(name, [...renderedChildren, ...kept], args);
        // Children claim their objects later: every sibling's pruner waits for them (ownership.ts).
        for (const c of children) args.ownership?.expect(c.name);
        this.expectedChildren = children.map((c) => c.name);
        let kinds;
        try {
            kinds = await this.step("discovery", () => discoverKinds(kubeconfig, 30_000));
        } catch (err) {
            throw new SyncWaveInputError(`reading the destination's API discovery failed: ${(err as Error).message}`, { application: name, field: "destination" });
        }
        const plan = await this.step("plan", () => planSync({
            application: name,
            kinds,
            manifests,
            namespace: destination.namespace,
            syncOptions: args.syncPolicy?.syncOptions,
            // A parent that renders only Applications has no objects of its own.
            allowEmpty: args.syncPolicy?.automated?.allowEmpty || children.length > 0,
        }));
        checkPlan(name, plan, project, destination);
        // Every ignoreDifferences rule is valid (pointers, jq) before anything is declared.
        await prepareIgnoreDifferences(name, args.ignoreDifferences ?? []);
        try {
            for (const r of plan.managed) args.ownership?.claim(name, r.id, describeResource(r.key), r.file, ref.cluster);
        } finally {
            args.ownership?.settle(name);
        }
        const installationId = args.installation ?? `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
        const blockers = [
            ...syncWindowBlockers(name, args),
            ...(await this.step("takeover check", () => takeoverBlockers({ application: name, installationId, parent: this }, plan, project, kubeconfig))),
        ];
        refuseOnUpdate(name, blockers, this.isolating, this);
        const graph = new ApplicationGraph(
            {
                parent: this,
                application: name,
                installationId,
                access: { cluster: ref, ...(inline ? { kubeconfig: pulumi.secret(inline) } : {}) },
                namespaceScope: kinds.kinds["/Namespace"]?.scope,
                hookRun: { desired: desiredStateDigest(plan.digest, args.syncPolicy?.syncOptions ?? []), runKey: args.hookRunKey ?? "" },
                clientSideProvider: clientSideApplyProvider(name, pulumi.secret(kubeconfig), this),
                namePrefix,
                after: upstream.flatMap((u) => u.resources),
                // Its children wait for it: they too must rest on health measured in this sync.
                measuredLive: (args.measuredLive ?? false) || children.length > 0,
                origin: args.origin,
                children: children.map((c) => c.name),
                childSpecs: Object.fromEntries(children.map((c) => [c.name, { spec: c.spec, wave: c.wave, file: c.file, ...(c.prune ? {} : { prune: false }) }])),
                keptChildren: kept.map((c) => c.name),
                childrenPruned: pruneEnabled,
                childrenBefore: Object.keys(args.fleet?.previousChildren(name) ?? {}).length > 0,
                allowFleetDeletion: args.fleet?.allowFleetDeletion ?? false,
            },
            args,
            provider,
        );
        const declaring = performance.now();
        const ownHealth = graph.declare(plan, fetched, { pruneEnabled });
        this.steps.declare = performance.now() - declaring;
        const childApps = declareChildren(name, children, { args, parent: this, completion: graph.completion });
        // Whoever waits for a parent waits for its children too (each child's own completion), and a
        // child that cannot sync makes the parent not ready. Settled only once the children are declared.
        const childReadiness = await Promise.all(childApps.map((c) => c.ready));
        const blockedChild = childReadiness.find((r) => !r.ok);
        settle(
            blockedChild
                ? { application: name, ok: false, reason: `child application ${blockedChild.application}: ${blockedChild.reason ?? "cannot sync"}`, resources: [] }
                : { application: name, ok: true, measured: (args.measuredLive ?? false) || children.length > 0, resources: [...graph.completion, ...childReadiness.flatMap((r) => r.resources)] },
        );
        // A parent's health is its worst child's (or its own objects', if worse), as Argo CD's Application health rule gives it.
        const health = pulumi
            .all([ownHealth, ...childApps.map((c) => c.summary.apply((s) => s.health))])
            .apply((all) => worst(all.filter((h): h is Health => Boolean(h))));

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
            repoURL: first.repoURL,
            targetRevision: first.targetRevision,
            revision: first.revision,
            revisions,
            path: first.kind === "chart" ? first.source.chart! : first.path,
            destination,
            digest: plan.digest,
            health: health as unknown as Health,
            stages,
            skipped: plan.skipped.map((r) => describeResource(r.key)),
            pruneEnabled,
            ...(children.length > 0 ? { children: children.map((c) => c.name) } : {}),
            ...(kept.length > 0 ? { keptChildren: kept.map((c) => c.name) } : {}),
        };
    }

    // Set inside initialize, which runs within super(): a field initializer would overwrite it.
    declare private isolating: boolean;
    declare private steps: Record<string, number>;
    declare private expectedChildren: string[] | undefined;

    /** Times one step of the sync for the CLI's --timings (see report.ts). */
    private async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
        const start = performance.now();
        try {
            return await fn();
        } finally {
            this.steps[name] = (this.steps[name] ?? 0) + (performance.now() - start);
        }
    }
}
