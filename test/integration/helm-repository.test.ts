// Charts from a Helm repository and multi-source Applications on the local cluster: a real chart
// repository served over http by the test (index.yaml and .tgz archives packaged here), synced through
// the real pulumi CLI and Kubernetes provider. Charts come from the repository at sync time, as in
// Argo CD; this repository is local only so that the test needs no network.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { ChartRepositoryServer, packageChart } from "../helpers/chart-repository";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const ns = `charts-${run}`;
const layeredNs = `${ns}-layered`;

const template = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: {{ .Release.Name }}-greeting",
    "data:",
    "  greeting: {{ .Values.greeting | quote }}",
    "  chartVersion: {{ .Chart.Version | quote }}",
].join("\n");

describe("Helm repository charts and multiple sources on the local cluster", () => {
    let charts: ChartRepositoryServer;
    let stack: SyncStack | undefined;
    beforeAll(async () => {
        await ensureCluster();
        charts = await ChartRepositoryServer.start({ account: { username: "ci", password: "chart-token" } });
        for (const version of ["1.0.0", "1.2.0", "2.0.0"]) {
            charts.publish("web", version, await packageChart("web", version, { "values.yaml": stringify({ greeting: "chart default" }), "templates/cm.yaml": template }));
        }
    });
    afterAll(async () => {
        await stack?.destroy();
        await charts?.close();
        await kTry("delete", "namespace", ns, layeredNs, "--wait=false");
    });

    it("syncs a chart picked by a semver constraint, and a chart whose values file comes from a git ref source", async () => {
        const values = new TestRepo();
        const commit = values.commit({ "env/prod.yaml": stringify({ greeting: "hello from the values repository" }) });
        // One namespace each: CreateNamespace declares the namespace once per Application.
        const destination = (namespace: string) => ({ server: "https://kubernetes.default.svc", namespace });
        const syncPolicy = { syncOptions: ["CreateNamespace=true"] };
        stack = await SyncStack.create("charts", {
            project: {
                sourceRepos: ["file:///tmp/*", charts.url()],
                destinations: [{ server: "https://kubernetes.default.svc", namespace: "charts-*" }],
                clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
            },
            repoCredentials: { [charts.url()]: { username: "ci", password: "chart-token" } },
            applications: {
                charted: {
                    source: { repoURL: charts.url(), chart: "web", targetRevision: ">=1.0.0 <2.0.0", helm: { releaseName: "charted" } },
                    destination: destination(ns),
                    syncPolicy,
                },
                layered: {
                    sources: [
                        { repoURL: charts.url(), chart: "web", targetRevision: "1.0.0", helm: { releaseName: "layered", valueFiles: ["$values/env/prod.yaml"] } },
                        { repoURL: values.url, targetRevision: "main", ref: "values" },
                    ],
                    destination: destination(layeredNs),
                    syncPolicy,
                },
            },
        });
        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);

        // The highest 1.x, not 2.0.0; with the chart's own values.
        expect(await k("get", "configmap", "charted-greeting", "-n", ns, "-o", "jsonpath={.data.chartVersion}")).toBe("1.2.0");
        expect(await k("get", "configmap", "charted-greeting", "-n", ns, "-o", "jsonpath={.data.greeting}")).toBe("chart default");
        // The values file from the git ref source wins over the chart's values.yaml.
        expect(await k("get", "configmap", "layered-greeting", "-n", layeredNs, "-o", "jsonpath={.data.greeting}")).toBe("hello from the values repository");
        expect(await k("get", "configmap", "layered-greeting", "-n", layeredNs, "-o", "jsonpath={.data.chartVersion}")).toBe("1.0.0");

        const summaries = (await stack.outputs()).summaries as { revision: string; revisions: string[] }[];
        expect(summaries.map((s) => [s.revision, s.revisions])).toEqual([
            ["1.2.0", ["1.2.0"]],
            ["1.0.0", ["1.0.0", commit]],
        ]);
        // Credentials went to the repository, whose every request needed them.
        expect(charts.requests.some((r) => r.path === "/charts/web-1.2.0.tgz" && r.authorization)).toBe(true);

        // A new commit of the ref source is a change of the Application that reads its values.
        values.commit({ "env/prod.yaml": stringify({ greeting: "changed in git" }) });
        const again = await stack.up();
        expect(again.code, again.stdout + again.stderr).toBe(0);
        expect(await k("get", "configmap", "layered-greeting", "-n", layeredNs, "-o", "jsonpath={.data.greeting}")).toBe("changed in git");
    });
});
