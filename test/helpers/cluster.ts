import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { clusterPaths, clusterUp, kubectl } from "../../cli/cluster/local-cluster";

/** Starts the local cluster for an integration test (quick when it already runs), or fails loudly. */
export async function ensureCluster(): Promise<void> {
    await clusterUp({ log: (line) => console.error(`cluster: ${line}`) });
}

/**
 * The further local cluster the fleet tests share (`npm run cluster -- up --name second`), started when
 * it is not running; returns its kubeconfig path.
 */
export async function ensureSecondCluster(): Promise<string> {
    await clusterUp({ name: SECOND_CLUSTER, log: (line) => console.error(`cluster ${SECOND_CLUSTER}: ${line}`) });
    return clusterPaths(SECOND_CLUSTER).kubeconfig;
}

export const SECOND_CLUSTER = "second";

/** kubectl against the second local cluster. */
export async function kSecond(...args: string[]): Promise<string> {
    return (await kubectl(clusterPaths(SECOND_CLUSTER), args, 120_000)).stdout;
}

/** kubectl against the local cluster; throws with kubectl's message on failure. */
export async function k(...args: string[]): Promise<string> {
    return (await kubectl(clusterPaths(), args, 120_000)).stdout;
}

/** kubectl that reports failure instead of throwing, for asserting refusals. */
export async function kTry(...args: string[]): Promise<{ ok: boolean; output: string }> {
    try {
        return { ok: true, output: await k(...args) };
    } catch (err) {
        return { ok: false, output: (err as Error).message };
    }
}

/** Applies objects given as JavaScript values. */
export async function apply(...objects: object[]): Promise<void> {
    const file = join(tmpdir(), `syncwave-apply-${process.pid}-${Date.now()}.yaml`);
    writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
    await k("apply", "-f", file);
}

/** The image the "web" Deployment (or another) of `namespace` runs now; "" when there is none. */
export async function deploymentImage(namespace: string, name = "web"): Promise<string> {
    return (await kTry("get", `deployment/${name}`, "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).output;
}
