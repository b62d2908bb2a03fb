// The enforce step of an Application: its plan against its Project (source repository, destination,
// kinds, namespaces), its sync windows, and who owns the live objects it would write. Violations fail
// the Application before anything is declared; blockers that depend on time or on the cluster are
// warnings in a preview (so a reviewer sees them) and refusals in an update.
import * as pulumi from "@pulumi/pulumi";
import { readLiveAnnotations } from "../cluster/live-annotations";
import type { Project } from "../project";
import { checkNamespacedTarget, checkResourceKind, type Violation } from "../project/rules";
import { syncWindowVerdict } from "../project/sync-windows";
import { SyncWaveInputError } from "../sync/errors";
import { describeResource } from "../sync/manifest";
import type { SyncPlan } from "../sync/plan";
import { ADOPT_ANNOTATION, liveOwner, takeoverVerdict } from "../sync/tracking";
import type { ApplicationArgs } from "./types";

export function failOn(application: string, violations: (Violation & { resource?: string; file?: string })[]): void {
    if (violations.length === 0) return;
    const lines = violations.map(
        (v) => `  [${v.rule}] ${v.resource ? `${v.resource}${v.file ? ` (${v.file})` : ""}: ` : ""}${v.message}`,
    );
    throw new SyncWaveInputError(`refused by its project:\n${lines.join("\n")}`, { application });
}

/** Every object of the plan, hooks included, against the Project's kind lists and namespaces. */
export function checkPlan(application: string, plan: SyncPlan, project: Project, destination: ApplicationArgs["destination"]): void {
    const violations: (Violation & { resource: string; file: string })[] = [];
    const everything = [...plan.managed, ...plan.stages.flatMap((s) => s.hooks), ...plan.syncFailHooks, ...plan.postDeleteHooks];
    for (const r of everything) {
        // Every kind of the plan has a scope by now: planSync refused the ones discovery does not know.
        const clusterScoped = plan.kindScopes[`${r.key.group}/${r.key.kind}`] === "Cluster";
        const checks = [
            checkResourceKind(project.projectName, project.spec, r.key, clusterScoped),
            clusterScoped ? undefined : checkNamespacedTarget(project.projectName, project.spec, { ...(destination ?? {}), namespace: r.key.namespace }),
        ];
        for (const v of checks) if (v) violations.push({ ...v, resource: describeResource(r.key), file: r.file });
    }
    failOn(application, violations);
}

/** An active deny window (or a closed allow window) as Argo CD's CanSync decides for this kind of sync. */
export function syncWindowBlockers(application: string, args: ApplicationArgs): string[] {
    const verdict = syncWindowVerdict(
        args.project.spec.syncWindows ?? [],
        { application, namespace: args.destination?.namespace, cluster: args.destination?.server ?? args.destination?.name },
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
export async function takeoverBlockers(
    context: { application: string; installationId: string; parent: pulumi.Resource },
    plan: SyncPlan,
    project: Project,
    kubeconfig: string,
): Promise<string[]> {
    if (plan.managed.length === 0) return [];
    let live;
    try {
        live = await readLiveAnnotations(
            kubeconfig,
            plan.managed.map((r) => ({ id: r.id, apiVersion: r.manifest.apiVersion, kind: r.key.kind, namespace: r.key.namespace || undefined, name: r.key.name })),
        );
    } catch (err) {
        // Fail closed: without knowing who owns the live objects, nothing may be applied over them.
        throw new SyncWaveInputError((err as Error).message, { application: context.application });
    }
    const blockers: string[] = [];
    for (const r of plan.managed) {
        if (!live.annotations.has(r.id) || live.annotations.get(r.id) === undefined) continue;
        const owner = liveOwner(live.annotations.get(r.id), context.application, context.installationId, r.key);
        const verdict = takeoverVerdict(owner, {
            // r.options already holds the Application's syncOptions under the object's own.
            failOnShared: r.options.failOnSharedResource || project.spec.failOnSharedResource === true,
            adopt: r.manifest.metadata.annotations?.[ADOPT_ANNOTATION] === "true" || project.spec.adoptExisting === true,
        });
        const where = `${describeResource(r.key)} (${r.file})`;
        if (verdict.action === "warn") pulumi.log.warn(`${where}: ${verdict.message}`, context.parent);
        if (verdict.action === "refuse") blockers.push(`${where}: ${verdict.message}`);
    }
    return blockers;
}

/** What an update must refuse: a preview shows it as a warning (so a reviewer sees it), an update fails before anything is applied. */
export function refuseOnUpdate(application: string, blockers: string[], isolating: boolean, parent: pulumi.Resource): void {
    if (blockers.length === 0) return;
    const message = blockers.join("\n");
    if (pulumi.runtime.isDryRun() && !isolating) {
        for (const b of blockers) pulumi.log.warn(`${b}; 'pulumi up' will refuse to sync`, parent);
        return;
    }
    throw new SyncWaveInputError(message, { application });
}
