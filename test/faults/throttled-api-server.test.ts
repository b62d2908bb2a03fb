// A slow, throttled API server: kube-apiserver restarted with six request seats in all
// (--max-requests-inflight=4, --max-mutating-requests-inflight=2), and the sync acting as a
// ServiceAccount outside kube-system (flow schema "service-accounts", priority level "workload-low"):
// a system:masters user, as the local cluster's admin is, is exempt from API Priority and Fairness
// and never throttled, and kube-system's ServiceAccounts have a higher priority level. The sync of
// 100 objects in 4 waves runs as a user starts it (the CLI, pointed at its kubeconfig): it completes,
// with no spurious timeout, while the API server provably queued its requests. The API server is
// restarted with its defaults afterwards.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startComponent, stopComponent } from "../../cli/cluster/components";
import { clusterPaths, kubectl } from "../../cli/cluster/local-cluster";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { startCli } from "../helpers/cli-run";
import { TestRepo } from "../helpers/git";
import { waveConfigMap, webDeployment } from "../helpers/manifests";
import { until } from "../helpers/processes";
import { webApplicationStack, type SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const ns = `throttled-${run}`;
const account = `syncwave-throttled-${run}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const THROTTLED = ["--max-requests-inflight=4", "--max-mutating-requests-inflight=2"];
const DEFAULTS = ["--max-requests-inflight=400", "--max-mutating-requests-inflight=200"];

async function restartApiServer(flags: string[]): Promise<void> {
    const paths = clusterPaths();
    await stopComponent(paths, "kube-apiserver");
    await startComponent(paths, "kube-apiserver", flags);
    await until("the API server to answer again", 60_000, async () => ((await kTry("get", "--raw", "/readyz")).ok ? true : undefined));
}

/** A counter of the API server's flow control for the ServiceAccounts' flow schema, summed over its other labels. */
async function serviceAccountMetric(name: string): Promise<number> {
    const metrics = await k("get", "--raw", "/metrics");
    return metrics
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`) && l.includes('flow_schema="service-accounts"'))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}
const queuedSeconds = () => serviceAccountMetric("apiserver_flowcontrol_request_wait_duration_seconds_sum");
const dispatched = () => serviceAccountMetric("apiserver_flowcontrol_dispatched_requests_total");

describe("a throttled API server", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let kubeconfig: string;

    beforeAll(async () => {
        await ensureCluster();
        // The sync's own identity: a ServiceAccount bound to cluster-admin, by token.
        await k("create", "serviceaccount", account, "-n", "default");
        await k("create", "clusterrolebinding", account, "--clusterrole=cluster-admin", `--serviceaccount=default:${account}`);
        const token = (await k("create", "token", account, "-n", "default", "--duration=2h")).trim();
        const admin = parse(readFileSync(clusterPaths().kubeconfig, "utf8")) as { clusters: { name: string; cluster: Record<string, string> }[]; "current-context": string };
        kubeconfig = join(mkdtempSync(join(tmpdir(), "syncwave-throttled-")), "kubeconfig");
        writeFileSync(
            kubeconfig,
            stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: admin.clusters,
                users: [{ name: account, user: { token } }],
                contexts: [{ name: account, context: { cluster: admin.clusters[0].name, user: account } }],
                "current-context": account,
            }),
        );
        repo = new TestRepo();
        repo.commit({
            "web/web.yaml": yaml(webDeployment("example.com/web:1", { "syncwave.dev/ready-after": "1s" })),
            ...Object.fromEntries([0, 1, 2, 3].map((wave) => [`web/wave-${wave}.yaml`, yaml(...Array.from({ length: wave === 1 ? 24 : 25 }, (_, i) => waveConfigMap(`w${wave}-${i}`, wave, { v: "1" })))])),
        });
        stack = await webApplicationStack("throttled", repo.url, "web", ns, "300s");
        await restartApiServer(THROTTLED);
        // Just restarted with so few seats, the API server keeps a ServiceAccount's first request
        // waiting for most of a minute (a fresh server's, not a throttled one's): wait that out first.
        const warming = Date.now();
        await until("the API server to answer the ServiceAccount", 180_000, () =>
            kubectl({ ...clusterPaths(), kubeconfig }, ["get", "--raw", "/api"], 120_000).then(
                () => true,
                () => undefined,
            ),
        );
        console.log(`the restarted API server first answered the ServiceAccount after ${Math.round((Date.now() - warming) / 1000)} s`);
    });
    afterAll(async () => {
        await restartApiServer(DEFAULTS);
        await stack?.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
        await kTry("delete", "clusterrolebinding", account);
        await kTry("delete", "serviceaccount", account, "-n", "default");
    });

    it("the sync of 100 objects completes with no spurious timeout while its requests queue", async () => {
        const [queuedBefore, dispatchedBefore] = [await queuedSeconds(), await dispatched()];
        const startedAt = Date.now();
        // As a user points syncwave at a cluster (KUBECONFIG follows it).
        const run = startCli(stack, ["sync"], { env: { SYNCWAVE_KUBECONFIG: kubeconfig } });
        const { code } = await run.exited;
        const output = run.output();
        const seconds = Math.round((Date.now() - startedAt) / 1000);
        expect(code, output).toBe(0);
        expect(output).not.toMatch(/timed out|did not answer|429|Too many requests/i);
        const objects = (await k("get", "configmaps,deployments", "-n", ns, "-o", "name")).split("\n").filter((l) => /configmap\/w\d|deployment/.test(l));
        expect(objects).toHaveLength(100);
        // Throttled for real: the sync's requests went through flow control as the ServiceAccount's, and queued.
        const requests = (await dispatched()) - dispatchedBefore;
        const queued = (await queuedSeconds()) - queuedBefore;
        console.log(`throttled API server (6 seats): 100 objects synced in ${seconds} s; ${requests} requests of the sync's ServiceAccount queued ${queued.toFixed(1)} s in all`);
        expect(requests).toBeGreaterThan(100);
        expect(queued).toBeGreaterThan(1);
    });
});
