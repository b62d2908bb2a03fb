// The benchmark workload: N resources spread over waves, as manifests in a git repository and as
// plain files for the kubectl baseline.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { SyncStack } from "../test/helpers/sync-stack";

/** A Project that allows everything: the benchmarks measure syncing, not project rules. */
export const OPEN_PROJECT = { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] };

export interface Workload {
    /** Manifests per wave, namespace set (for kubectl). */
    waves: object[][];
}

export function makeWorkload(total: number, waves: number, namespace: string, deploymentsPerWave = 2): Workload {
    const perWave = Math.floor(total / waves);
    const result: object[][] = [];
    for (let w = 0; w < waves; w++) {
        const objects: object[] = [];
        const annotations = { "argocd.argoproj.io/sync-wave": String(w) };
        for (let d = 0; d < deploymentsPerWave && objects.length < perWave - 1; d++) {
            const name = `app-w${w}-${d}`;
            objects.push({
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name, namespace, annotations },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: name } },
                    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } },
                },
            });
            objects.push({
                apiVersion: "v1",
                kind: "Service",
                metadata: { name, namespace, annotations },
                spec: { selector: { app: name }, ports: [{ port: 80 }] },
            });
        }
        for (let i = objects.length; i < perWave; i++) {
            objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cfg-w${w}-${i}`, namespace, annotations }, data: { index: String(i) } });
        }
        result.push(objects);
    }
    return { waves: result };
}

/** kapp's waves: a change group per wave, each upserted after the one before it was applied and waited on. */
export function kappWaves(workload: Workload): Workload {
    return {
        waves: workload.waves.map((objects, w) =>
            objects.map((o) => {
                const copy = structuredClone(o) as { metadata: { annotations?: Record<string, string> } };
                copy.metadata.annotations = {
                    ...(copy.metadata.annotations ?? {}),
                    "kapp.k14s.io/change-group": `syncwave.bench/wave-${w}`,
                    ...(w > 0 ? { "kapp.k14s.io/change-rule": `upsert after upserting syncwave.bench/wave-${w - 1}` } : {}),
                };
                return copy;
            }),
        ),
    };
}

/** Writes one file per wave into `dir`; returns the file paths. */
export function writeWaves(dir: string, workload: Workload): string[] {
    mkdirSync(dir, { recursive: true });
    return workload.waves.map((objects, w) => {
        const file = join(dir, `wave-${w}.yaml`);
        writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
        return file;
    });
}

/**
 * A stack of one Application with automated sync, prune and selfHeal, reading `path` of the repository
 * at `repoURL` into `namespace` under the open Project: what the day-two and soak benchmarks drive.
 */
export function selfHealingStack(stackName: string, application: string, repoURL: string, namespace: string): Promise<SyncStack> {
    const root = resolve(__dirname, "..");
    return SyncStack.create(
        stackName,
        {
            platform: { projects: { bench: OPEN_PROJECT }, applications: { [application]: ["bench"] } },
            applications: {
                [application]: {
                    project: "bench",
                    source: { repoURL, targetRevision: "main", path: "app" },
                    destination: { server: "https://kubernetes.default.svc", namespace },
                    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
                },
            },
            healthTimeout: "5m",
        },
        { projectDir: root, configDir: resolve(root, "stacks") },
    );
}
