// `npm run cluster -- up|down|status|reset` and `syncwave cluster …`: one implementation for both.
import { Command } from "commander";
import { clusterDown, clusterPaths, clusterStatus, clusterUp, type ClusterStatus } from "./local-cluster";

function printStatus(status: ClusterStatus, json: boolean): void {
    if (json) {
        console.log(JSON.stringify(status, null, 2));
        return;
    }
    if (!status.running) {
        console.log(`cluster: not running${status.message ? ` (${status.message})` : ""}`);
        return;
    }
    console.log(`cluster: running ${status.version ?? ""} at ${status.apiServer}`);
    console.log(`kubeconfig: ${clusterPaths().kubeconfig}`);
    for (const n of status.nodes) console.log(`node ${n.name}: ${n.ready ? "Ready" : "NotReady"}`);
    for (const p of status.processes) console.log(`process ${p.component}: pid ${p.pid} ${p.alive ? "running" : "gone"}`);
}

export function clusterCommand(): Command {
    const log = (line: string) => console.error(`cluster: ${line}`);
    const cmd = new Command("cluster").description("the local cluster: real control plane, kwok nodes");
    cmd.command("up")
        .description("start the local cluster (quick when it already runs)")
        .option("--nodes <n>", "number of fake nodes", "1")
        .option("--json", "print the status as JSON")
        .action(async (opts: { nodes: string; json?: boolean }) => {
            const started = Date.now();
            const status = await clusterUp({ nodes: Number(opts.nodes), log });
            log(`up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
            printStatus(status, Boolean(opts.json));
        });
    cmd.command("down")
        .description("stop every process of the local cluster and delete its state")
        .action(async () => {
            await clusterDown({ log });
            log("down");
        });
    cmd.command("status")
        .description("whether the cluster runs, its nodes and processes")
        .option("--json", "print the status as JSON")
        .action(async (opts: { json?: boolean }) => {
            const status = await clusterStatus();
            printStatus(status, Boolean(opts.json));
            if (!status.running) process.exitCode = 3;
        });
    cmd.command("reset")
        .description("delete the cluster and start a new one")
        .option("--nodes <n>", "number of fake nodes", "1")
        .action(async (opts: { nodes: string }) => {
            await clusterDown({ log });
            printStatus(await clusterUp({ nodes: Number(opts.nodes), log }), false);
        });
    return cmd;
}

if (require.main === module) {
    clusterCommand()
        .parseAsync(process.argv)
        .catch((err: Error) => {
            console.error(`cluster: ${err.message}`);
            process.exit(1);
        });
}
