// `npm run cluster -- up|down|status|reset` and `syncwave cluster …`: one implementation for both.
import { Command } from "commander";
import { clusterDown, clusterPaths, clusterStatus, clusterUp, type ClusterStatus } from "./local-cluster";

function printStatus(status: ClusterStatus, json: boolean, name?: string): void {
    if (json) {
        console.log(JSON.stringify(status, null, 2));
        return;
    }
    if (!status.running) {
        console.log(`cluster: not running${status.message ? ` (${status.message})` : ""}`);
        return;
    }
    console.log(`cluster: running ${status.version ?? ""} at ${status.apiServer}`);
    console.log(`kubeconfig: ${clusterPaths(name).kubeconfig}`);
    for (const n of status.nodes) console.log(`node ${n.name}: ${n.ready ? "Ready" : "NotReady"}`);
    for (const p of status.processes) console.log(`process ${p.component}: pid ${p.pid} ${p.alive ? "running" : "gone"}`);
}

const NAME_HELP = "a further local cluster beside the default one, with its own ports and kubeconfig (SYNCWAVE_HOME/clusters/NAME/kubeconfig)";

export function clusterCommand(): Command {
    const log = (line: string) => console.error(`cluster: ${line}`);
    const cmd = new Command("cluster").description("the local cluster: real control plane, kwok nodes");
    cmd.command("up")
        .description("start the local cluster (quick when it already runs)")
        .option("--nodes <n>", "number of fake nodes", "1")
        .option("--name <name>", NAME_HELP)
        .option("--json", "print the status as JSON")
        .action(async (opts: { nodes: string; json?: boolean; name?: string }) => {
            const started = Date.now();
            const status = await clusterUp({ nodes: Number(opts.nodes), log, name: opts.name });
            log(`up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
            printStatus(status, Boolean(opts.json), opts.name);
        });
    cmd.command("down")
        .description("stop every process of the local cluster and delete its state")
        .option("--name <name>", NAME_HELP)
        .action(async (opts: { name?: string }) => {
            await clusterDown({ log, name: opts.name });
            log("down");
        });
    cmd.command("status")
        .description("whether the cluster runs, its nodes and processes")
        .option("--name <name>", NAME_HELP)
        .option("--json", "print the status as JSON")
        .action(async (opts: { json?: boolean; name?: string }) => {
            const status = await clusterStatus(clusterPaths(opts.name));
            printStatus(status, Boolean(opts.json), opts.name);
            if (!status.running) process.exitCode = 3;
        });
    cmd.command("stop-component <component>")
        .description("stop one component (kube-apiserver, etcd, kube-controller-manager, ...), keeping how to start it again: a fault for tests")
        .option("--name <name>", NAME_HELP)
        .action(async (component: string, opts: { name?: string }) => {
            const { stopComponent } = await import("./components");
            await stopComponent(clusterPaths(opts.name), component);
            log(`${component}: stopped`);
        });
    cmd.command("start-component <component> [flags...]")
        .description("start a component stop-component stopped, as it was started; flags after -- (--name=value) replace or add its own, e.g. -- --max-requests-inflight=4")
        .option("--name <name>", NAME_HELP)
        .action(async (component: string, flags: string[], opts: { name?: string }) => {
            const { startComponent } = await import("./components");
            log(`${component}: started${flags.length ? ` with ${flags.join(" ")}` : ""}, pid ${await startComponent(clusterPaths(opts.name), component, flags)}`);
        });
    cmd.command("reset")
        .description("delete the cluster and start a new one")
        .option("--nodes <n>", "number of fake nodes", "1")
        .option("--name <name>", NAME_HELP)
        .action(async (opts: { nodes: string; name?: string }) => {
            await clusterDown({ log, name: opts.name });
            printStatus(await clusterUp({ nodes: Number(opts.nodes), log, name: opts.name }), false, opts.name);
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
