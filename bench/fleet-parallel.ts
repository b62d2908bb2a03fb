// `npm run bench:fleet-parallel`: many stacks on one shared S3 backend (a local versitygw server), split
// over two local clusters, synced the ways a platform runs them: one runner after another (sequential),
// one runner with `--parallel 4`, and four runners at once (a CI job matrix of four jobs, each syncing
// its share). Per mode: wall time, each stack's sync time (p50, p95) and the peak memory of a runner
// (every process under it). Then whether one no-change sync costs more as the backend holds more
// stacks (it must not: a sync reads only its own stack's objects). The baselines in the same run, on
// the same objects: kubectl (stack after stack), kapp and Argo CD's gitops-engine (stack after stack
// and four at a time; built by `npm run setup -- --only peers`). Sizes from the command line: STACKS OBJECTS-PER-STACK.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { clusterUp, clusterPaths } from "../cli/cluster/local-cluster";
import { formatColumns } from "../cli/format/table";
import { TestRepo } from "../test/helpers/git";
import { startS3Server, type TestS3Server as S3Server } from "../test/helpers/s3";
import { SyncStack } from "../test/helpers/sync-stack";
import { kubectl, peer, run, syncwave, type Timed } from "./commands";
import { kappWaves, makeWorkload, OPEN_PROJECT, writeWaves, type Workload } from "./workload";

const root = resolve(__dirname, "..");
const log = (line: string) => console.error(line);
const K8S = "https://kubernetes.default.svc";

interface Fleet {
    stacks: SyncStack[];
    namespaces: string[];
    pattern: string;
}

interface ModeResult {
    mode: string;
    wallSeconds: number;
    perStack: number[];
    peakRunnerMiB: number;
}

function withoutNamespaces(workload: Workload): Workload {
    return { waves: workload.waves.map((objects) => objects.map((o) => ({ ...o, metadata: { ...(o as { metadata: object }).metadata, namespace: undefined } }))) };
}

function percentile(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Stacks of one Application each (`fleet/s<i>` of the repository), every other one on the second cluster. */
async function createFleet(tag: string, count: number, repo: TestRepo, s3: S3Server, secondKubeconfig: string): Promise<Fleet> {
    const stacks: SyncStack[] = [];
    const namespaces: string[] = [];
    for (let i = 0; i < count; i++) {
        const ns = `${tag}-s${i}`;
        namespaces.push(ns);
        const second = i % 2 === 1;
        stacks.push(
            await SyncStack.create(
                `${tag}-${String(i).padStart(2, "0")}`,
                {
                    // The second cluster is named (syncwave:clusters): admitted by name as well as by server.
                    platform: { projects: { bench: { ...OPEN_PROJECT, destinations: [...OPEN_PROJECT.destinations, { name: "*", namespace: "*" }] } }, applications: { app: ["bench"] } },
                    ...(second ? { clusters: { second: { kubeconfig: secondKubeconfig } } } : {}),
                    applications: {
                        app: {
                            project: "bench",
                            source: { repoURL: repo.url, targetRevision: "main", path: `fleet/s${i}` },
                            destination: { ...(second ? { name: "second" } : { server: K8S }), namespace: ns },
                            syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                        },
                    },
                },
                { projectDir: root, configDir: resolve(root, "stacks"), backend: s3.env },
            ),
        );
    }
    return { stacks, namespaces, pattern: `${tag}-*` };
}

interface MultiStackJson {
    stacks: { stack: string; exitCode: number; durationMs: number }[];
}

function perStackSeconds(out: Timed): number[] {
    const parsed = JSON.parse(out.stdout) as MultiStackJson;
    const failed = parsed.stacks.filter((s) => s.exitCode !== 0);
    if (failed.length) throw new Error(`stacks failed: ${failed.map((s) => s.stack).join(", ")}\n${out.stderr.slice(-3000)}`);
    return parsed.stacks.map((s) => s.durationMs / 1000);
}

async function main(): Promise<void> {
    const [count = 16, perStack = 25] = process.argv.slice(2).map(Number).filter((n) => n > 0);
    await clusterUp({ nodes: 2 });
    await clusterUp({ name: "second", nodes: 2 });
    const secondKubeconfig = clusterPaths("second").kubeconfig;
    const s3 = await startS3Server();
    const id = Date.now().toString(36);
    const repo = new TestRepo();
    // perStack objects: the namespace, and the rest in two waves (a Deployment, a Service, ConfigMaps).
    // Without a namespace of their own: each stack's Application puts them into its destination's.
    for (let i = 0; i < count; i++) writeWaves(join(repo.dir, "fleet", `s${i}`), withoutNamespaces(makeWorkload(perStack - 1, 2, "unused", 1)));
    repo.commit({}, "fleet workload");
    // The stacks' own environment: the bucket, its credentials and the stacks' passphrase.
    let env: Record<string, string> = s3.env;
    const results: ModeResult[] = [];
    const growth: { stacks: number; seconds: number }[] = [];
    const fleets: Fleet[] = [];
    const baselineNamespaces: string[] = [];
    try {
        // 1. Sequential: one process per stack, one after another; a no-change sync of the first
        //    stack timed as the backend fills (1, 4, 8, 16 stacks).
        const seq = await createFleet(`fps${id}`, count, repo, s3, secondKubeconfig);
        fleets.push(seq);
        env = seq.stacks[0].env;
        const seqTimes: number[] = [];
        let seqPeak = 0;
        const seqStart = Date.now();
        let growthSeconds = 0;
        for (let i = 0; i < count; i++) {
            const out = await syncwave(seq.stacks[i].name, ["sync"], env);
            seqTimes.push(out.seconds);
            seqPeak = Math.max(seqPeak, out.peakMiB);
            log(`sequential: ${seq.stacks[i].name} ${out.seconds.toFixed(1)}s`);
            if ([1, 4, 8, 16, count].includes(i + 1) && !growth.some((g) => g.stacks === i + 1)) {
                const started = Date.now();
                const noop: number[] = [];
                for (let r = 0; r < 3; r++) noop.push((await syncwave(seq.stacks[0].name, ["sync"], env)).seconds);
                growthSeconds += (Date.now() - started) / 1000;
                growth.push({ stacks: i + 1, seconds: percentile(noop, 50) });
                log(`no-change sync with ${i + 1} stack(s) on the backend: ${percentile(noop, 50).toFixed(2)}s`);
            }
        }
        results.push({ mode: "sequential (one runner, one stack at a time)", wallSeconds: (Date.now() - seqStart) / 1000 - growthSeconds, perStack: seqTimes, peakRunnerMiB: seqPeak });

        // 2. One runner, --parallel 4.
        const par = await createFleet(`fpp${id}`, count, repo, s3, secondKubeconfig);
        fleets.push(par);
        const parOut = await syncwave(par.stacks[0].name, ["--json", "sync", "--stacks", par.pattern, "--parallel", "4"], env);
        results.push({ mode: "one runner, --parallel 4", wallSeconds: parOut.seconds, perStack: perStackSeconds(parOut), peakRunnerMiB: parOut.peakMiB });
        log(`--parallel 4: ${parOut.seconds.toFixed(1)}s`);

        // 3. Four runners at once (a job matrix of four), each syncing its quarter one stack at a time.
        const jobs = await createFleet(`fpj${id}`, count, repo, s3, secondKubeconfig);
        fleets.push(jobs);
        const quarters = [0, 1, 2, 3].map((q) => jobs.stacks.filter((_, i) => i % 4 === q));
        const started = Date.now();
        const outs = await Promise.all(
            quarters.map((share) => run(join(root, "cli/bin/syncwave"), ["--cwd", root, "--json", ...share.flatMap((s) => ["--stack", s.name]), "--parallel", "1", "sync"], { env })),
        );
        results.push({ mode: "four runners at once (a CI matrix of 4)", wallSeconds: (Date.now() - started) / 1000, perStack: outs.flatMap(perStackSeconds), peakRunnerMiB: Math.max(...outs.map((o) => o.peakMiB)) });
        log(`four runners: ${((Date.now() - started) / 1000).toFixed(1)}s`);

        // The peers on the same objects: kubectl, kapp and gitops-engine, stack after stack and four at a time.
        const dir = mkdtempSync(join(tmpdir(), "syncwave-fleet-parallel-peers-"));
        const kubeconfigOf = (i: number) => (i % 2 === 1 ? secondKubeconfig : (process.env.KUBECONFIG ?? ""));
        const prepare = (tag: string, i: number, workload: (ns: string) => Workload): { ns: string; folder: string; files: string[] } => {
            const ns = `${tag}-s${i}`;
            baselineNamespaces.push(ns);
            const folder = join(dir, tag, `s${i}`);
            const files = writeWaves(folder, workload(ns));
            kubectl("--kubeconfig", kubeconfigOf(i), "create", "namespace", ns);
            return { ns, folder, files };
        };
        const plain = (ns: string) => makeWorkload(perStack - 1, 2, ns, 1);
        const kStart = Date.now();
        for (let i = 0; i < count; i++) {
            const { ns, files } = prepare(`fpk${id}`, i, plain);
            for (const file of files) {
                kubectl("--kubeconfig", kubeconfigOf(i), "apply", "--server-side", "-f", file);
                kubectl("--kubeconfig", kubeconfigOf(i), "wait", "-n", ns, "--for=condition=Available", "deployment", "--all", "--timeout=300s");
            }
        }
        const kubectlSeconds = (Date.now() - kStart) / 1000;
        const peers: ModeResult[] = [];
        const kapp = peer("kapp");
        const engine = peer("gitops-engine-sync");
        const stackByStack = async (mode: string, tag: string, parallel: number, command: (i: number) => Promise<Timed>) => {
            const started = Date.now();
            const times: number[] = [];
            let peakMiB = 0;
            let next = 0;
            await Promise.all(
                Array.from({ length: parallel }, async () => {
                    while (next < count) {
                        const out = await command(next++);
                        times.push(out.seconds);
                        peakMiB = Math.max(peakMiB, out.peakMiB);
                    }
                }),
            );
            peers.push({ mode, wallSeconds: (Date.now() - started) / 1000, perStack: times, peakRunnerMiB: peakMiB });
            log(`${mode}: ${((Date.now() - started) / 1000).toFixed(1)}s (${tag})`);
        };
        if (kapp) {
            for (const [tag, parallel] of [[`fpa${id}`, 1], [`fpb${id}`, 4]] as const) {
                await stackByStack(`kapp deploy, ${parallel === 1 ? "stack after stack" : "4 at a time"}`, tag, parallel, (i) => {
                    const { ns, folder } = prepare(tag, i, (n) => kappWaves(plain(n)));
                    return run(kapp, ["deploy", "-a", ns, "-n", ns, "-f", folder, "-y", "--tty=false", "--kubeconfig", kubeconfigOf(i)]);
                });
            }
        }
        if (engine) {
            for (const [tag, parallel] of [[`fpe${id}`, 1], [`fpf${id}`, 4]] as const) {
                await stackByStack(`gitops-engine, ${parallel === 1 ? "stack after stack" : "4 at a time"}`, tag, parallel, (i) => {
                    const { ns, folder } = prepare(tag, i, plain);
                    // Flags first: Go's flag package stops at the folder.
                    return run(engine, ["--namespace", ns, "--kubeconfig", kubeconfigOf(i), "--qps", "50", "--burst", "100", "--runs", "1", folder]);
                });
            }
        }
        if (!kapp || !engine) log("kapp or gitops-engine not built: `npm run setup -- --only peers` builds them");

        const rows = [...results, ...peers].map((r) => [r.mode, `${r.wallSeconds.toFixed(1)}s`, `${(r.wallSeconds / kubectlSeconds).toFixed(2)}×`, `${percentile(r.perStack, 50).toFixed(1)}s`, `${percentile(r.perStack, 95).toFixed(1)}s`, `${Math.round(r.peakRunnerMiB)} MiB`]);
        rows.push([`kubectl apply + wait, stack after stack`, `${kubectlSeconds.toFixed(1)}s`, "1×", "", "", ""]);
        console.log(`\n${count} stacks × ${perStack} objects on 2 local clusters, state on a local S3 server (versitygw)\n`);
        console.log(formatColumns(["mode", "wall time", "vs kubectl", "per stack p50", "per stack p95", "peak memory of a runner"], rows));
        console.log(`\nno-change sync of one stack as the backend fills\n`);
        console.log(formatColumns(["stacks on the backend", "no-change sync (median of 3)"], growth.map((g) => [String(g.stacks), `${g.seconds.toFixed(2)}s`])));
    } finally {
        for (const fleet of fleets) for (const stack of fleet.stacks) rmSync(stack.file, { force: true });
        // The bucket goes with the server's folder; the namespaces go here (the baseline's too).
        const all = [...fleets.flatMap((f) => f.namespaces), ...baselineNamespaces];
        for (const [index, kubeconfig] of [[0, []], [1, ["--kubeconfig", secondKubeconfig]]] as const) {
            const mine = all.filter((ns) => Number(/-s(\d+)$/.exec(ns)![1]) % 2 === index);
            try {
                kubectl(...kubeconfig, "delete", "namespace", "--ignore-not-found", "--wait=false", ...mine);
            } catch (err) {
                log(`cleanup: ${(err as Error).message.split("\n")[0]}`);
            }
        }
        await s3.stop();
    }
}

main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
});
