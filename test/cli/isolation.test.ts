// One Application's failure is its own: through the syncwave CLI's sync on the local cluster, a deny
// window or a broken source of one Application leaves it out of the update, untouched and still in the
// state, while the others sync; --app syncs one alone; --manual passes a window with manualSync.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { diff } from "../../cli/commands/diff";
import { sync, SyncError } from "../../cli/commands/sync";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const shopNs = `iso-${run}-shop`;
const metricsNs = `iso-${run}-metrics`;

const configMap = (name: string, value: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { value } });

function stackConfig(repo: TestRepo, metrics: { windows?: object[]; repoURL?: string } = {}) {
    const project = (windows: object[] = []) => ({
        sourceRepos: ["file:///tmp/*"],
        destinations: [{ server: "https://kubernetes.default.svc", namespace: "iso-*" }],
        clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
        syncWindows: windows,
    });
    const app = (project: string, path: string, namespace: string, repoURL = repo.url) => ({
        project,
        source: { repoURL, targetRevision: "main", path },
        destination: { server: "https://kubernetes.default.svc", namespace },
        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
    });
    return {
        platform: {
            projects: { shop: project(), observability: project(metrics.windows) },
            applications: { shop: ["shop"], metrics: ["observability"] },
        },
        applications: { shop: app("shop", "shop", shopNs), metrics: app("observability", "metrics", metricsNs, metrics.repoURL) },
        healthTimeout: "60s",
    };
}

// Open now, for an hour: every minute starts it again.
const denyMetrics = (manualSync: boolean) => [{ kind: "deny", schedule: "* * * * *", duration: "1h", applications: ["metrics"], manualSync }];

describe("one Application's failure is its own", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        repo.commit({ "shop/cm.yaml": configMap("shop-settings", "1"), "metrics/cm.yaml": configMap("metrics-settings", "1") });
        stack = await SyncStack.create("isolation", stackConfig(repo), { projectDir: root, configDir: resolve(root, "stacks") });
        options = { stack: stack.name, cwd: root, env: stack.env };
        const first = await sync(options);
        expect(first.failed).toEqual([]);
    });

    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", shopNs, metricsNs, "--wait=false");
    });

    const value = (name: string, ns: string) => k("get", "configmap", name, "-n", ns, "-o", "jsonpath={.data.value}");
    const stateHas = async (id: string) => (await stack.resources()).some((r) => r.urn.endsWith(`::${id}`));

    it("syncs the others while one is in a deny window, names it and fails; --app and --manual as Argo CD", async () => {
        stack.setConfig(stackConfig(repo, { windows: denyMetrics(true) }));
        repo.commit({ "shop/cm.yaml": configMap("shop-settings", "2"), "metrics/cm.yaml": configMap("metrics-settings", "2") });

        // The diff says which Application cannot be synced now, and why.
        const planned = await diff(options);
        expect(planned.failed.map((f) => f.application)).toEqual(["metrics"]);
        expect(planned.failed[0].reason).toMatch(/deny window/);

        // A full (automated) sync syncs shop, leaves metrics alone, and fails naming it.
        const error = await sync(options).then(
            () => undefined,
            (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(SyncError);
        expect((error as SyncError).message).toMatch(/not synced:\n\s+metrics: .*deny window/);
        expect((error as SyncError).partial?.revisions.map((r) => r.application)).toEqual(["shop"]);
        expect(await value("shop-settings", shopNs)).toBe("2");
        expect(await value("metrics-settings", metricsNs)).toBe("1");
        expect(await stateHas(`/ConfigMap/${metricsNs}/metrics-settings`)).toBe(true);

        // --app shop does not even look at metrics.
        repo.commit({ "shop/cm.yaml": configMap("shop-settings", "3") });
        const shopOnly = await sync({ ...options, app: "shop" });
        expect(shopOnly.failed).toEqual([]);
        expect(await value("shop-settings", shopNs)).toBe("3");

        // A manual sync passes a deny window that has manualSync: true; an automated one never does.
        const manual = await sync({ ...options, syncKind: "manual" });
        expect(manual.failed).toEqual([]);
        expect(await value("metrics-settings", metricsNs)).toBe("2");
        stack.setConfig(stackConfig(repo, { windows: denyMetrics(false) }));
        repo.commit({ "metrics/cm.yaml": configMap("metrics-settings", "3") });
        await expect(sync({ ...options, app: "metrics", syncKind: "manual" })).rejects.toThrow(/deny window/);
        expect(await value("metrics-settings", metricsNs)).toBe("2");
    });

    it("keeps a broken Application's objects and state while the others sync", async () => {
        stack.setConfig(stackConfig(repo, { repoURL: "file:///tmp/syncwave-no-such-repository" }));
        repo.commit({ "shop/cm.yaml": configMap("shop-settings", "4") });
        const error = await sync(options).then(
            () => undefined,
            (err: unknown) => err,
        );
        expect((error as SyncError).message).toMatch(/metrics: .*git fetch of .*no-such-repository failed/);
        expect(await value("shop-settings", shopNs)).toBe("4");
        expect(await value("metrics-settings", metricsNs)).toBe("2");
        expect(await stateHas(`/ConfigMap/${metricsNs}/metrics-settings`)).toBe(true);
        expect(await stateHas("metrics:prune")).toBe(true);
    });
});
