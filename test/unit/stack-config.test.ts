// Where Projects may come from and which Projects an Application may name: only the platform's source
// (syncwave:platform) declares Projects; AppProjects anywhere a team writes are refused, naming the
// file and the name; an Application naming a Project the platform did not assign it is refused,
// naming the Application, the field and the allowed Projects.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { allowedProjects, checkProjectAssignment, type ProjectAssignments } from "../../components/platform/assignments";
import { checkNoProjectsInManifests } from "../../components/platform/no-projects-in-manifests";
import { readPlatformSource } from "../../components/platform/platform-source";
import { DEFAULT_PROJECT, readDeclarations, type StackConfigInput } from "../../components/stack-config";
import type { SourcedManifest } from "../../components/sync/manifest";

const K8S = "https://kubernetes.default.svc";
const shopProject = { sourceRepos: ["https://git.example.com/shop/*"], destinations: [{ server: K8S, namespace: "shop" }] };
const appProject = (name: string, spec: object = shopProject) => ({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name, namespace: "argocd" }, spec });
const application = (name: string, project: string) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    spec: { project, source: { repoURL: "https://git.example.com/shop/deploy.git", path: "." }, destination: { server: K8S, namespace: "shop" } },
});
const appSpec = (project: string) => application("x", project).spec;

/** A folder with the given files (YAML documents as objects), standing in for a checkout. */
function checkout(files: Record<string, object[]>): string {
    const dir = mkdtempSync(join(tmpdir(), "syncwave-stack-config-"));
    for (const [path, docs] of Object.entries(files)) {
        mkdirSync(join(dir, path, ".."), { recursive: true });
        writeFileSync(join(dir, path), docs.map((d) => stringify(d)).join("---\n"));
    }
    return dir;
}

function refusal(input: StackConfigInput, baseDir = checkout({})): string {
    try {
        readDeclarations(input, baseDir);
    } catch (err) {
        return (err as Error).message;
    }
    throw new Error("expected a refusal");
}

const platform = { projects: { shop: shopProject }, applications: { shop: ["shop"] } };

describe("the platform source", () => {
    it("declares Projects inline and assigns them", () => {
        const d = readDeclarations({ platform, applications: { shop: appSpec("shop") } }, checkout({}));
        expect(Object.keys(d.projects)).toEqual(["shop"]);
        expect(d.applications.shop.project).toBe("shop");
        expect(d.assignments.applications).toEqual({ shop: ["shop"] });
        expect(d.origins["AppProject/shop"]).toBe("stack config");
    });

    it("reads AppProject YAML from a file, a folder or a list of them", () => {
        const dir = checkout({ "platform/shop.yaml": [appProject("shop")], "platform/more/obs.yaml": [appProject("observability")], "notes.txt": [] });
        const fromFolder = readPlatformSource({ projects: "platform", applications: {} }, dir);
        expect(Object.keys(fromFolder.projects)).toEqual(["shop"]);
        expect(fromFolder.origins["AppProject/shop"]).toBe(join("platform", "shop.yaml"));
        const fromList = readPlatformSource({ projects: ["platform/shop.yaml", "platform/more"] }, dir);
        expect(Object.keys(fromList.projects).sort()).toEqual(["observability", "shop"]);
        expect(readPlatformSource({ projects: resolve(dir, "platform/shop.yaml") }, "/").projects.shop).toEqual(shopProject);
    });

    it("accepts one project name as a one-element list, and models parents and ApplicationSets", () => {
        const source = readPlatformSource(
            { projects: { shop: shopProject, fleet: shopProject }, applications: { shop: "shop" }, parents: { apps: ["fleet"] }, applicationSets: { envs: "fleet" } },
            "/",
        );
        expect(source.assignments).toEqual({ applications: { shop: ["shop"] }, parents: { apps: ["fleet"] }, applicationSets: { envs: ["fleet"] } });
    });

    it.each([
        ["a missing path", { projects: "nowhere/projects.yaml" }, "field syncwave:platform.projects: nowhere/projects.yaml does not exist"],
        ["a number as projects", { projects: 3 }, "field syncwave:platform.projects: must be a path"],
        ["an unknown key", { projects: {}, application: {} }, "field syncwave:platform: unknown key application"],
        ["an assignment of an undeclared project", { projects: { shop: shopProject }, applications: { shop: ["admin"] } }, "field syncwave:platform.applications.shop: assigns project admin, which the platform source does not declare"],
        ["an assignment that is not a list of names", { projects: { shop: shopProject }, parents: { apps: [3] } }, "field syncwave:platform.parents.apps: must be a project name or a list"],
        ["a project that is not a spec", { projects: { shop: ["x"] } }, "field syncwave:platform.projects.shop: must be an AppProject spec"],
    ])("refuses %s", (_what, value, message) => {
        expect(() => readPlatformSource(value, checkout({}))).toThrow(message);
    });

    it("refuses anything but AppProjects in the platform's files, and a Project declared twice", () => {
        const dir = checkout({ "p/a.yaml": [appProject("shop"), application("shop", "shop")], "q/a.yaml": [appProject("shop")], "q/b.yaml": [appProject("shop")] });
        expect(() => readPlatformSource({ projects: "p" }, dir)).toThrow(`file ${join("p", "a.yaml")}, field kind: the platform's project source holds only AppProjects, found argoproj.io/v1alpha1 Application`);
        expect(() => readPlatformSource({ projects: "q" }, dir)).toThrow(`file ${join("q", "b.yaml")}, field syncwave:platform.projects: project shop is declared twice (also in ${join("q", "a.yaml")})`);
    });

    it("lets the platform assign Argo CD's default project without declaring it", () => {
        const d = readDeclarations({ platform: { projects: {}, applications: { lab: "default" } }, applications: { lab: appSpec("default") } }, checkout({}));
        expect(d.projects.default).toBe(DEFAULT_PROJECT);
    });
});

describe("Projects outside the platform source", () => {
    it("refuses an AppProject in syncwave:manifests, naming the file and the Project, even one identical to the platform's", () => {
        const dir = checkout({ "argocd/team.yaml": [application("shop", "shop"), appProject("shop")] });
        expect(refusal({ platform, manifests: ["argocd"] }, dir)).toBe(
            `file ${join("argocd", "team.yaml")}, resource AppProject shop, field kind: Projects come only from the platform source (syncwave:platform); an AppProject in syncwave:manifests is refused, even one that matches the platform's`,
        );
    });

    it("refuses syncwave:projects: stack config changes in the same pull requests as the Applications", () => {
        expect(refusal({ platform, projects: { shop: { sourceRepos: ["*"] } }, applications: { shop: appSpec("shop") } })).toMatch(
            /^field syncwave:projects: Projects are declared only by the platform: move them to syncwave:platform\.projects/,
        );
    });

    it.each([
        ["an AppProject", appProject("shop"), ["project-in-manifests"]],
        ["an AppProject of another version", { ...appProject("wide"), apiVersion: "argoproj.io/v1beta1" }, ["project-in-manifests"]],
        ["an Application", application("child", "shop"), []],
        ["a ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "AppProject" } }, []],
        ["an AppProject kind of another group", { apiVersion: "example.com/v1", kind: "AppProject", metadata: { name: "x" } }, []],
    ])("checkNoProjectsInManifests: %s", (_what, manifest, rules) => {
        const manifests: SourcedManifest[] = [{ manifest: manifest as SourcedManifest["manifest"], file: "deploy/all.yaml" }];
        expect(checkNoProjectsInManifests("shop", manifests).map((v) => v.rule)).toEqual(rules);
    });

    it("names the file and the Project of a rendered AppProject", () => {
        const [v] = checkNoProjectsInManifests("shop", [{ manifest: appProject("wide") as SourcedManifest["manifest"], file: "deploy/project.yaml" }]);
        expect(v).toMatchObject({ resource: "AppProject wide", file: "deploy/project.yaml" });
        expect(v.message).toContain("application shop renders an AppProject; Projects come only from the platform source");
    });
});

describe("project assignments", () => {
    it("refuses an Application from stack config that names a Project the platform did not assign it", () => {
        const wide = { projects: { shop: shopProject, admin: { sourceRepos: ["*"] } }, applications: { shop: ["shop"], ops: ["admin"] } };
        expect(refusal({ platform: wide, applications: { shop: appSpec("admin") } })).toBe(
            "application shop, field syncwave:applications.shop.project: application shop names project admin, but the platform assigned it only shop (syncwave:platform.applications.shop) (allowed: shop)",
        );
    });

    it("refuses an Application from Argo CD manifests, naming its file and spec.project", () => {
        const dir = checkout({ "argocd/apps.yaml": [application("metrics", "shop")] });
        expect(refusal({ platform, manifests: ["argocd"] }, dir)).toBe(
            `application metrics, file ${join("argocd", "apps.yaml")}, field spec.project: application metrics names project shop, but the platform assigned no project to it (syncwave:platform.applications.metrics) (allowed: none)`,
        );
    });

    it("refuses every Application when there is no platform source", () => {
        expect(refusal({ applications: { shop: appSpec("shop") } })).toContain("the platform assigned no project to it");
    });

    const assignments: ProjectAssignments = { applications: { apps: ["platform"], shop: ["shop"] }, parents: { apps: ["shop", "observability"] }, applicationSets: { envs: ["shop"] } };
    it.each([
        ["a declared Application", { name: "shop", project: "shop" }, undefined],
        ["a child within its parent's projects", { name: "metrics", project: "observability", parent: "apps" }, undefined],
        ["a child outside its parent's projects", { name: "metrics", project: "platform", parent: "apps" }, "syncwave:platform.parents.apps"],
        ["a child named like an Application with other projects", { name: "shop", project: "shop", parent: "other" }, "syncwave:platform.parents.other"],
        ["a generated Application within its set's projects", { name: "shop-eu", project: "shop", applicationSet: "envs" }, undefined],
        ["a generated Application outside its set's projects", { name: "shop-eu", project: "observability", applicationSet: "envs" }, "syncwave:platform.applicationSets.envs"],
        ["an Application naming no project", { name: "shop" }, "syncwave:platform.applications.shop"],
    ])("checkProjectAssignment: %s", (_what, app, assignment) => {
        expect(checkProjectAssignment(assignments, app)?.assignment).toBe(assignment);
    });

    it("says which assignment governs, and what it allows", () => {
        expect(allowedProjects(assignments, "x", { parent: "apps" })).toEqual({ assignment: "syncwave:platform.parents.apps", projects: ["shop", "observability"] });
        expect(allowedProjects(assignments, "x", {}, "project-boundaries")).toEqual({ assignment: "project-boundaries.applications.x", projects: [] });
        expect(checkProjectAssignment(assignments, { name: "m", project: "x", parent: "apps" })?.message).toBe(
            "application m names project x, but the platform assigned parent application apps only shop, observability (syncwave:platform.parents.apps)",
        );
    });
});

describe("Application finalizers", () => {
    it("carries an Argo CD manifest's metadata.finalizers, which decide whether deleting it deletes its objects", () => {
        const app = { ...application("shop", "shop"), metadata: { name: "shop", namespace: "argocd", finalizers: ["resources-finalizer.argocd.argoproj.io"] } };
        const dir = checkout({ "argocd/apps.yaml": [app] });
        expect(readDeclarations({ platform, manifests: ["argocd"] }, dir).applications.shop.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
    });

    it("accepts cascade: true in stack config and refuses a finalizer it does not know", () => {
        expect(readDeclarations({ platform, applications: { shop: { ...appSpec("shop"), cascade: true } } }, checkout({})).applications.shop.cascade).toBe(true);
        expect(refusal({ platform, applications: { shop: { ...appSpec("shop"), finalizers: ["example.com/keep-forever"] } } })).toMatch(
            /field syncwave:applications\.shop\.finalizers: .*does not know: example\.com\/keep-forever/,
        );
        const dir = checkout({ "argocd/apps.yaml": [{ ...application("shop", "shop"), metadata: { name: "shop", finalizers: ["nope"] } }] });
        expect(refusal({ platform, manifests: ["argocd"] }, dir)).toMatch(/field metadata\.finalizers: .*nope/);
    });
});

describe("the dev stack", () => {
    it("reads its Projects from the platform source and every Application is assigned", () => {
        const root = resolve(__dirname, "../..");
        const stack = (parse(readFileSync(join(root, "stacks/Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
        const d = readDeclarations(
            {
                platform: stack["syncwave:platform"],
                projects: stack["syncwave:projects"],
                applications: stack["syncwave:applications"] as Record<string, unknown>,
                manifests: stack["syncwave:manifests"] as string[],
            },
            root,
        );
        expect(Object.keys(d.projects).sort()).toEqual(["observability", "shop"]);
        expect(Object.fromEntries(Object.entries(d.applications).map(([n, a]) => [n, a.project]))).toEqual({ shop: "shop", metrics: "observability" });
    });
});

describe("Application fields SyncWave does not read", () => {
    const platform = { projects: { shop: shopProject }, applications: { shop: ["shop"] } };
    const read = (spec: object) => readDeclarations({ platform, applications: { shop: { ...appSpec("shop"), ...spec } } }, checkout({}));
    it.each([
        [{ sourceHydrator: {} }, "syncwave:applications.shop.sourceHydrator", /source hydration is not supported/],
        [{ syncPolicy: { automated: { prunee: true } } }, "syncwave:applications.shop.syncPolicy.automated.prunee", /unknown field/],
        [{ syncPolicy: { retry: { limitt: 3 } } }, "syncwave:applications.shop.syncPolicy.retry.limitt", /unknown field/],
        [{ destinaton: {} }, "syncwave:applications.shop.destinaton", /unknown field/],
    ])("%j is refused naming %s", (spec, field, message) => {
        expect(() => read(spec)).toThrow(message);
        expect(() => read(spec)).toThrow(field);
    });

    it("accepts info and revisionHistoryLimit, which change nothing a sync does", () => {
        expect(read({ info: [{ name: "owner", value: "shop" }], revisionHistoryLimit: 3 }).applications.shop).toBeDefined();
    });

    it("reads automated.enabled: false as automation off, as Argo CD 3.x", () => {
        const d = read({ syncPolicy: { automated: { enabled: false, prune: true }, syncOptions: ["CreateNamespace=true"] } });
        expect(d.applications.shop.syncPolicy).toEqual({ syncOptions: ["CreateNamespace=true"] });
        expect(read({ syncPolicy: { automated: { enabled: true, prune: true } } }).applications.shop.syncPolicy?.automated?.prune).toBe(true);
    });
});

describe("automatic rollback (autoRollback, syncwave.dev/auto-rollback)", () => {
    const automated = { syncPolicy: { automated: { prune: true } } };
    const manifest = (annotations: Record<string, string>, spec: object = automated) => {
        const app = application("shop", "shop");
        return { ...app, metadata: { ...app.metadata, annotations }, spec: { ...app.spec, ...spec } };
    };
    it("is read from stack config and from an Argo CD manifest's annotation", () => {
        expect(readDeclarations({ platform, applications: { shop: { ...appSpec("shop"), ...automated, autoRollback: true } } }, checkout({})).applications.shop.autoRollback).toBe(true);
        const dir = checkout({ "argocd/apps.yaml": [manifest({ "syncwave.dev/auto-rollback": "true" })] });
        expect(readDeclarations({ platform, manifests: ["argocd"] }, dir).applications.shop.autoRollback).toBe(true);
        const off = checkout({ "argocd/apps.yaml": [manifest({ "syncwave.dev/auto-rollback": "false" })] });
        expect(readDeclarations({ platform, manifests: ["argocd"] }, off).applications.shop.autoRollback).toBe(false);
    });
    it("is refused without syncPolicy.automated, naming the field or annotation", () => {
        expect(refusal({ platform, applications: { shop: { ...appSpec("shop"), autoRollback: true } } })).toMatch(/field syncwave:applications\.shop\.autoRollback: .*without syncPolicy\.automated/);
        expect(refusal({ platform, applications: { shop: { ...appSpec("shop"), syncPolicy: { automated: { enabled: false } }, autoRollback: true } } })).toMatch(/without syncPolicy\.automated/);
        const dir = checkout({ "argocd/apps.yaml": [manifest({ "syncwave.dev/auto-rollback": "true" }, {})] });
        expect(refusal({ platform, manifests: ["argocd"] }, dir)).toMatch(/resource Application shop, field metadata\.annotations\["syncwave\.dev\/auto-rollback"\]: .*without syncPolicy\.automated/);
    });
    it("is refused for a multi-source Application, whose rollback a single commit cannot describe", () => {
        const sources = [appSpec("shop").source, { ...appSpec("shop").source, path: "values" }];
        const { source: _one, ...spec } = appSpec("shop");
        expect(refusal({ platform, applications: { shop: { ...spec, sources, ...automated, autoRollback: true } } })).toMatch(/autoRollback: application shop has several sources/);
    });
    it("refuses a value that is not true or false, and the field on an Argo CD manifest", () => {
        expect(refusal({ platform, applications: { shop: { ...appSpec("shop"), ...automated, autoRollback: "yes" } } })).toMatch(/autoRollback: must be true or false/);
        const yes = checkout({ "argocd/apps.yaml": [manifest({ "syncwave.dev/auto-rollback": "yes" })] });
        expect(refusal({ platform, manifests: ["argocd"] }, yes)).toMatch(/auto-rollback"\]: must be "true" or "false", not "yes"/);
        const field = checkout({ "argocd/apps.yaml": [manifest({}, { ...automated, autoRollback: true })] });
        expect(refusal({ platform, manifests: ["argocd"] }, field)).toMatch(/field spec\.autoRollback: autoRollback is not an Argo CD field: use the annotation syncwave\.dev\/auto-rollback/);
    });
});

describe("Application annotations in stack configuration", () => {
    const read = (annotations: Record<string, string>) => readDeclarations({ platform, applications: { shop: { ...appSpec("shop"), annotations } } }, checkout({}));
    it("carries notification subscriptions", () => {
        expect(read({ "notifications.argoproj.io/subscribe.on-sync-failed.slack": "#ops" }).applications.shop.annotations).toEqual({ "notifications.argoproj.io/subscribe.on-sync-failed.slack": "#ops" });
    });
    it.each([
        ["syncwave.dev/auto-rollback", /the field autoRollback: true/],
        ["syncwave.dev/depends-on", /the field dependsOn/],
        ["argocd-image-updater.argoproj.io/image-list", /read from Argo CD Application manifests \(syncwave:manifests\) only/],
        ["example.com/owner", /only notifications\.argoproj\.io\/ annotations are read here/],
    ])("refuses %s, naming where it belongs", (key, message) => {
        expect(() => read({ [key]: "x" })).toThrow(message);
        expect(() => read({ [key]: "x" })).toThrow(`syncwave:applications.shop.annotations["${key}"]`);
    });
});
