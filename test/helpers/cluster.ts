import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { clusterPaths, clusterUp, kubectl } from "../../cli/cluster/local-cluster";

/** Starts the local cluster for an integration test (quick when it already runs), or fails loudly. */
export async function ensureCluster(): Promise<void> {
    await clusterUp({ log: (line) => console.error(`cluster: ${line}`) });
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
