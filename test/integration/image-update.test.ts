// `syncwave images update` end to end: images in a local OCI registry, an Application whose Argo CD
// manifest carries Image Updater annotations, its source in a real git repository, the local cluster.
// The semver strategy moves web from 1.2.0 to the newest 1.x (never 2.0.0) and the digest strategy pins
// cache's `latest` to its digest, both written to .argocd-source-web.yaml in one commit; a sync deploys
// them. A dry run and a run with nothing new commit nothing.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { sync } from "../../cli/commands/sync";
import { deploymentImage, ensureCluster, kTry } from "../helpers/cluster";
import { startCli } from "../helpers/cli-run";
import { TestRepo } from "../helpers/git";
import { webDeployment } from "../helpers/manifests";
import { TestRegistry } from "../helpers/registry";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const ns = `images-${Date.now().toString(36)}`;
const P = "argocd-image-updater.argoproj.io/";

/** A second Deployment, `cache`, in the same wave as web. */
function cacheDeployment(image: string) {
    const d = webDeployment(image);
    return { ...d, metadata: { ...d.metadata, name: "cache" }, spec: { ...d.spec, selector: { matchLabels: { app: "cache" } }, template: { metadata: { labels: { app: "cache" } }, spec: { containers: [{ name: "cache", image }] } } } };
}

describe("syncwave images update", () => {
    let registry: TestRegistry;
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    const digests: string[] = [];

    const images = async (...args: string[]) => {
        const run = startCli(stack, ["images", "update", ...args]);
        const { code } = await run.exited;
        return { code, output: run.output() };
    };
    const head = () => repo.git("rev-parse", "HEAD");
    const overrideFile = () => parse(readFileSync(join(repo.dir, "app/.argocd-source-web.yaml"), "utf8")) as { kustomize: { images: string[] } };

    beforeAll(async () => {
        await ensureCluster();
        registry = await TestRegistry.start();
        await registry.push("team/web", "1.2.0", new Date("2026-01-01T00:00:00Z"));
        await registry.push("team/web", "1.3.0", new Date("2026-02-01T00:00:00Z"));
        await registry.push("team/web", "2.0.0", new Date("2026-03-01T00:00:00Z"));
        digests.push(await registry.push("team/cache", "latest"));

        repo = new TestRepo();
        // The write-back pushes to the branch the test repository has checked out.
        repo.git("config", "receive.denyCurrentBranch", "updateInstead");
        repo.commit({
            "app/kustomization.yaml": stringify({ resources: ["web.yaml", "cache.yaml"] }),
            "app/web.yaml": stringify(webDeployment(`${registry.image("team/web")}:1.2.0`)),
            "app/cache.yaml": stringify(cacheDeployment(`${registry.image("team/cache")}:latest`)),
        });
        const manifests = mkdtempSync(join(tmpdir(), "syncwave-images-apps-"));
        writeFileSync(
            join(manifests, "web.yaml"),
            stringify({
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Application",
                metadata: {
                    name: "web",
                    annotations: {
                        [`${P}image-list`]: `web=${registry.image("team/web")}:~1, cache=${registry.image("team/cache")}:latest`,
                        [`${P}cache.update-strategy`]: "digest",
                        [`${P}write-back-method`]: "git",
                    },
                },
                spec: {
                    project: "team",
                    source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                    destination: { server: "https://kubernetes.default.svc", namespace: ns },
                    syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                },
            }),
        );
        stack = await SyncStack.create(
            "images",
            {
                platform: {
                    projects: { team: { sourceRepos: ["file:///tmp/*"], destinations: [{ server: "https://kubernetes.default.svc", namespace: ns }], clusterResourceWhitelist: [{ group: "", kind: "Namespace" }] } },
                    applications: { web: ["team"] },
                },
                manifests: [manifests],
                healthTimeout: "60s",
            },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).result).toBe("succeeded");
        expect(await deploymentImage(ns)).toBe(`${registry.image("team/web")}:1.2.0`);
    });

    afterAll(async () => {
        await stack?.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
        await registry?.stop();
    });

    it("--dry-run shows the change to .argocd-source-web.yaml and commits nothing", async () => {
        const before = head();
        const { code, output } = await images("--dry-run");
        expect(code, output).toBe(0);
        expect(output).toContain(`web: ${registry.image("team/web")}: 1.2.0 -> 1.3.0`);
        expect(output).toContain("would update");
        expect(output).toContain("+++ b/app/.argocd-source-web.yaml");
        expect(output).toContain(`+    - ${registry.image("team/web")}:1.3.0`);
        expect(output).toContain(`+    - ${registry.image("team/cache")}:latest@${digests[0]}`);
        expect(head()).toBe(before);
        expect(repo.git("status", "--porcelain")).toBe("");
    });

    it("commits the newest 1.x and the pinned digest, then a rerun finds nothing to commit", async () => {
        const before = head();
        const { code, output } = await images();
        expect(code, output).toBe(0);
        expect(head()).not.toBe(before);
        expect(repo.git("log", "-1", "--format=%B")).toBe(
            `build: automatic update of web\n\nupdates image team/web tag '1.2.0' to '1.3.0'\nupdates image team/cache tag 'latest' to '${digests[0]}'`,
        );
        expect(repo.git("show", "--name-only", "--format=", "HEAD")).toBe("app/.argocd-source-web.yaml");
        expect(overrideFile().kustomize.images).toEqual([`${registry.image("team/web")}:1.3.0`, `${registry.image("team/cache")}:latest@${digests[0]}`]);

        const committed = head();
        const again = await images("--app", "web");
        expect(again.code, again.output).toBe(0);
        expect(again.output).toContain("nothing to commit");
        expect(head()).toBe(committed);
    });

    it("pins latest's new digest after it is pushed again, and sync deploys both images", async () => {
        digests.push(await registry.push("team/cache", "latest"));
        expect(digests[1]).not.toBe(digests[0]);
        const { code, output } = await images();
        expect(code, output).toBe(0);
        expect(repo.git("log", "-1", "--format=%B")).toContain(`updates image team/cache tag 'latest' to '${digests[1]}'`);
        expect(overrideFile().kustomize.images).toEqual([`${registry.image("team/web")}:1.3.0`, `${registry.image("team/cache")}:latest@${digests[1]}`]);

        const result = await sync(options);
        expect(result.result).toBe("succeeded");
        expect(result.revisions).toEqual([expect.objectContaining({ application: "web", commit: head() })]);
        expect(await deploymentImage(ns)).toBe(`${registry.image("team/web")}:1.3.0`);
        expect(await deploymentImage(ns, "cache")).toContain(`@${digests[1]}`);

        // What runs now is what the registry offers: nothing to do.
        const settled = await images();
        expect(settled.code, settled.output).toBe(0);
        expect(settled.output).toMatch(/team\/web is up to date at 1\.3\.0/);
        expect(settled.output).toMatch(new RegExp(`team/cache is up to date at ${digests[1]}`));
        expect(settled.output).toContain("web: up to date");
    });
});
