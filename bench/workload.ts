// The benchmark workload: N resources spread over waves, as manifests in a git repository and as
// plain files for the kubectl baseline.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

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

/** Writes one file per wave into `dir`; returns the file paths. */
export function writeWaves(dir: string, workload: Workload): string[] {
    mkdirSync(dir, { recursive: true });
    return workload.waves.map((objects, w) => {
        const file = join(dir, `wave-${w}.yaml`);
        writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
        return file;
    });
}
