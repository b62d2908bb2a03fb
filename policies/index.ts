// The SyncWave policy pack: the second layer of project enforcement, configured by the platform team
// (`--policy-pack-config`), plus production rules, each with its own enforcement level.
//   SYNCWAVE_OPERATION=preview pulumi preview --policy-pack policies --policy-pack-config platform.json
import { PolicyPack, type StackValidationPolicy } from "@pulumi/policy";
import { runContext } from "./operation";
import {
    automationAllowed,
    formatFinding,
    hooksBounded,
    ignoreDifferencesOwned,
    imagesPinned,
    noPlainSecrets,
    noWildcardProjects,
    projectBoundaries,
    runContextErrors,
    singleOwner,
    syncWindows,
    unownedResources,
    type BoundariesConfig,
    type Finding,
} from "./rules";
import { stackView, type ResourceLike, type StackView } from "./stack-view";

function stackPolicy<C extends object>(
    name: string,
    description: string,
    enforcementLevel: "advisory" | "mandatory",
    configSchema: StackValidationPolicy["configSchema"],
    check: (view: StackView, config: C) => Finding[],
): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        configSchema,
        validateStack: (args, reportViolation) => {
            const view = stackView(args.resources as unknown as ResourceLike[]);
            for (const finding of check(view, args.getConfig<C>())) reportViolation(formatFinding(finding));
        },
    };
}

const projectsSchema = { type: "object" as const, additionalProperties: { type: "object" as const } };
// An assignment names one Project or a list of them.
const assignmentsSchema = {
    type: "object" as const,
    additionalProperties: { type: ["string" as const, "array" as const], items: { type: "string" as const } },
};

new PolicyPack("syncwave", {
    policies: [
        stackPolicy<BoundariesConfig>(
            "project-boundaries",
            "Every Application names a Project the platform team assigned it and stays inside it: sources, destinations, kinds (scope from API discovery), sync windows (on update) and automation.",
            "mandatory",
            {
                properties: {
                    projects: projectsSchema,
                    applications: assignmentsSchema,
                    parents: assignmentsSchema,
                    applicationSets: assignmentsSchema,
                },
                required: ["projects", "applications"],
            },
            (view, config) => {
                const context = runContext();
                return [
                    ...runContextErrors(context),
                    ...projectBoundaries(view, config),
                    ...automationAllowed(view, config),
                    ...syncWindows(view, config, new Date(), context),
                ];
            },
        ),
        stackPolicy<{ sandboxProjects?: string[] }>(
            "no-wildcard-projects",
            "Projects open to every repository or every destination exist only in a sandbox.",
            "mandatory",
            { properties: { sandboxProjects: { type: "array", items: { type: "string" } } } },
            (view, config) => noWildcardProjects(view, config.sandboxProjects ?? ["sandbox*"]),
        ),
        stackPolicy<{ productionNamespaces?: string[] }>(
            "images-pinned-by-digest",
            "Images in production namespaces are pinned by digest, never a tag alone or :latest.",
            "mandatory",
            { properties: { productionNamespaces: { type: "array", items: { type: "string" } } } },
            (view, config) => imagesPinned(view, config.productionNamespaces ?? ["*"]),
        ),
        stackPolicy<Record<string, never>>(
            "ignore-differences-owner",
            "Every ignoreDifferences rule names the owner of the fields it ignores.",
            "mandatory",
            { properties: {} },
            (view) => ignoreDifferencesOwned(view),
        ),
        stackPolicy<{ maxBackoffLimit?: number }>(
            "hooks-bounded",
            "Hooks have a delete policy, and hook Jobs a bounded backoffLimit.",
            "mandatory",
            { properties: { maxBackoffLimit: { type: "integer", minimum: 0 } } },
            (view, config) => hooksBounded(view, config.maxBackoffLimit ?? 3),
        ),
        stackPolicy<Record<string, never>>(
            "no-plain-secrets",
            "No Secret manifests in git: reference secrets (ExternalSecret, SealedSecret) instead.",
            "mandatory",
            { properties: {} },
            (view) => noPlainSecrets(view),
        ),
        stackPolicy<Record<string, never>>(
            "single-owner",
            "Every Kubernetes object is owned by exactly one Application: none by two, none by no Application.",
            "mandatory",
            { properties: {} },
            (view) => [...unownedResources(view), ...singleOwner(view)],
        ),
    ],
});
