// Soak: `syncwave reconcile` runs for SOAK_MINUTES (default 30) against a stack of 100 objects with
// selfHeal, while a driver makes one random unauthorised edit every 20 s (a ConfigMap's data, or a
// Deployment's image) and measures how long each takes to be put back. Reports the edits made and
// repaired, the median and slowest time to repair, the reconcile process tree's memory (RSS) and the
// stack's state size at the start, halfway and at the end. Run with `npm run bench:soak` (the local cluster is
// started); SOAK_MINUTES=3 for a short run.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clusterUp } from "../cli/cluster/local-cluster";
import { sync } from "../cli/commands/sync";
import { TestRepo } from "../test/helpers/git";
import { treeRssMiB } from "./process-memory";
import { makeWorkload, selfHealingStack, writeWaves } from "./workload";

const root = resolve(__dirname, "..");
const minutes = Number(process.env.SOAK_MINUTES ?? "30");
const EDIT_EVERY_MS = 20_000;
const INTERVAL = "10s";
/** An edit not put back within this long counts as not repaired. */
const REPAIR_LIMIT_MS = 60_000;

const kubectl = (...args: string[]) => execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes of every file under the stack's backend folder (checkpoint, history, backups). */
function stateBytes(backendUrl: string): number {
    const dir = fileURLToPath(backendUrl);
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : Number.NaN;
}

async function main(): Promise<void> {
    await clusterUp();
    const run = Date.now().toString(36);
    const ns = `soak-${run}`;
    const repo = new TestRepo();
    const workload = makeWorkload(100, 5, ns);
    writeWaves(resolve(repo.dir, "app"), workload);
    repo.commit({}, "workload");
    const stack = await selfHealingStack("soak", "soak", repo.url, ns);
    const configMaps = workload.waves.flat().filter((o) => (o as { kind: string }).kind === "ConfigMap").map((o) => (o as { metadata: { name: string } }).metadata.name);
    const deployments = workload.waves.flat().filter((o) => (o as { kind: string }).kind === "Deployment").map((o) => (o as { metadata: { name: string } }).metadata.name);
    const reconciler = { pid: 0 };
    try {
        console.error(`syncing 100 objects in 5 waves into ${ns}`);
        await sync({ stack: stack.name, cwd: root, env: stack.env });
        const child = spawn(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, "reconcile", "--interval", INTERVAL], {
            env: { ...process.env, ...stack.env },
            stdio: ["ignore", "ignore", "pipe"],
        });
        reconciler.pid = child.pid!;
        let log = "";
        child.stderr!.on("data", (b) => (log = (log + b).slice(-20_000)));
        await sleep(15_000);
        const start = { rss: treeRssMiB(child.pid!), state: stateBytes(stack.env.PULUMI_BACKEND_URL) };
        let peakRss = start.rss;
        const repairs: number[] = [];
        let edits = 0;
        let unrepaired = 0;
        const deadline = Date.now() + minutes * 60_000;
        // Halfway and at the end: a bounded state stops growing once the kept checkpoint copies are reached.
        const halfway = Date.now() + (minutes * 60_000) / 2;
        let stateHalfway: number | undefined;
        console.error(`reconcile every ${INTERVAL} for ${minutes} min, an unauthorised edit every ${EDIT_EVERY_MS / 1000}s`);
        while (Date.now() < deadline) {
            const started = Date.now();
            edits++;
            const useDeployment = edits % 3 === 0;
            const name = useDeployment ? deployments[edits % deployments.length] : configMaps[edits % configMaps.length];
            const read = useDeployment
                ? () => kubectl("get", "deployment", name, "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
                : () => kubectl("get", "configmap", name, "-n", ns, "-o", "jsonpath={.data.index}");
            const desired = read();
            if (useDeployment) kubectl("set", "image", `deployment/${name}`, "-n", ns, `app=example.com/app:edited-${edits}`);
            else kubectl("patch", "configmap", name, "-n", ns, "--type", "merge", "-p", JSON.stringify({ data: { index: `edited-${edits}` } }));
            let repaired = false;
            while (Date.now() - started < REPAIR_LIMIT_MS) {
                await sleep(500);
                if (read() === desired) {
                    repaired = true;
                    break;
                }
            }
            if (repaired) repairs.push((Date.now() - started) / 1000);
            else unrepaired++;
            peakRss = Math.max(peakRss, treeRssMiB(child.pid!));
            if (stateHalfway === undefined && Date.now() >= halfway) stateHalfway = stateBytes(stack.env.PULUMI_BACKEND_URL);
            console.error(`edit ${edits} (${useDeployment ? "deployment" : "configmap"} ${name}): ${repaired ? `repaired in ${repairs.at(-1)!.toFixed(1)}s` : "NOT repaired within 60s"}`);
            await sleep(Math.max(0, EDIT_EVERY_MS - (Date.now() - started)));
        }
        const end = { rss: treeRssMiB(child.pid!), state: stateBytes(stack.env.PULUMI_BACKEND_URL) };
        child.kill("SIGTERM");
        await new Promise((r) => child.on("exit", r));
        const result = {
            minutes,
            edits,
            repaired: repairs.length,
            notRepaired: unrepaired,
            medianRepairSeconds: Number(median(repairs).toFixed(1)),
            slowestRepairSeconds: Number(Math.max(...repairs).toFixed(1)),
            rssStartMiB: Math.round(start.rss),
            rssEndMiB: Math.round(end.rss),
            rssPeakMiB: Math.round(peakRss),
            stateStartKiB: Math.round(start.state / 1024),
            stateHalfwayKiB: Math.round((stateHalfway ?? end.state) / 1024),
            stateEndKiB: Math.round(end.state / 1024),
        };
        console.log(JSON.stringify(result, null, 2));
        if (unrepaired > 0) {
            console.error(`reconcile log (last lines):\n${log.split("\n").slice(-30).join("\n")}`);
            process.exitCode = 1;
        }
    } finally {
        if (reconciler.pid) {
            try {
                process.kill(reconciler.pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        await stack.destroy();
        kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
    }
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
