// `syncwave images update` without a cluster: a Pulumi project of its own whose stack lists Argo CD
// Application manifests, a file-backend checkpoint standing for the last sync (what each Application
// runs), the toolchain's registry and a real git repository. Helm and Kustomize sources, every
// write-back target, the strategies that need registry metadata, and refusals that leave the other
// Applications updated.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { imagesUpdate, type ApplicationImagesResult } from "../../cli/commands/images";
import { TestRepo } from "../helpers/git";
import { TestRegistry } from "../helpers/registry";

const P = "argocd-image-updater.argoproj.io/";

describe("syncwave images update (command)", () => {
    let registry: TestRegistry;
    let repo: TestRepo;
    let project: string;
    const env: Record<string, string> = {};
    const lines: string[] = [];
    const run = (extra: { app?: string; dryRun?: boolean } = {}) => imagesUpdate({ stack: "t", cwd: project, env, progress: (l) => lines.push(l), ...extra });
    const byApp = (results: ApplicationImagesResult[]) => Object.fromEntries(results.map((r) => [r.application, r]));

    beforeAll(async () => {
        registry = await TestRegistry.start();
        await registry.push("team/app", "1.0.0", new Date("2026-01-01T00:00:00Z"));
        await registry.push("team/app", "nightly", new Date("2026-02-01T00:00:00Z"));
        await registry.push("team/app", "0.9.0", new Date("2026-03-01T00:00:00Z"));
        for (const tag of ["1.0.0", "1.1.0", "2.0.0-rc.1"]) await registry.push("team/api", tag);
        for (const tag of ["main-aaa", "main-bbb", "release-zzz"]) await registry.push("team/web", tag);

        repo = new TestRepo();
        repo.git("config", "receive.denyCurrentBranch", "updateInstead");
        repo.commit({
            "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
            "charts/app/values.yaml": `# the chart's defaults\nimage:\n  repository: ${registry.image("team/api")} # where from\n  tag: 1.0.0\n`,
            "charts/app/templates/deployment.yaml": "kind: ConfigMap\n",
            "kust/kustomization.yaml": "resources:\n  - web.yaml # the web Deployment\nimages:\n  - name: web\n    newName: old/web\n    newTag: main-aaa\n",
            "kust/web.yaml": "kind: ConfigMap\n",
            // Already holds what the registry offers (a commit not synced yet), written in another layout.
            "kq/kustomization.yaml": `resources: [web.yaml]\nimages:\n  - newTag: "main-bbb"\n    newName: '${registry.image("team/web")}'\n    name: web\n`,
            "kq/web.yaml": "kind: ConfigMap\n",
        });

        project = mkdtempSync(join(tmpdir(), "syncwave-images-project-"));
        writeFileSync(join(project, "Pulumi.yaml"), "name: imagestest\nruntime: nodejs\n");
        const app = (name: string, path: string, annotations: Record<string, string>, extra: Record<string, unknown> = {}) => ({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name, annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v])) },
            spec: { project: "team", source: { repoURL: repo.url, targetRevision: "main", path, ...extra }, destination: { server: "https://kubernetes.default.svc", namespace: name } },
        });
        mkdirSync(join(project, "apps"));
        writeFileSync(
            join(project, "apps/apps.yaml"),
            [
                app("chart", "charts/app", { "image-list": `app=${registry.image("team/app")}`, "app.update-strategy": "newest-build", "app.helm.image-name": "image.repository", "app.helm.image-tag": "image.tag" }, { helm: { parameters: [{ name: "replicas", value: "2" }] } }),
                app("values", "charts/app", { "image-list": `api=${registry.image("team/api")}`, "api.helm.image-name": "image.repository", "api.helm.image-tag": "image.tag", "write-back-target": "helmvalues:values.yaml", "update-strategy": "semver" }),
                app("kust", "kust", { "image-list": `web=${registry.image("team/web")}`, "web.update-strategy": "alphabetical", "web.allow-tags": "regexp:^main-", "web.kustomize.image-name": "web", "write-back-target": "kustomization" }),
                app("kq", "kq", { "image-list": `web=${registry.image("team/web")}`, "web.update-strategy": "alphabetical", "web.allow-tags": "regexp:^main-", "web.kustomize.image-name": "web", "write-back-target": "kustomization" }),
                app("gone", "kust", { "image-list": `${registry.image("team/gone")}:~1` }),
                app("secret", "kust", { "image-list": `web=${registry.image("team/web")}`, "web.pull-secret": "pullsecret:ns/creds" }),
                app("plain", "kust", {}),
            ]
                .map((d) => stringify(d))
                .join("---\n"),
        );
        const names = ["chart", "values", "kust", "kq", "gone", "secret", "plain"];
        writeFileSync(
            join(project, "Pulumi.t.yaml"),
            stringify({
                config: {
                    "syncwave:platform": { projects: { team: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }] } }, applications: Object.fromEntries(names.map((n) => [n, ["team"]])) },
                    "syncwave:manifests": ["apps"],
                },
            }),
        );
        // The last sync, as the state records it: each Application's Deployment and the image it runs.
        const runs: Record<string, string> = { chart: "team/app:1.0.0", values: "team/api:1.0.0", kust: "team/web:main-aaa", kq: "team/web:main-aaa", secret: "team/web:main-aaa", gone: "team/other:1" };
        const resources = Object.entries(runs).map(([name, image]) => ({
            urn: `urn:pulumi:t::imagestest::syncwave:index:Application$kubernetes:apps/v1:Deployment::${name}`,
            type: "kubernetes:apps/v1:Deployment",
            parent: `urn:pulumi:t::imagestest::syncwave:index:Application::${name}`,
            outputs: { spec: { template: { spec: { containers: [{ name, image: `${registry.host}/${image}` }] } } } },
        }));
        const backend = join(project, "state");
        mkdirSync(join(backend, ".pulumi/stacks/imagestest"), { recursive: true });
        writeFileSync(join(backend, ".pulumi/stacks/imagestest/t.json"), JSON.stringify({ checkpoint: { latest: { resources } } }));
        env.PULUMI_BACKEND_URL = `file://${backend}`;
    });

    afterAll(async () => {
        await registry.stop();
    });

    it("--dry-run shows every change and commits nothing", async () => {
        const head = repo.git("rev-parse", "HEAD");
        const results = byApp(await run({ dryRun: true }));
        expect(repo.git("rev-parse", "HEAD")).toBe(head);
        expect(results.chart).toMatchObject({ result: "would update", file: "charts/app/.argocd-source-chart.yaml", branch: "main" });
        expect(results.chart.diff).toContain("+++ b/charts/app/.argocd-source-chart.yaml");
        expect(results.values.diff).toContain("-  tag: 1.0.0\n+  tag: 1.1.0");
    });

    it("writes each Application's target, one commit each, and names what it refuses", async () => {
        lines.length = 0;
        const before = Number(repo.git("rev-list", "--count", "HEAD"));
        const results = byApp(await run());
        expect(Number(repo.git("rev-list", "--count", "HEAD"))).toBe(before + 3);

        // newest-build: 0.9.0 was built last; the Application's own parameters stay in the file.
        expect(results.chart).toMatchObject({ result: "updated", images: [{ image: registry.image("team/app"), from: "1.0.0", to: "0.9.0", result: "update" }] });
        expect(parse(readFileSync(join(repo.dir, "charts/app/.argocd-source-chart.yaml"), "utf8"))).toEqual({
            helm: {
                parameters: [
                    { name: "replicas", value: "2" },
                    { name: "image.repository", value: registry.image("team/app"), forceString: true },
                    { name: "image.tag", value: "0.9.0", forceString: true },
                ],
            },
        });
        // helmvalues: the chart's values file, its comments kept; semver leaves the pre-release out.
        expect(readFileSync(join(repo.dir, "charts/app/values.yaml"), "utf8")).toBe(`# the chart's defaults\nimage:\n  repository: ${registry.image("team/api")} # where from\n  tag: 1.1.0\n`);
        expect(results.values.images).toEqual([{ image: registry.image("team/api"), from: "1.0.0", to: "1.1.0", result: "update" }]);
        // kustomization: alphabetical among the allowed tags, by the kustomize image name.
        expect(readFileSync(join(repo.dir, "kust/kustomization.yaml"), "utf8")).toBe(
            `resources:\n  - web.yaml # the web Deployment\nimages:\n  - name: web\n    newName: ${registry.image("team/web")}\n    newTag: main-bbb\n`,
        );
        expect(repo.git("log", "-1", "--format=%B", "--", "kust/kustomization.yaml")).toBe("build: automatic update of kust\n\nupdates image team/web tag 'main-aaa' to 'main-bbb'");

        // The kustomization already has main-bbb, quoted and in another key order: no commit only to reformat it.
        expect(results.kq).toMatchObject({ result: "up to date", file: "kq/kustomization.yaml" });
        expect(repo.git("log", "-1", "--format=%s", "--", "kq/kustomization.yaml")).not.toContain("automatic update");
        expect(lines.some((l) => l.startsWith("kq: kq/kustomization.yaml already has"))).toBe(true);

        expect(results.gone).toMatchObject({ result: "up to date", images: [{ result: "not live" }] });
        expect(lines).toContain(`gone: ${registry.image("team/gone")} is not live in what the last sync applied: skipped`);
        expect(results.secret).toMatchObject({ result: "failed" });
        expect(results.secret.reason).toBe(`application secret, annotation ${P}web.pull-secret: registry credentials are not supported: SyncWave reads registries anonymously or with the token a registry's WWW-Authenticate challenge hands out`);
        expect(results.plain).toBeUndefined();
    });

    it("with nothing new, commits nothing; --app takes one Application and refuses one without annotations", async () => {
        const head = repo.git("rev-parse", "HEAD");
        lines.length = 0;
        const results = await run({ app: "values" });
        expect(results).toEqual([expect.objectContaining({ application: "values", result: "up to date", file: "charts/app/values.yaml" })]);
        expect(lines.join("\n")).toContain("charts/app/values.yaml already has");
        expect(repo.git("rev-parse", "HEAD")).toBe(head);
        await expect(run({ app: "plain" })).rejects.toThrow("application plain has no argocd-image-updater.argoproj.io/ annotations");
        await expect(run({ app: "nope" })).rejects.toThrow("no application nope among the stack's Argo CD Application manifests");
    });

    it("names the registry URL when a registry cannot be reached", async () => {
        await registry.stop();
        const results = byApp(await run({ app: "values" }));
        expect(results.values.result).toBe("failed");
        expect(results.values.reason).toMatch(new RegExp(`^application values: http://${registry.host.replace(/\./g, "\\.")}/v2/team/api/tags/list\\?n=1000: ECONNREFUSED`));
    });
});
