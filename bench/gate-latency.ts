// Health gate benchmarks (run with `npm run bench:gate`):
//   - detection latency: the moment an independent watch sees a Deployment become Available, to the
//     moment the gate records it Healthy; median and 95th percentile over 20 syncs.
//   - the overhead of a 5-wave sync beyond its inherent readiness delays (each wave's pods become
//     Ready 2 s after they start, so the floor is 10 s).
import * as k8s from "@kubernetes/client-node";
import { stringify } from "yaml";
import { clusterPaths, clusterUp } from "../cli/cluster/local-cluster";
import { TestRepo } from "../test/helpers/git";
import { SyncStack } from "../test/helpers/sync-stack";
import { OPEN_PROJECT } from "./workload";


function deployment(name: string, namespace: string, waveNumber: number, revision: string, readyAfter: string) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace, annotations: { "argocd.argoproj.io/sync-wave": String(waveNumber) } },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name }, annotations: { "syncwave.dev/ready-after": readyAfter, revision } },
                spec: { containers: [{ name: "app", image: "example.com/app:1" }] },
            },
        },
    };
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Times when the Deployment's current generation became Available, seen by our own watch. */
function watchAvailability(namespace: string, name: string): { availableAt: Map<number, number>; stop: () => void } {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(clusterPaths().kubeconfig);
    const availableAt = new Map<number, number>();
    let controller: AbortController | undefined;
    void new k8s.Watch(kc)
        .watch(`/apis/apps/v1/namespaces/${namespace}/deployments`, { fieldSelector: `metadata.name=${name}` }, (_type, obj) => {
            const d = obj as k8s.V1Deployment;
            const generation = d.metadata?.generation ?? 0;
            const done =
                (d.status?.observedGeneration ?? 0) >= generation &&
                (d.status?.updatedReplicas ?? 0) === 1 &&
                (d.status?.availableReplicas ?? 0) === 1 &&
                (d.status?.replicas ?? 0) === 1;
            if (done && !availableAt.has(generation)) availableAt.set(generation, Date.now());
        }, () => undefined)
        .then((c) => (controller = c));
    return { availableAt, stop: () => controller?.abort() };
}

async function main(): Promise<void> {
    await clusterUp();
    const run = Date.now().toString(36);
    const namespace = `bench-gate-${run}`;
    const repo = new TestRepo();
    const write = (revision: string) =>
        repo.commit(
            {
                "app/web.yaml": stringify(deployment("web", namespace, 0, revision, "3s")),
                "app/after.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after", namespace, annotations: { "argocd.argoproj.io/sync-wave": "1" } }, data: { revision } }),
            },
            revision,
        );
    write("r0");
    const stack = await SyncStack.create("gate", {
        project: OPEN_PROJECT,
        applications: { gate: { source: { repoURL: repo.url, targetRevision: "main", path: "app" }, destination: { server: "https://kubernetes.default.svc", namespace }, syncPolicy: { syncOptions: ["CreateNamespace=true"] } } },
    });
    const latencies: number[] = [];
    let watcher: ReturnType<typeof watchAvailability> | undefined;
    for (let i = 0; i < 21; i++) {
        if (i > 0) write(`r${i}`);
        const up = await stack.up();
        if (up.code !== 0) throw new Error(up.stdout + up.stderr);
        if (i === 0) {
            watcher = watchAvailability(namespace, "web");
            continue; // the first sync creates the namespace before the watch can start
        }
        const state = JSON.parse((await stack.run(["stack", "export"])).stdout) as {
            deployment: { resources: { type: string; outputs?: { health?: { resource: string; observedAt: string }[] } }[] };
        };
        const gate = state.deployment.resources.find((r) => r.type.endsWith("HealthGate") && r.outputs?.health?.some((h) => h.resource.includes("web")));
        const gateAt = Date.parse(gate!.outputs!.health!.find((h) => h.resource.includes("web"))!.observedAt);
        const generation = Math.max(...watcher!.availableAt.keys());
        const latency = gateAt - watcher!.availableAt.get(generation)!;
        latencies.push(latency);
        console.error(`  sync ${i}: gate saw readiness ${latency} ms after the watch did`);
    }
    watcher?.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`gate detection latency over ${sorted.length} syncs: median ${percentile(sorted, 50)} ms, p95 ${percentile(sorted, 95)} ms, max ${sorted[sorted.length - 1]} ms`);

    // Five waves, each with pods Ready 2 s after start: the inherent floor is 10 s.
    const fiveNs = `bench-waves-${run}`;
    const fiveRepo = new TestRepo();
    const files: Record<string, string> = {};
    for (let w = 0; w < 5; w++) files[`app/w${w}.yaml`] = stringify(deployment(`w${w}`, fiveNs, w, "r0", "2s"));
    fiveRepo.commit(files);
    const five = await SyncStack.create("five-waves", {
        project: OPEN_PROJECT,
        applications: { five: { source: { repoURL: fiveRepo.url, targetRevision: "main", path: "app" }, destination: { server: "https://kubernetes.default.svc", namespace: fiveNs }, syncPolicy: { syncOptions: ["CreateNamespace=true"] } } },
    });
    const start = Date.now();
    const up = await five.up();
    if (up.code !== 0) throw new Error(up.stdout + up.stderr);
    const seconds = (Date.now() - start) / 1000;
    console.log(`5-wave sync: ${seconds.toFixed(1)} s, of which 10.0 s are the pods' own readiness delays: overhead ${(seconds - 10).toFixed(1)} s`);

    await stack.destroy();
    await five.destroy();
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
