// The day-two operations of the syncwave CLI against their kubectl equivalents, measured in the same
// run on the same 20 resources in 2 waves. Run with `npm run bench:cli` (the local cluster is started).
//   - drift detection:  syncwave drift             vs  kubectl diff --server-side --force-conflicts
//   - repair:           syncwave reconcile (1 round) vs  kubectl apply --server-side --force-conflicts + wait
//   - rollback:         syncwave rollback ID        vs  kubectl rollout undo + rollout status
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { stringify } from "yaml";
import { clusterUp } from "../cli/cluster/local-cluster";
import { drift } from "../cli/commands/drift";
import { history } from "../cli/commands/history";
import { reconcile } from "../cli/commands/reconcile";
import { rollback } from "../cli/commands/rollback";
import { sync } from "../cli/commands/sync";
import { TestRepo } from "../test/helpers/git";
import { timed } from "./measure";
import { makeWorkload, selfHealingStack, writeWaves } from "./workload";

const root = resolve(__dirname, "..");

/** Seconds a step took. */
async function seconds(what: string, fn: () => Promise<unknown> | unknown): Promise<number> {
    return (await timed(what, fn)).seconds;
}

function kubectl(...args: string[]): string {
    try {
        return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        // kubectl diff exits 1 when it found differences: that is its answer, not a failure.
        const e = err as { status?: number; stdout?: string };
        if (args[0] === "diff" && e.status === 1) return e.stdout ?? "";
        throw err;
    }
}

function failing(objects: object[], deployment: string): object[] {
    return objects.map((o) => {
        const d = o as { kind: string; metadata: { name: string }; spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
        if (d.kind !== "Deployment" || d.metadata.name !== deployment) return o;
        const copy = structuredClone(d);
        copy.spec!.template!.metadata!.annotations = { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "bad release" };
        return copy;
    });
}

async function main(): Promise<void> {
    await clusterUp();
    const run = Date.now().toString(36);
    const results: Record<string, number> = {};
    const target = "app-w1-0";

    console.error("kubectl baseline, 20 resources in 2 waves:");
    const kns = `day2-kubectl-${run}`;
    const baseline = new TestRepo();
    const files = writeWaves(resolve(baseline.dir, "app"), makeWorkload(20, 2, kns));
    kubectl("create", "namespace", kns);
    for (const f of files) kubectl("apply", "--server-side", "-f", f);
    kubectl("wait", "-n", kns, "--for=condition=Available", "deployment", "--all", "--timeout=300s");
    kubectl("set", "image", `deployment/${target}`, "-n", kns, "app=example.com/app:hotfix");
    results.kubectlDiff = await seconds("kubectl diff --server-side --force-conflicts (drift)", () => files.forEach((f) => kubectl("diff", "--server-side", "--force-conflicts", "-f", f)));
    results.kubectlRepair = await seconds("kubectl apply --server-side --force-conflicts + wait (repair)", () => {
        for (const f of files) kubectl("apply", "--server-side", "--force-conflicts", "-f", f);
        kubectl("rollout", "status", `deployment/${target}`, "-n", kns, "--timeout=300s");
    });
    kubectl("set", "image", `deployment/${target}`, "-n", kns, "app=example.com/app:2");
    kubectl("rollout", "status", `deployment/${target}`, "-n", kns, "--timeout=300s");
    results.kubectlRollback = await seconds("kubectl rollout undo + rollout status (rollback)", () => {
        kubectl("rollout", "undo", `deployment/${target}`, "-n", kns);
        kubectl("rollout", "status", `deployment/${target}`, "-n", kns, "--timeout=300s");
    });

    console.error("syncwave, the same 20 resources in 2 waves:");
    const ns = `day2-syncwave-${run}`;
    const repo = new TestRepo();
    const workload = makeWorkload(20, 2, ns);
    writeWaves(resolve(repo.dir, "app"), workload);
    repo.commit({}, "workload");
    const stack = await selfHealingStack("day2", "bench", repo.url, ns);
    const options = { stack: stack.name, cwd: root, env: stack.env };
    try {
        results.syncwaveSyncFresh = await seconds("syncwave sync, fresh", () => sync(options));
        results.syncwaveSyncNoChange = await seconds("syncwave sync, no change", () => sync(options));
        results.syncwaveDriftClean = await seconds("syncwave drift, nothing drifted", () => drift(options));
        kubectl("set", "image", `deployment/${target}`, "-n", ns, "app=example.com/app:hotfix");
        results.syncwaveDrift = await seconds("syncwave drift (one image edited)", async () => {
            const reports = await drift(options);
            if (!reports.some((r) => r.fields.some((f) => f.class === "unauthorised"))) throw new Error("drift did not see the kubectl edit");
        });
        results.syncwaveRepair = await seconds("syncwave reconcile, one round (drift + repair sync)", () =>
            reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: () => undefined }),
        );
        const bad = workload.waves.map((objects) => failing(objects, target));
        repo.commit(Object.fromEntries(bad.map((objects, w) => [`app/wave-${w}.yaml`, objects.map((o) => stringify(o)).join("---\n")])), "bad release");
        results.syncwaveBadSyncFails = await seconds("syncwave sync of a bad release, until it fails Degraded", () =>
            sync(options).then(
                () => Promise.reject(new Error("the bad release synced")),
                () => undefined,
            ),
        );
        const good = (await history(options)).find((e) => e.result === "succeeded" && Object.keys(e.revisions).length > 0)!;
        results.syncwaveRollback = await seconds(`syncwave rollback ${good.id}`, () => rollback(String(good.id), { ...options, app: "bench" }));
    } finally {
        await stack.destroy();
        kubectl("delete", "namespace", kns, ns, "--wait=false", "--ignore-not-found");
    }

    console.log(JSON.stringify(results, null, 2));
    console.log(
        [
            `drift detection: syncwave drift ${results.syncwaveDrift.toFixed(2)}s vs kubectl diff ${results.kubectlDiff.toFixed(2)}s`,
            `repair: syncwave reconcile round ${results.syncwaveRepair.toFixed(2)}s vs kubectl apply + wait ${results.kubectlRepair.toFixed(2)}s`,
            `rollback: syncwave rollback ${results.syncwaveRollback.toFixed(2)}s vs kubectl rollout undo + status ${results.kubectlRollback.toFixed(2)}s`,
        ].join("\n"),
    );
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
