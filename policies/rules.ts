// The policy pack's rules, as pure functions of the stack and the platform team's configuration.
// Project boundaries reuse the Project component's own rules: one implementation, two layers.
import { globMatch } from "../components/project/glob";
import { checkNamespacedTarget, checkResourceKind, checkSourceRepo } from "../components/project/rules";
import { syncWindowVerdict } from "../components/project/sync-windows";
import { ANNOTATION } from "../components/sync/annotations";
import { describeResource, resourceKey, type Manifest } from "../components/sync/manifest";
import { governingProject, type BoundariesConfig } from "./assignment";
import { kindScopeResolver } from "./kind-scope";
import { isApplying, type RunContext } from "./operation";
import type { ObjectView, StackView } from "./stack-view";

export interface Finding {
    rule: string;
    application?: string;
    resource?: string;
    field?: string;
    message: string;
    /** What would be allowed instead. */
    allowed?: string;
}

export function formatFinding(f: Finding): string {
    const where = [f.application && `application ${f.application}`, f.resource && `resource ${f.resource}`, f.field && `field ${f.field}`]
        .filter(Boolean)
        .join(", ");
    return `[${f.rule}] ${where ? `${where}: ` : ""}${f.message}${f.allowed ? ` (allowed: ${f.allowed})` : ""}`;
}

export type { BoundariesConfig } from "./assignment";

function objectName(o: ObjectView): string {
    return describeResource(resourceKey(o.manifest));
}

/**
 * Every Application names a Project the platform assigned to it, and stays inside that Project's
 * sources, destinations and kinds. A kind whose scope is unknown is refused (fail closed).
 */
export function projectBoundaries(view: StackView, config: BoundariesConfig): Finding[] {
    const findings: Finding[] = [];
    for (const app of view.applications) {
        const governing = governingProject(app, config);
        if ("finding" in governing) {
            findings.push(governing.finding);
            continue;
        }
        const { project, spec } = governing;
        // Every source of a multi-source Application is checked, as the Application itself checks them.
        const repos = app.repoURLs && app.repoURLs.length > 1 ? app.repoURLs.map((url, i) => ({ url, field: `sources[${i}].repoURL` })) : app.repoURL ? [{ url: app.repoURL, field: "source.repoURL" }] : [];
        for (const { url, field } of repos) {
            const v = checkSourceRepo(project, spec, url);
            if (v) findings.push({ rule: v.rule, application: app.name, field, message: v.message });
        }
        const objects = view.objects.filter((x) => x.application === app.name);
        const scopeOf = kindScopeResolver(app, objects);
        for (const o of objects) {
            const key = resourceKey(o.manifest);
            const scope = scopeOf(key.group, key.kind);
            if (!scope) {
                findings.push({
                    rule: "unknown-kind",
                    application: app.name,
                    resource: objectName(o),
                    field: "kind",
                    message: `${key.group || "core"}/${key.kind} is not served by the destination's API (it is missing from the application's discovered kinds), so its scope and project rules cannot be decided`,
                    allowed: "kinds the destination serves, or kinds whose CustomResourceDefinition the same application declares",
                });
                continue;
            }
            const clusterScoped = scope === "Cluster";
            const kind = checkResourceKind(project, spec, key, clusterScoped);
            if (kind) findings.push({ rule: kind.rule, application: app.name, resource: objectName(o), field: "kind", message: kind.message });
            if (!clusterScoped) {
                const d = checkNamespacedTarget(project, spec, { ...app.destination, namespace: key.namespace });
                if (d) findings.push({ rule: d.rule, application: app.name, resource: objectName(o), field: "metadata.namespace", message: d.message });
            }
        }
    }
    return findings;
}

/** A SYNCWAVE_OPERATION or SYNCWAVE_SYNC_KIND that is neither allowed value: the run cannot be judged as asked. */
export function runContextErrors(context: RunContext): Finding[] {
    return context.errors.map((message) => ({ rule: "sync-operation", message, allowed: 'SYNCWAVE_OPERATION "preview" or "update", SYNCWAVE_SYNC_KIND "automated" or "manual"' }));
}

/**
 * On an update, an active deny window (or, with allow windows, none of them open) refuses the sync.
 * A deny window blocks an automated sync whatever its manualSync says, and a manual sync unless it
 * has manualSync: true (Argo CD's CanSync).
 */
export function syncWindows(view: StackView, config: BoundariesConfig, now: Date, context: RunContext): Finding[] {
    if (!isApplying(context)) return [];
    const findings: Finding[] = [];
    const judged = `judged as an update of ${context.syncKind === "manual" ? "a manual" : "an automated"} sync${context.assumptions.length ? ` (${context.assumptions.join("; ")})` : ""}`;
    for (const app of view.applications) {
        const governing = governingProject(app, config);
        if ("finding" in governing || !governing.spec.syncWindows?.length) continue;
        const verdict = syncWindowVerdict(
            governing.spec.syncWindows,
            { application: app.name, namespace: app.destination.namespace, cluster: app.destination.server ?? app.destination.name },
            now,
            { manual: context.syncKind === "manual" },
        );
        if (!verdict.allowed) findings.push({ rule: "sync-window", application: app.name, message: `${verdict.reason ?? "sync window closed"}; ${judged}` });
    }
    return findings;
}

/** Automated prune and selfHeal only where the governing Project allows them. */
export function automationAllowed(view: StackView, config: BoundariesConfig): Finding[] {
    const findings: Finding[] = [];
    for (const app of view.applications) {
        const governing = governingProject(app, config);
        const automated = app.syncPolicy.automated;
        if ("finding" in governing || !automated) continue;
        const { project, spec } = governing;
        if (automated.prune && spec.allowAutomatedPrune === false) {
            findings.push({ rule: "automation-allowed", application: app.name, field: "syncPolicy.automated.prune", message: `project ${project} does not allow automated prune`, allowed: "prune: false" });
        }
        if (automated.selfHeal && spec.allowSelfHeal === false) {
            findings.push({ rule: "automation-allowed", application: app.name, field: "syncPolicy.automated.selfHeal", message: `project ${project} does not allow selfHeal`, allowed: "selfHeal: false" });
        }
    }
    return findings;
}

/** Projects open to every repository or every destination belong only in a sandbox. */
export function noWildcardProjects(view: StackView, sandboxProjects: readonly string[]): Finding[] {
    const findings: Finding[] = [];
    for (const p of view.projects) {
        if (sandboxProjects.some((s) => globMatch(s, p.name))) continue;
        if ((p.spec.sourceRepos ?? []).includes("*")) {
            findings.push({ rule: "no-wildcard-projects", resource: `Project ${p.name}`, field: "sourceRepos", message: `project ${p.name} allows every repository ("*")`, allowed: "explicit repositories or a prefix such as https://git.example.com/team/*" });
        }
        if ((p.spec.destinations ?? []).some((d) => (d.server ?? d.name) === "*" && d.namespace === "*")) {
            findings.push({ rule: "no-wildcard-projects", resource: `Project ${p.name}`, field: "destinations", message: `project ${p.name} allows every cluster and namespace ("*"/"*")`, allowed: "named clusters and team namespaces" });
        }
    }
    return findings;
}

/** Containers of a manifest's pod template (or of a Pod), wherever the kind keeps them. */
export function containersOf(m: Manifest): { name: string; image: string; field: string }[] {
    const spec = m.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- kinds differ
    const podSpec =
        m.kind === "Pod" ? spec : m.kind === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
    const prefix = m.kind === "Pod" ? "spec" : m.kind === "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
    if (!podSpec) return [];
    const list = (key: string) => ((podSpec[key] ?? []) as { name: string; image: string }[]).map((c, i) => ({ ...c, field: `${prefix}.${key}[${i}].image` }));
    return [...list("initContainers"), ...list("containers")];
}

/** Images in production namespaces are pinned by digest: no tag-only reference, never :latest. */
export function imagesPinned(view: StackView, productionNamespaces: readonly string[]): Finding[] {
    const findings: Finding[] = [];
    for (const o of view.objects) {
        const ns = o.manifest.metadata.namespace ?? "";
        if (!productionNamespaces.some((p) => globMatch(p, ns))) continue;
        for (const c of containersOf(o.manifest)) {
            if (/@sha256:[0-9a-f]{64}$/.test(c.image)) continue;
            findings.push({
                rule: "images-pinned-by-digest",
                application: o.application,
                resource: objectName(o),
                field: c.field,
                message: `image "${c.image}" of container ${c.name} is ${/:latest$/.test(c.image) || !/[:@]/.test(c.image.split("/").pop() ?? "") ? "floating (latest)" : "pinned by tag only"}`,
                allowed: "an image pinned by digest, e.g. registry.example.com/app@sha256:…",
            });
        }
    }
    return findings;
}

/** Every ignoreDifferences rule says who owns the fields it ignores. */
export function ignoreDifferencesOwned(view: StackView): Finding[] {
    const findings: Finding[] = [];
    for (const app of view.applications) {
        app.ignoreDifferences.forEach((rule, i) => {
            if (!rule.owner) {
                findings.push({
                    rule: "ignore-differences-owner",
                    application: app.name,
                    field: `ignoreDifferences[${i}].owner`,
                    message: `ignoring ${rule.group ? `${rule.group}/` : ""}${rule.kind} ${(rule.jsonPointers ?? []).join(", ")} without saying who owns those fields`,
                    allowed: 'owner: "<team or controller>", e.g. owner: horizontal-pod-autoscaler',
                });
            }
        });
    }
    return findings;
}

/** Hooks say how they are cleaned up, and Jobs retry a bounded number of times. */
export function hooksBounded(view: StackView, maxBackoffLimit: number): Finding[] {
    const findings: Finding[] = [];
    for (const o of view.objects.filter((x) => x.hook)) {
        const annotations = o.manifest.metadata.annotations ?? {};
        if (!annotations[ANNOTATION.hookDeletePolicy] && !annotations[ANNOTATION.helmHookDeletePolicy]) {
            findings.push({
                rule: "hooks-bounded",
                application: o.application,
                resource: objectName(o),
                field: `metadata.annotations["${ANNOTATION.hookDeletePolicy}"]`,
                message: "hook has no delete policy",
                allowed: "BeforeHookCreation, HookSucceeded or HookFailed",
            });
        }
        if (o.manifest.kind === "Job") {
            const limit = (o.manifest.spec as { backoffLimit?: number } | undefined)?.backoffLimit;
            if (limit === undefined || limit > maxBackoffLimit) {
                findings.push({
                    rule: "hooks-bounded",
                    application: o.application,
                    resource: objectName(o),
                    field: "spec.backoffLimit",
                    message: limit === undefined ? "hook Job has no backoffLimit (Kubernetes retries it 6 times)" : `backoffLimit ${limit} is more than ${maxBackoffLimit}`,
                    allowed: `backoffLimit of at most ${maxBackoffLimit}`,
                });
            }
        }
    }
    return findings;
}

/** Secrets live in a secret manager; git holds references (ExternalSecret, SealedSecret), not values. */
export function noPlainSecrets(view: StackView): Finding[] {
    return view.objects
        .filter((o) => o.group === "" && o.manifest.kind === "Secret")
        .map((o) => ({
            rule: "no-plain-secrets",
            application: o.application,
            resource: objectName(o),
            field: "kind",
            message: "a plain Secret manifest puts secret values in git",
            allowed: "an ExternalSecret or a SealedSecret that references the value",
        }));
}

/** Every live object is owned by exactly one Application. */
export function singleOwner(view: StackView): Finding[] {
    const owners = new Map<string, string[]>();
    // Per cluster: an ApplicationSet puts the same object on several. The namespaces CreateNamespace
    // makes are nobody's (Argo CD lets several Applications create the same one).
    const clusterOf = new Map(view.applications.map((a) => [a.name, a.cluster]));
    for (const o of view.objects.filter((x) => !x.hook && !x.createdNamespace)) {
        const key = objectName(o) + `|${o.group}|${clusterOf.get(o.application) ?? ""}`;
        owners.set(key, [...(owners.get(key) ?? []), o.application]);
    }
    const findings: Finding[] = [];
    for (const [key, apps] of owners) {
        const distinct = [...new Set(apps)];
        if (distinct.length > 1) {
            findings.push({ rule: "single-owner", resource: key.split("|")[0], message: `is declared by applications ${distinct.join(" and ")}`, allowed: "one application per object" });
        }
    }
    return findings;
}

/** Every Kubernetes resource belongs to an Application; one outside them all is confined by no Project. */
export function unownedResources(view: StackView): Finding[] {
    return view.unowned.map((u) => ({
        rule: "unowned-resource",
        resource: `${u.type} ${u.name}`,
        message: u.provider
            ? "is a Kubernetes provider outside every Application, so what it applies is confined by no Project"
            : "is a Kubernetes resource that no Application owns, so no Project confines it",
        allowed: u.provider ? "only each Application's own destination provider" : "objects declared in an Application's source",
    }));
}
