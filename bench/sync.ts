// `npm run bench`: SyncWave's day-one and day-two operations against kubectl, Carvel kapp and Argo
// CD's gitops-engine on the same manifests in the same run, each timed as its user runs it (the
// syncwave CLI as a process), with the issue's targets as ratios. The peers are built by
// `npm run setup -- --only peers`; without them their columns say so. The local cluster is started.
//   - 100 objects in 5 waves (2 Deployments, 2 Services, 16 ConfigMaps each; pods Ready at once on kwok)
//   - 1,000 objects for the preview, the sync and a reconcile round with nothing to do
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { clusterUp } from "../cli/cluster/local-cluster";
import { TestRepo } from "../test/helpers/git";
import { SyncStack } from "../test/helpers/sync-stack";
import { kubectl, peer, run, syncwave, type Timed } from "./commands";
import { timed } from "./measure";
import { kappWaves, makeWorkload, OPEN_PROJECT, writeWaves, type Workload } from "./workload";

const root = resolve(__dirname, "..");

interface Row {
    what: string;
    syncwave: number;
    baseline: { name: string; seconds: number };
    others: { name: string; seconds?: number; note?: string }[];
    /** The target ratio to the baseline, or an absolute limit in seconds. */
    target: { ratio?: number; seconds?: number };
}

const log = (line: string) => console.error(line);

function seconds(what: string, t: Timed): number {
    log(`  ${what}: ${t.seconds.toFixed(2)}s${t.peakMiB ? ` (peak ${t.peakMiB.toFixed(0)} MiB)` : ""}`);
    return t.seconds;
}

const timeKubectl = async (what: string, fn: () => void): Promise<number> => (await timed(what, fn)).seconds;

function diffOk(args: string[]): void {
    try {
        execFileSync("kubectl", args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 256 * 1024 * 1024 });
    } catch (err) {
        // kubectl diff exits 1 when it found differences: that is its answer.
        if ((err as { status?: number }).status !== 1) throw err;
    }
}

async function syncwaveStack(name: string, workload: Workload, namespace: string, repo = new TestRepo()): Promise<{ stack: SyncStack; repo: TestRepo }> {
    writeWaves(join(repo.dir, "app"), workload);
    repo.commit({}, "workload");
    const stack = await SyncStack.create(
        name,
        {
            platform: { projects: { bench: OPEN_PROJECT }, applications: { bench: ["bench"] } },
            applications: {
                bench: {
                    project: "bench",
                    source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                    destination: { server: "https://kubernetes.default.svc", namespace },
                    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
                },
            },
            healthTimeout: "5m",
        },
        { projectDir: root, configDir: resolve(root, "stacks") },
    );
    return { stack, repo };
}

function deploymentImage(namespace: string, name: string): string {
    return kubectl("get", "deployment", name, "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].image}");
}

async function main(): Promise<void> {
    await clusterUp();
    const id = Date.now().toString(36);
    const rows: Row[] = [];
    const cleanup: (() => Promise<unknown> | unknown)[] = [];
    const kapp = peer("kapp");
    const engine = peer("gitops-engine-sync");
    const peerNote = "not built (npm run setup -- --only peers)";
    const work = mkdtempSync(join(tmpdir(), "syncwave-bench-"));

    try {
        log("kubectl, 100 objects in 5 waves:");
        const kns = `bench-kubectl-${id}`;
        const files = writeWaves(join(work, "kubectl"), makeWorkload(100, 5, kns));
        kubectl("create", "namespace", kns);
        cleanup.push(() => kubectl("delete", "namespace", kns, "--wait=false", "--ignore-not-found"));
        const waitAll = () => kubectl("wait", "-n", kns, "--for=condition=Available", "deployment", "--all", "--timeout=300s");
        const fileArgs = files.flatMap((f) => ["-f", f]);
        const kubectlFresh = await timeKubectl("apply --server-side + wait, wave by wave (fresh)", () => {
            for (const f of files) {
                kubectl("apply", "--server-side", "-f", f);
                waitAll();
            }
        });
        const kubectlNoop = await timeKubectl("apply --server-side (no-op)", () => kubectl("apply", "--server-side", ...fileArgs));
        const kubectlDiff = await timeKubectl("diff --server-side (nothing drifted)", () => diffOk(["diff", "--server-side", ...fileArgs]));
        const target = "app-w1-0";
        kubectl("set", "image", `deployment/${target}`, "-n", kns, "app=example.com/app:hotfix");
        const kubectlRepair = await timeKubectl("apply --server-side --force-conflicts + rollout status (repair)", () => {
            kubectl("apply", "--server-side", "--force-conflicts", ...fileArgs);
            kubectl("rollout", "status", `deployment/${target}`, "-n", kns, "--timeout=300s");
        });
        kubectl("set", "image", `deployment/${target}`, "-n", kns, "app=example.com/app:2");
        kubectl("rollout", "status", `deployment/${target}`, "-n", kns, "--timeout=300s");
        const kubectlRollback = await timeKubectl("rollout undo + rollout status (rollback)", () => {
            kubectl("rollout", "undo", `deployment/${target}`, "-n", kns);
            kubectl("rollout", "status", `deployment/${target}`, "-n", kns, "--timeout=300s");
        });

        const kappTimes: { fresh?: number; noop?: number } = {};
        if (kapp) {
            log("kapp, the same 100 objects, waves as change groups:");
            const ns = `bench-kapp-${id}`;
            const dir = join(work, "kapp");
            writeWaves(dir, kappWaves(makeWorkload(100, 5, ns)));
            kubectl("create", "namespace", ns);
            const args = ["deploy", "-a", `bench-${id}`, "-n", ns, "-f", dir, "-y", "--tty=false", "--kubeconfig", process.env.KUBECONFIG ?? ""];
            kappTimes.fresh = seconds("kapp deploy (fresh)", await run(kapp, args));
            kappTimes.noop = seconds("kapp deploy (no-op)", await run(kapp, args));
            cleanup.push(async () => {
                await run(kapp, ["delete", "-a", `bench-${id}`, "-n", ns, "-y", "--tty=false", "--kubeconfig", process.env.KUBECONFIG ?? ""], { ok: [0, 1] });
                kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
            });
        }

        const engineTimes: { coldFresh?: number; warmNoop?: number; coldNoop?: number; warmFresh?: number } = {};
        if (engine) {
            log("gitops-engine (driven as Argo CD's controller drives it, QPS 50/100), the same 100 objects:");
            const ns = `bench-engine-${id}`;
            const dir = join(work, "engine");
            writeWaves(dir, makeWorkload(100, 5, ns));
            kubectl("create", "namespace", ns);
            // Flags first: Go's flag package stops at the folder.
            const base = ["--namespace", ns, "--kubeconfig", process.env.KUBECONFIG ?? "", "--qps", "50", "--burst", "100"];
            const parse = (t: Timed) => t.stdout.trim().split("\n").map((l) => JSON.parse(l) as { run: number; seconds: number; phase: string });
            const first = parse(await run(engine, [...base, "--runs", "2", dir]));
            engineTimes.coldFresh = first[0].seconds;
            engineTimes.warmNoop = first[1].seconds;
            const recreate = `kubectl delete namespace ${ns} --wait=true && kubectl create namespace ${ns}`;
            const second = parse(await run(engine, [...base, "--runs", "2", "--before", recreate, dir]));
            engineTimes.coldNoop = second[0].seconds;
            engineTimes.warmFresh = second[1].seconds;
            log(`  fresh cold ${engineTimes.coldFresh.toFixed(2)}s, warm ${engineTimes.warmFresh.toFixed(2)}s; no-op cold ${engineTimes.coldNoop.toFixed(2)}s, warm ${engineTimes.warmNoop.toFixed(2)}s`);
            cleanup.push(() => kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found"));
        }

        log("SyncWave (the syncwave CLI), the same 100 objects:");
        const ns = `bench-syncwave-${id}`;
        const { stack, repo } = await syncwaveStack("bench", makeWorkload(100, 5, ns), ns);
        cleanup.push(async () => {
            await stack.destroy();
            kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
        });
        const env = stack.env;
        const fresh = seconds("syncwave sync (fresh)", await syncwave(stack.name, ["sync"], env));
        const noop = await syncwave(stack.name, ["sync", "--timings"], env);
        if (!/in sync/.test(noop.stderr)) throw new Error(`a no-op sync did not answer in sync:\n${noop.stderr}`);
        seconds("syncwave sync (no-op)", noop);
        const forced = seconds("syncwave sync --force (no-op, the full preview and update)", await syncwave(stack.name, ["sync", "--force"], env));
        const driftClean = seconds("syncwave drift (nothing drifted)", await syncwave(stack.name, ["drift"], env));
        const preview100 = seconds("syncwave diff (nothing to do: a preview)", await syncwave(stack.name, ["diff"], env));
        const reconcileNoop = seconds("syncwave reconcile --once (nothing to do)", await syncwave(stack.name, ["reconcile", "--once"], env));
        kubectl("set", "image", `deployment/${target}`, "-n", ns, "app=example.com/app:hotfix");
        const driftFound = await syncwave(stack.name, ["drift"], env, [2]);
        seconds("syncwave drift (one image edited: exit 2)", driftFound);
        const repair = await syncwave(stack.name, ["reconcile", "--once", "--timings"], env);
        seconds("syncwave reconcile --once (repair of the edited Deployment)", repair);
        if (deploymentImage(ns, target) !== "example.com/app:1") throw new Error(`reconcile did not repair the image:\n${repair.stderr}`);

        // A new release (image 2), then back to the one before it.
        const release = makeWorkload(100, 5, ns).waves.map((objects) =>
            objects.map((o) => {
                const d = structuredClone(o) as { kind: string; metadata: { name: string }; spec?: { template: { spec: { containers: { image: string }[] } } } };
                if (d.kind === "Deployment" && d.metadata.name === target) d.spec!.template.spec.containers[0].image = "example.com/app:2";
                return d;
            }),
        );
        repo.commit(Object.fromEntries(release.map((objects, w) => [`app/wave-${w}.yaml`, objects.map((o) => stringify(o)).join("---\n")])), "release 2");
        seconds("syncwave sync (a new commit: one Deployment changed)", await syncwave(stack.name, ["sync"], env));
        const historyOut = await syncwave(stack.name, ["--json", "history"], env);
        const entries = JSON.parse(historyOut.stdout) as { id: number; result: string; revisions: Record<string, string> }[];
        const earlier = entries.filter((e) => e.result === "succeeded" && Object.keys(e.revisions).length > 0)[1];
        const rollback = await syncwave(stack.name, ["rollback", String(earlier.id), "--app", "bench", "--timings"], env);
        seconds(`syncwave rollback ${earlier.id}`, rollback);
        if (deploymentImage(ns, target) !== "example.com/app:1") throw new Error("rollback did not bring image 1 back");

        log("1,000 objects:");
        const bigKns = `bench-kubectl-big-${id}`;
        const bigFiles = writeWaves(join(work, "kubectl-big"), makeWorkload(1000, 5, bigKns));
        kubectl("create", "namespace", bigKns);
        cleanup.push(() => kubectl("delete", "namespace", bigKns, "--wait=false", "--ignore-not-found"));
        const kubectlDiff1000 = await timeKubectl("kubectl diff --server-side (1,000 new objects)", () => diffOk(["diff", "--server-side", ...bigFiles.flatMap((f) => ["-f", f])]));
        const bigNs = `bench-syncwave-big-${id}`;
        const big = await syncwaveStack("bench-big", makeWorkload(1000, 5, bigNs), bigNs);
        cleanup.push(async () => {
            await big.stack.destroy();
            kubectl("delete", "namespace", bigNs, "--wait=false", "--ignore-not-found");
        });
        const preview1000 = seconds("syncwave diff (1,000 new objects)", await syncwave(big.stack.name, ["diff"], big.stack.env));
        const sync1000 = await syncwave(big.stack.name, ["sync"], big.stack.env);
        seconds("syncwave sync (1,000 objects, fresh)", sync1000);
        const reconcile1000 = await syncwave(big.stack.name, ["reconcile", "--once", "--timings"], big.stack.env);
        seconds("syncwave reconcile --once (1,000 objects, nothing to do)", reconcile1000);
        log(reconcile1000.stderr.split("\n").filter((l) => /^\s|timings/.test(l)).join("\n"));

        rows.push(
            {
                what: "sync, nothing to do (100)",
                syncwave: noop.seconds,
                baseline: { name: "kubectl apply --server-side", seconds: kubectlNoop },
                others: [
                    { name: "kapp", seconds: kappTimes.noop, note: kapp ? undefined : peerNote },
                    { name: "gitops-engine cold/warm", seconds: engineTimes.coldNoop, note: engine ? `warm ${engineTimes.warmNoop?.toFixed(2)}s` : peerNote },
                    { name: "syncwave sync --force", seconds: forced },
                ],
                target: { ratio: 1.5 },
            },
            {
                what: "fresh sync, 5 waves (100)",
                syncwave: fresh,
                baseline: { name: "kubectl apply + wait per wave", seconds: kubectlFresh },
                others: [
                    { name: "kapp", seconds: kappTimes.fresh, note: kapp ? undefined : peerNote },
                    { name: "gitops-engine cold/warm", seconds: engineTimes.coldFresh, note: engine ? `warm ${engineTimes.warmFresh?.toFixed(2)}s` : peerNote },
                ],
                target: { ratio: 1.3 },
            },
            { what: "drift (100)", syncwave: driftClean, baseline: { name: "kubectl diff --server-side", seconds: kubectlDiff }, others: [], target: { ratio: 1.5 } },
            { what: "reconcile round, nothing to do (1,000)", syncwave: reconcile1000.seconds, baseline: { name: "(absolute)", seconds: 1 }, others: [{ name: "at 100", seconds: reconcileNoop }], target: { seconds: 1 } },
            {
                what: "repair one drifted Deployment",
                syncwave: repair.seconds,
                baseline: { name: "kubectl apply + rollout status", seconds: kubectlRepair },
                others: [],
                target: { ratio: 3 },
            },
            {
                what: "rollback",
                syncwave: rollback.seconds,
                baseline: { name: "kubectl rollout undo + status", seconds: kubectlRollback },
                others: [{ name: "one no-change update (sync --force)", seconds: forced }],
                target: {},
            },
            { what: "preview (1,000)", syncwave: preview1000, baseline: { name: "kubectl diff --server-side", seconds: kubectlDiff1000 }, others: [{ name: "preview of 100", seconds: preview100 }], target: { ratio: 2 } },
            { what: "fresh sync (1,000)", syncwave: sync1000.seconds, baseline: { name: "(peak memory)", seconds: sync1000.peakMiB / 1000 }, others: [], target: {} },
        );
        const table = formatTable(rows);
        console.log(table);
        writeFileSync(join(work, "table.md"), table);
        log(`(table also in ${join(work, "table.md")})`);
    } finally {
        for (const c of cleanup.reverse()) await Promise.resolve(c()).catch((err: Error) => log(`cleanup: ${err.message.split("\n")[0]}`));
    }
}

function formatTable(rows: Row[]): string {
    const f = (s?: number) => (s === undefined ? "–" : `${s.toFixed(2)} s`);
    const lines = [
        `Machine: ${execFileSync("nproc", { encoding: "utf8" }).trim()} cores, ${(Number(/MemTotal:\s+(\d+)/.exec(execFileSync("cat", ["/proc/meminfo"], { encoding: "utf8" }))?.[1] ?? 0) / 1024 / 1024).toFixed(0)} GiB; local cluster (kube-apiserver ${kubectl("version", "-o", "json").match(/"gitVersion":\s*"([^"]+)"/g)?.pop()?.split('"')[3] ?? "?"}, kwok nodes)`,
        "",
        "| operation | SyncWave | baseline | ratio | target | others |",
        "| --- | --- | --- | --- | --- | --- |",
    ];
    for (const r of rows) {
        const isMemory = r.baseline.name === "(peak memory)";
        const ratio = r.target.seconds !== undefined || isMemory ? "" : `${(r.syncwave / r.baseline.seconds).toFixed(2)}×`;
        const target = r.target.ratio ? `≤ ${r.target.ratio}× ${r.syncwave / r.baseline.seconds <= r.target.ratio ? "met" : "missed"}` : r.target.seconds ? `≤ ${r.target.seconds} s ${r.syncwave <= r.target.seconds ? "met" : "missed"}` : "";
        const baseline = isMemory ? `peak memory ${(r.baseline.seconds * 1000).toFixed(0)} MiB` : r.target.seconds !== undefined ? "" : `${r.baseline.name} ${f(r.baseline.seconds)}`;
        const others = r.others.map((o) => `${o.name} ${o.seconds !== undefined ? f(o.seconds) : ""}${o.note ? ` (${o.note})` : ""}`.trim()).join("; ");
        lines.push(`| ${r.what} | ${f(r.syncwave)} | ${baseline} | ${ratio} | ${target} | ${others} |`);
    }
    return lines.join("\n");
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
