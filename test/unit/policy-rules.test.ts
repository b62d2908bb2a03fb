// Each policy rule with passing and failing stacks, built from the resources a stack policy receives.
import { describe, expect, it } from "vitest";
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
} from "../../policies/rules";
import { isApplying, runContext, type RunContext } from "../../policies/operation";
import { stackView, type ResourceLike } from "../../policies/stack-view";

/** An Application (the component) and its record (what the policies read). */
function app(name: string): ResourceLike {
    return {
        type: "syncwave:index:Application",
        name,
        urn: `urn:pulumi:dev::p::syncwave:index:Application::${name}`,
        props: {},
    };
}

/** What API discovery reports for the kinds these tests use. */
const KIND_SCOPES = {
    "/Namespace": "Cluster",
    "/ConfigMap": "Namespaced",
    "/Secret": "Namespaced",
    "apps/Deployment": "Namespaced",
    "batch/Job": "Namespaced",
    "rbac.authorization.k8s.io/ClusterRole": "Cluster",
    "external-secrets.io/ExternalSecret": "Namespaced",
};

function record(application: ResourceLike, props: Record<string, unknown> = {}): ResourceLike {
    return {
        type: "pulumi-nodejs:dynamic/syncwave:ApplicationRecord",
        name: `${application.name}:record`,
        urn: "",
        parent: application,
        props: {
            application: application.name,
            project: "shop",
            repoURL: "https://git.example.com/shop/deploy.git",
            destination: { server: "https://kubernetes.default.svc", namespace: "shop" },
            kindScopes: KIND_SCOPES,
            ...props,
        },
    };
}

function object(parent: ResourceLike, manifest: Record<string, unknown>): ResourceLike {
    const m = manifest as { apiVersion: string; kind: string; metadata: { name: string } };
    return { type: `kubernetes:${m.apiVersion.includes("/") ? m.apiVersion : `core/${m.apiVersion}`}:${m.kind}`, name: m.metadata.name, urn: "", props: manifest, parent };
}

function hook(parent: ResourceLike, manifest: Record<string, unknown>): ResourceLike {
    return { type: "pulumi-nodejs:dynamic/syncwave:Hook", name: "h", urn: "", props: { manifest }, parent };
}

const shop = app("shop");
const shopRecord = record(shop);
const config: BoundariesConfig = {
    projects: {
        shop: {
            sourceRepos: ["https://git.example.com/shop/*"],
            destinations: [{ server: "https://kubernetes.default.svc", namespace: "shop" }],
            clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
            syncWindows: [{ kind: "deny", schedule: "0 22 * * *", duration: "8h", applications: ["*"] }],
            allowSelfHeal: false,
        },
    },
    applications: { shop: "shop" },
};
const deployment = (image: string, namespace = "shop") => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace },
    spec: { template: { spec: { containers: [{ name: "api", image }] } } },
});
const pinned = "registry.example.com/shop/api@sha256:" + "a".repeat(64);

describe("project-boundaries", () => {
    it("passes a stack inside its project", () => {
        const view = stackView([shop, shopRecord, object(shop, deployment(pinned)), object(shop, { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } })]);
        expect(projectBoundaries(view, config)).toEqual([]);
    });

    it.each([
        ["a namespace outside the project", [object(shop, deployment(pinned, "kube-system"))], "project-destinations", "metadata.namespace"],
        ["a ClusterRole from a team project", [object(shop, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "admin-ish" } })], "project-cluster-resource-whitelist", "kind"],
    ])("refuses %s", (_name, extra, rule, field) => {
        const findings = projectBoundaries(stackView([shop, shopRecord, ...extra]), config);
        expect(findings).toHaveLength(1);
        expect(findings[0]).toMatchObject({ rule, application: "shop", field });
        expect(formatFinding(findings[0])).toMatch(new RegExp(`^\\[${rule}\\] application shop, resource `));
    });

    it("refuses a repository the project does not allow", () => {
        const findings = projectBoundaries(stackView([shop, record(shop, { repoURL: "https://github.com/someone/fork.git" })]), config);
        expect(findings.map(formatFinding)).toEqual([
            expect.stringContaining("[project-source-repos] application shop, field source.repoURL: source repository https://github.com/someone/fork.git is not allowed"),
        ]);
    });

    it("checks every source of a multi-source Application, not only the first", () => {
        const sources = [{ repoURL: "https://git.example.com/shop/deploy.git" }, { repoURL: "https://github.com/someone/values.git", ref: "values" }];
        const findings = projectBoundaries(stackView([shop, record(shop, { sources })]), config);
        expect(findings.map(formatFinding)).toEqual([
            expect.stringContaining("[project-source-repos] application shop, field sources[1].repoURL: source repository https://github.com/someone/values.git is not allowed"),
        ]);
    });

    it("refuses an Application the configuration assigns no project", () => {
        const findings = projectBoundaries(stackView([record(app("rogue"), { project: "shop" })]), config);
        expect(findings).toEqual([
            expect.objectContaining({ rule: "project-assignment", application: "rogue", field: "project", allowed: "none: the platform must assign a project first" }),
        ]);
    });
});

describe("project-boundaries: the declared project against the platform's assignment", () => {
    const wide: BoundariesConfig = {
        ...config,
        projects: { ...config.projects, admin: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] } },
        applications: { shop: "shop", ops: ["admin"], canary: ["shop", "admin"] },
        parents: { apps: ["shop"] },
        applicationSets: { envs: "shop" },
    };
    const clusterRole = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "admin-ish" } };

    it("refuses an Application that names a project other than the one assigned, instead of judging it by the assigned one", () => {
        const findings = projectBoundaries(stackView([shop, record(shop, { project: "admin" }), object(shop, clusterRole)]), wide);
        expect(findings.map(formatFinding)).toEqual([
            "[project-assignment] application shop, field project: application shop names project admin, but the platform assigned it only shop (project-boundaries.applications.shop) (allowed: projects shop)",
        ]);
    });

    it("refuses an Application that names no project", () => {
        expect(projectBoundaries(stackView([record(shop, { project: undefined })]), wide)[0].message).toBe(
            "application shop names no project, but the platform assigned it only shop (project-boundaries.applications.shop)",
        );
    });

    it("judges an Application by the project it names when that one is assigned", () => {
        const canary = app("canary");
        expect(projectBoundaries(stackView([canary, record(canary, { project: "admin" }), object(canary, clusterRole)]), wide)).toEqual([]);
        expect(projectBoundaries(stackView([canary, record(canary, { project: "shop" }), object(canary, clusterRole)]), wide).map((f) => f.rule)).toEqual([
            "project-cluster-resource-whitelist",
        ]);
    });

    it.each([
        ["a child within its parent's projects", { parent: "apps", project: "shop" }, []],
        ["a child outside its parent's projects", { parent: "apps", project: "admin" }, ["project-assignment"]],
        ["a generated Application within its set's projects", { applicationSet: "envs", project: "shop" }, []],
        ["a generated Application outside its set's projects", { applicationSet: "envs", project: "admin" }, ["project-assignment"]],
    ])("%s", (_what, props, rules) => {
        const child = app("child-app");
        expect(projectBoundaries(stackView([child, record(child, props)]), wide).map((f) => f.rule)).toEqual(rules);
    });

    it("refuses a project that is assigned but not defined", () => {
        const findings = projectBoundaries(stackView([record(shop)]), { projects: {}, applications: { shop: "shop" } });
        expect(findings[0]).toMatchObject({ rule: "project-assignment", message: "project shop is assigned but not defined in the policy configuration (project-boundaries.projects)" });
    });
});

describe("project-boundaries: kind scopes from API discovery", () => {
    const widget = (namespace?: string) => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", ...(namespace ? { namespace } : {}) } });
    const crd = (scope: string) => ({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope, versions: [{ name: "v1", served: true, storage: true }] },
    });
    const withCrds = { ...config, projects: { shop: { ...config.projects.shop, clusterResourceWhitelist: [{ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }] } } };

    it.each([
        ["a kind discovery does not know", {}, [widget("shop")], withCrds, ["unknown-kind"]],
        ["a record without kindScopes: every kind is unknown", undefined, [deployment(pinned)], config, ["unknown-kind"]],
        ["a malformed scope entry", { "apps/Deployment": "namespaced" }, [deployment(pinned)], config, ["unknown-kind"]],
        ["a custom kind discovery says is cluster-scoped", { "example.com/Widget": "Cluster" }, [widget()], config, ["project-cluster-resource-whitelist"]],
        ["a custom kind discovery says is namespaced, outside the destinations", { "example.com/Widget": "Namespaced" }, [widget("kube-system")], config, ["project-destinations"]],
        ["a custom kind discovery says is namespaced, inside the destinations", { "example.com/Widget": "Namespaced" }, [widget("shop")], config, []],
        ["a kind whose CRD the same application declares namespaced", {}, [crd("Namespaced"), widget("shop")], withCrds, []],
        ["a kind whose CRD the same application declares cluster-scoped", {}, [crd("Cluster"), widget()], withCrds, ["project-cluster-resource-whitelist"]],
        ["a CRD saying Cluster over a record saying Namespaced", { "example.com/Widget": "Namespaced" }, [crd("Cluster"), widget("shop")], withCrds, ["project-cluster-resource-whitelist"]],
        ["a built-in cluster-scoped kind the record calls namespaced", { "rbac.authorization.k8s.io/ClusterRole": "Namespaced" }, [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x", namespace: "shop" } }], config, ["project-cluster-resource-whitelist"]],
    ])("%s", (_what, kindScopes, manifests, cfg, rules) => {
        const scopes = kindScopes === undefined ? { kindScopes: undefined } : { kindScopes: { ...kindScopes, "/Namespace": "Cluster", "apiextensions.k8s.io/CustomResourceDefinition": "Cluster" } };
        const view = stackView([shop, record(shop, scopes), ...manifests.map((m) => object(shop, m))]);
        expect(projectBoundaries(view, cfg).map((f) => f.rule)).toEqual(rules);
    });

    it("names the kind, the resource and what would be allowed", () => {
        const [finding] = projectBoundaries(stackView([shop, record(shop, { kindScopes: {} }), object(shop, widget("shop"))]), config);
        expect(formatFinding(finding)).toBe(
            "[unknown-kind] application shop, resource Widget shop/w, field kind: example.com/Widget is not served by the destination's API (it is missing from the application's discovered kinds), so its scope and project rules cannot be decided (allowed: kinds the destination serves, or kinds whose CustomResourceDefinition the same application declares)",
        );
    });

    it("checks hooks' kinds too", () => {
        const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "shop" } };
        expect(projectBoundaries(stackView([shop, record(shop, { kindScopes: {} }), hook(shop, job)]), config).map((f) => f.rule)).toEqual(["unknown-kind"]);
    });
});

const context = (operation: RunContext["operation"], syncKind: RunContext["syncKind"], assumptions: string[] = []): RunContext => ({ operation, syncKind, assumptions, errors: [] });

describe("the run's operation and sync kind, from the environment only", () => {
    it.each([
        ["nothing set: an update of an automated sync, said so", {}, "update", "automated", 2, 0],
        ["a preview", { SYNCWAVE_OPERATION: "preview" }, "preview", "automated", 1, 0],
        ["an update of a manual sync", { SYNCWAVE_OPERATION: "update", SYNCWAVE_SYNC_KIND: "manual" }, "update", "manual", 0, 0],
        ["an empty value counts as unset", { SYNCWAVE_OPERATION: "", SYNCWAVE_SYNC_KIND: "automated" }, "update", "automated", 1, 0],
        ["pulumi's own word for it is not accepted", { SYNCWAVE_OPERATION: "up", SYNCWAVE_SYNC_KIND: "automated" }, "update", "automated", 0, 1],
        ["an unknown sync kind", { SYNCWAVE_OPERATION: "preview", SYNCWAVE_SYNC_KIND: "Manual" }, "preview", "automated", 0, 1],
    ])("%s", (_what, env, operation, syncKind, assumptions, errors) => {
        const c = runContext(env);
        expect(c).toMatchObject({ operation, syncKind });
        expect(c.assumptions).toHaveLength(assumptions);
        expect(c.errors).toHaveLength(errors);
        expect(isApplying(c)).toBe(operation === "update");
    });

    it("reports a value it cannot judge as a finding", () => {
        expect(runContextErrors(runContext({ SYNCWAVE_OPERATION: "up" })).map(formatFinding)).toEqual([
            '[sync-operation] SYNCWAVE_OPERATION="up" is not one of "preview", "update"; judged as update (allowed: SYNCWAVE_OPERATION "preview" or "update", SYNCWAVE_SYNC_KIND "automated" or "manual")',
        ]);
        expect(runContextErrors(runContext({}))).toEqual([]);
    });
});

describe("sync windows and automation", () => {
    const night = new Date("2026-11-18T23:00:00Z");
    const noon = new Date("2026-11-18T12:00:00Z");
    const windows = (manualSync?: boolean): BoundariesConfig => ({
        ...config,
        projects: { shop: { ...config.projects.shop, syncWindows: [{ kind: "deny", schedule: "0 22 * * *", duration: "8h", applications: ["*"], manualSync }] } },
    });

    it("refuses an update during a deny window, not outside it, and never judges a preview", () => {
        const view = stackView([shop, shopRecord]);
        expect(syncWindows(view, config, night, context("update", "automated"))[0]).toMatchObject({ rule: "sync-window", application: "shop" });
        expect(syncWindows(view, config, noon, context("update", "automated"))).toEqual([]);
        expect(syncWindows(view, config, night, context("preview", "automated"))).toEqual([]);
    });

    it.each([
        ["an automated sync, manualSync: true", true, "automated", 1],
        ["an automated sync, no manualSync", undefined, "automated", 1],
        ["a manual sync, manualSync: true", true, "manual", 0],
        ["a manual sync, no manualSync", undefined, "manual", 1],
    ])("a deny window and %s (Argo CD's CanSync)", (_what, manualSync, syncKind, count) => {
        expect(syncWindows(stackView([shop, shopRecord]), windows(manualSync as boolean | undefined), night, context("update", syncKind as RunContext["syncKind"]))).toHaveLength(count);
    });

    it("says what it assumed when the environment did not say", () => {
        const [finding] = syncWindows(stackView([shop, shopRecord]), config, night, runContext({}));
        expect(finding.message).toMatch(
            /blocks syncing shop; judged as an update of an automated sync \(SYNCWAVE_OPERATION is not set: judged as an update, so sync windows are enforced; SYNCWAVE_SYNC_KIND is not set: judged as an automated sync\)$/,
        );
    });

    it("judges windows by the project the Application names, and skips one with no valid assignment", () => {
        const view = stackView([shop, record(shop, { project: "other" })]);
        expect(syncWindows(view, config, night, context("update", "automated"))).toEqual([]);
        expect(projectBoundaries(view, config)[0].rule).toBe("project-assignment");
    });

    it("refuses selfHeal where the project forbids it", () => {
        const view = stackView([record(shop, { syncPolicy: { automated: { prune: true, selfHeal: true } } })]);
        expect(automationAllowed(view, config).map((f) => f.field)).toEqual(["syncPolicy.automated.selfHeal"]);
        expect(automationAllowed(stackView([record(shop, { syncPolicy: { automated: { prune: true } } })]), config)).toEqual([]);
    });
});

describe("production rules", () => {
    it("no wildcard projects outside a sandbox", () => {
        const project = (name: string, props: Record<string, unknown>): ResourceLike => ({ type: "syncwave:index:Project", name, urn: "", props });
        const wide = { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }] };
        expect(noWildcardProjects(stackView([project("team", wide)]), ["sandbox*"]).map((f) => f.field)).toEqual(["sourceRepos", "destinations"]);
        expect(noWildcardProjects(stackView([project("sandbox-lab", wide)]), ["sandbox*"])).toEqual([]);
        expect(noWildcardProjects(stackView([project("team", { sourceRepos: ["https://git.example.com/team/*"] })]), [])).toEqual([]);
    });

    it.each([
        ["registry.example.com/shop/api:1.4.2", "pinned by tag only"],
        ["registry.example.com/shop/api:latest", "floating (latest)"],
        ["nginx", "floating (latest)"],
    ])("refuses the image %s in production", (image, why) => {
        const findings = imagesPinned(stackView([shop, shopRecord, object(shop, deployment(image))]), ["shop", "prod-*"]);
        expect(findings).toHaveLength(1);
        expect(findings[0]).toMatchObject({ field: "spec.template.spec.containers[0].image" });
        expect(findings[0].message).toContain(why);
    });

    it("accepts digests, and tags outside production namespaces", () => {
        expect(imagesPinned(stackView([shop, shopRecord, object(shop, deployment(pinned))]), ["shop"])).toEqual([]);
        expect(imagesPinned(stackView([shop, shopRecord, object(shop, deployment("app:latest", "dev"))]), ["prod-*"])).toEqual([]);
    });

    it("wants an owner for every ignoreDifferences rule", () => {
        const unowned = stackView([record(shop, { ignoreDifferences: [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }] })]);
        expect(ignoreDifferencesOwned(unowned)[0]).toMatchObject({ field: "ignoreDifferences[0].owner" });
        const owned = stackView([record(shop, { ignoreDifferences: [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"], owner: "hpa" }] })]);
        expect(ignoreDifferencesOwned(owned)).toEqual([]);
    });

    it("wants hooks with a delete policy and a bounded backoffLimit", () => {
        const job = (annotations: Record<string, string>, backoffLimit?: number) => ({
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "migrate", namespace: "shop", annotations: { "argocd.argoproj.io/hook": "PreSync", ...annotations } },
            spec: { backoffLimit, template: { spec: { containers: [] } } },
        });
        expect(hooksBounded(stackView([shop, shopRecord, hook(shop, job({ "argocd.argoproj.io/hook-delete-policy": "HookSucceeded" }, 2))]), 3)).toEqual([]);
        expect(hooksBounded(stackView([shop, shopRecord, hook(shop, job({}, 10))]), 3).map((f) => f.field)).toEqual([
            'metadata.annotations["argocd.argoproj.io/hook-delete-policy"]',
            "spec.backoffLimit",
        ]);
    });

    it("refuses plain Secrets, not references to them", () => {
        const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, stringData: { password: "x" } };
        const external = { apiVersion: "external-secrets.io/v1beta1", kind: "ExternalSecret", metadata: { name: "db", namespace: "shop" } };
        expect(noPlainSecrets(stackView([shop, shopRecord, object(shop, secret)]))[0]).toMatchObject({ rule: "no-plain-secrets", resource: "Secret shop/db" });
        expect(noPlainSecrets(stackView([shop, shopRecord, object(shop, external)]))).toEqual([]);
    });

    it("wants one owner per object", () => {
        const other = app("other");
        const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shared", namespace: "shop" } };
        expect(singleOwner(stackView([shop, shopRecord, other, record(other), object(shop, cm), object(other, cm)]))[0]).toMatchObject({
            rule: "single-owner",
            resource: "ConfigMap shop/shared",
            message: "is declared by applications shop and other",
        });
        expect(singleOwner(stackView([shop, shopRecord, object(shop, cm)]))).toEqual([]);
    });

    it("counts owners per cluster, and not the namespace CreateNamespace makes", () => {
        const dev = app("web-dev");
        const prod = app("web-prod");
        const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: "shop" } };
        const onCluster = (a: ResourceLike, cluster: string) => record(a, { cluster: { cluster } });
        // One ApplicationSet, two clusters: the same object on each is not shared.
        expect(singleOwner(stackView([dev, onCluster(dev, "in-cluster"), prod, onCluster(prod, "second"), object(dev, cm), object(prod, cm)]))).toEqual([]);
        // The default cluster under its two names is one cluster.
        expect(singleOwner(stackView([dev, onCluster(dev, "in-cluster"), prod, onCluster(prod, "https://kubernetes.default.svc"), object(dev, cm), object(prod, cm)]))).toHaveLength(1);
        const created = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } };
        const tracked = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", annotations: { "argocd.argoproj.io/tracking-id": "web-dev:/Namespace:/shop" } } };
        expect(singleOwner(stackView([dev, record(dev), prod, record(prod), object(dev, created), object(prod, created)]))).toEqual([]);
        expect(singleOwner(stackView([dev, record(dev), prod, record(prod), object(dev, tracked), object(prod, tracked)]))).toHaveLength(1);
    });
});

describe("unowned Kubernetes resources", () => {
    const stack: ResourceLike = { type: "pulumi:pulumi:Stack", name: "p-dev", urn: "", props: {} };
    const provider = (name: string, parent?: ResourceLike): ResourceLike => ({ type: "pulumi:providers:kubernetes", name, urn: "", props: {}, parent });
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "stray", namespace: "kube-system" } };

    it("accepts an Application's objects, its destination provider and SyncWave's own resources", () => {
        const gate: ResourceLike = { type: "pulumi-nodejs:dynamic/syncwave:HealthGate", name: "g", urn: "", props: {}, parent: shop };
        const project: ResourceLike = { type: "syncwave:index:Project", name: "shop", urn: "", props: {}, parent: stack };
        const dynamicProvider: ResourceLike = { type: "pulumi:providers:pulumi-nodejs", name: "default", urn: "", props: {} };
        const view = stackView([stack, project, { ...shop, parent: stack }, shopRecord, gate, dynamicProvider, provider("shop-destination", shop), object(shop, cm)]);
        expect(unownedResources(view)).toEqual([]);
    });

    it.each([
        ["an object outside every Application", object(stack, cm), "kubernetes:core/v1:ConfigMap stray", "is a Kubernetes resource that no Application owns"],
        ["an object with no parent at all", { ...object(stack, cm), parent: undefined }, "kubernetes:core/v1:ConfigMap stray", "no Application owns"],
        ["a Helm release outside every Application", { type: "kubernetes:helm.sh/v3:Release", name: "r", urn: "", props: {}, parent: stack }, "kubernetes:helm.sh/v3:Release r", "no Application owns"],
        ["a default Kubernetes provider", provider("default_4_24_1"), "pulumi:providers:kubernetes default_4_24_1", "is a Kubernetes provider outside every Application"],
        ["a provider nested below an Application's child", provider("p", { type: "custom:index:Thing", name: "t", urn: "", props: {}, parent: shop }), "pulumi:providers:kubernetes p", "Kubernetes provider outside every Application"],
        ["a hook outside every Application", hook(stack, cm), "pulumi-nodejs:dynamic/syncwave:Hook h", "no Application owns"],
    ])("refuses %s", (_what, resource, name, message) => {
        const findings = unownedResources(stackView([stack, shop, shopRecord, resource]));
        expect(findings).toHaveLength(1);
        expect(findings[0]).toMatchObject({ rule: "unowned-resource", resource: name });
        expect(findings[0].message).toContain(message);
    });
});
