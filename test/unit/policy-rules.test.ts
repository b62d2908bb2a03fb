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
    singleOwner,
    syncWindows,
    type BoundariesConfig,
} from "../../policies/rules";
import { isApplying } from "../../policies/operation";
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

    it("uses the configured project, not the one the program claims", () => {
        const findings = projectBoundaries(stackView([record(app("rogue"), { project: "shop" })]), config);
        expect(findings[0]).toMatchObject({ rule: "project-assignment", application: "rogue" });
    });
});

describe("sync windows and automation", () => {
    it("refuses an up during a deny window, not outside it", () => {
        const view = stackView([shop, shopRecord]);
        expect(syncWindows(view, config, new Date("2026-11-18T23:00:00Z"), false)[0]).toMatchObject({ rule: "sync-window", application: "shop" });
        expect(syncWindows(view, config, new Date("2026-11-18T12:00:00Z"), false)).toEqual([]);
        expect(isApplying("up")).toBe(true);
        expect(isApplying("preview")).toBe(false);
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
});
