// The local cluster's control plane fails in the middle of a sync: the API server, then etcd, is
// stopped while a wave's gate waits for health and started again 10 s later. Afterwards the sync has
// either finished or failed naming what it waited for; the next sync converges; no object exists
// twice and the PostSync hook ran once for the commit.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { clusterPaths } from "../../cli/cluster/local-cluster";
import { startComponent, stopComponent } from "../../cli/cluster/components";
import { sync } from "../../cli/commands/sync";
import { deploymentImage, ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { waveConfigMap, webDeployment } from "../helpers/manifests";
import { until } from "../helpers/processes";
import { webApplicationStack, type SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `cp-${run}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

function files(version: number): Record<string, string> {
    return {
        "web/first.yaml": yaml(waveConfigMap("first", 0, { v: String(version) })),
        "web/web.yaml": yaml(webDeployment(`example.com/web:${version}`, { "syncwave.dev/ready-after": "15s" })),
        "web/last.yaml": yaml(waveConfigMap("last", 2, { v: String(version) })),
        "web/smoke.yaml": yaml({
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { generateName: "smoke-", annotations: { "argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/hook-delete-policy": "HookFailed" } },
            spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "smoke", image: `example.com/smoke:${version}` }] } } },
        }),
    };
}

describe("the control plane failing mid-sync", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    let version = 1;

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        repo.commit(files(version));
        stack = await webApplicationStack("control-plane", repo.url, "web", ns);
        options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).failed).toEqual([]);
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    /** Smoke runs (the PostSync hook's Jobs) of one version. */
    const smokeRuns = async (v: number) =>
        (await k("get", "jobs", "-n", ns, "-o", "jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}{'\\n'}{end}")).split("\n").filter((l) => l === `example.com/smoke:${v}`).length;

    it.each(["kube-apiserver", "etcd"])("%s stopped for 10 s while a gate waits", async (component) => {
        version++;
        repo.commit(files(version));
        const lines: string[] = [];
        const syncing = sync({ ...options, progress: (l) => lines.push(l) }).then(
            (r) => ({ outcome: r.failed.length ? `failed: ${r.failed.map((f) => f.reason).join("; ")}` : "synced" }),
            (err: Error) => ({ outcome: `failed: ${err.message}` }),
        );
        await until("wave 1 to be applied", 120_000, async () => ((await deploymentImage(ns)) === `example.com/web:${version}` ? true : undefined));
        const paths = clusterPaths();
        await stopComponent(paths, component);
        try {
            await new Promise((r) => setTimeout(r, 10_000));
        } finally {
            await startComponent(paths, component);
        }
        await until("the API server to answer again", 60_000, async () => ((await kTry("get", "--raw", "/readyz")).ok ? true : undefined));
        const { outcome } = await syncing;
        // Either it waited the outage out, or it failed saying what it waited for and why.
        if (outcome !== "synced") expect(outcome, lines.join("\n")).toMatch(/web/);
        const converged = await sync(options);
        expect(converged.failed, `${outcome}\n${lines.join("\n")}`).toEqual([]);
        expect(await k("get", "configmap/last", "-n", ns, "-o", "jsonpath={.data.v}")).toBe(String(version));
        expect((await k("get", "deployments", "-n", ns, "-o", "name")).split("\n").filter(Boolean)).toEqual(["deployment.apps/web"]);
        expect(await smokeRuns(version)).toBe(1);
        console.log(`${component} down 10 s mid-wave: the sync ${outcome === "synced" ? "waited it out and finished" : outcome.split("\n")[0]}`);
    });
});
