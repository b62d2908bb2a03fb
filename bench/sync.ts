// Benchmarks of a sync against the baseline measured in the same run: `kubectl apply --server-side`
// plus `kubectl wait` of the same manifests. Run with `npm run bench` (the local cluster is started).
//   - pulumi up of one app of 100 resources in 5 waves: fresh, and again with no change
//   - the kubectl baseline: everything at once, and wave by wave (apply, wait, next wave)
//   - pulumi preview of 1,000 resources
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterUp } from "../cli/cluster/local-cluster";
import { TestRepo } from "../test/helpers/git";
import { SyncStack } from "../test/helpers/sync-stack";
import { timed } from "./measure";
import { makeWorkload, OPEN_PROJECT, writeWaves } from "./workload";

function kubectl(...args: string[]): void {
    execFileSync("kubectl", args, { stdio: ["ignore", "ignore", "inherit"] });
}

function kubectlBaseline(files: string[], namespace: string, byWave: boolean): void {
    kubectl("create", "namespace", namespace);
    const waitAll = () => kubectl("wait", "-n", namespace, "--for=condition=Available", "deployment", "--all", "--timeout=300s");
    if (byWave) {
        for (const f of files) {
            kubectl("apply", "--server-side", "-f", f);
            waitAll();
        }
    } else {
        for (const f of files) kubectl("apply", "--server-side", "-f", f);
        waitAll();
    }
}

async function syncwaveUp(resources: number, waves: number, namespace: string) {
    const repo = new TestRepo();
    const dir = join(repo.dir, "app");
    writeWaves(dir, makeWorkload(resources, waves, namespace));
    repo.commit({}, "workload");
    const stack = await SyncStack.create("bench", {
        project: OPEN_PROJECT,
        healthTimeout: "5m",
        applications: {
            bench: {
                source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                destination: { server: "https://kubernetes.default.svc", namespace },
                syncPolicy: { syncOptions: ["CreateNamespace=true"] },
            },
        },
    });
    return stack;
}

async function main(): Promise<void> {
    await clusterUp();
    const run = Date.now().toString(36);
    const results: Record<string, number> = {};

    console.error("kubectl baseline, 100 resources in 5 waves:");
    const baseDir = mkdtempSync(join(tmpdir(), "syncwave-bench-"));
    const allNs = `bench-kubectl-all-${run}`;
    const files = writeWaves(join(baseDir, "all"), makeWorkload(100, 5, allNs));
    results.kubectlAllAtOnce = (await timed("kubectl apply --server-side + wait, all at once", () => kubectlBaseline(files, allNs, false))).seconds;
    const waveNs = `bench-kubectl-waves-${run}`;
    const waveFiles = writeWaves(join(baseDir, "waves"), makeWorkload(100, 5, waveNs));
    results.kubectlWaveByWave = (await timed("kubectl apply --server-side + wait, wave by wave", () => kubectlBaseline(waveFiles, waveNs, true))).seconds;

    console.error("SyncWave, the same 100 resources in 5 waves:");
    const ns = `bench-syncwave-${run}`;
    const stack = await syncwaveUp(100, 5, ns);
    const fresh = await timed("pulumi up, fresh", () => stack.up());
    if (fresh.value.code !== 0) throw new Error(fresh.value.stdout + fresh.value.stderr);
    results.syncwaveFresh = fresh.seconds;
    const again = await timed("pulumi up, no change", () => stack.up());
    if (again.value.code !== 0) throw new Error(again.value.stdout + again.value.stderr);
    results.syncwaveNoChange = again.seconds;

    console.error("pulumi preview of 1,000 resources in 5 waves:");
    const bigNs = `bench-preview-${run}`;
    const big = await syncwaveUp(1000, 5, bigNs);
    const preview = await timed("pulumi preview, 1,000 resources", () => big.preview());
    if (preview.value.code !== 0) throw new Error(preview.value.stdout + preview.value.stderr);
    results.preview1000 = preview.seconds;

    console.log(JSON.stringify(results, null, 2));
    console.log(
        [
            `SyncWave fresh / kubectl all at once: ${(results.syncwaveFresh / results.kubectlAllAtOnce).toFixed(2)}x`,
            `SyncWave fresh / kubectl wave by wave: ${(results.syncwaveFresh / results.kubectlWaveByWave).toFixed(2)}x`,
            `SyncWave no-change up / kubectl all at once: ${(results.syncwaveNoChange / results.kubectlAllAtOnce).toFixed(2)}x`,
        ].join("\n"),
    );

    await stack.destroy();
    await big.destroy();
    for (const n of [allNs, waveNs, ns, bigNs]) kubectl("delete", "namespace", n, "--wait=false", "--ignore-not-found");
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
