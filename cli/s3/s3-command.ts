// `npm run s3 -- up|down|status`: the local S3 server that holds the shared Pulumi state.
import { Command } from "commander";
import { DEFAULT_S3_PORT, s3Down, s3Exports, s3Paths, s3Status, s3Up, type S3Status } from "./local-s3";

function printStatus(status: S3Status, json: boolean): void {
    if (json) {
        console.log(JSON.stringify(status, null, 2));
        return;
    }
    if (!status.running) {
        console.log(`s3: not running${status.message ? ` (${status.message})` : ""}`);
        return;
    }
    console.log(`s3: running at ${status.endpoint} (pid ${status.pid})`);
    console.log(`bucket: ${status.bucket}`);
    console.log(`backend: ${status.url}`);
    console.log(`data: ${status.data}`);
}

function parsePort(value: string): number {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${value} is not a TCP port`);
    return port;
}

export function s3Command(): Command {
    const log = (line: string) => console.error(`s3: ${line}`);
    const cmd = new Command("s3").description("the local S3 server for the shared Pulumi state (versitygw over SYNCWAVE_HOME/s3/data)");
    cmd.command("up")
        .description("start the server detached (quick when it already runs) and print the shell exports to use it")
        .option("--port <n>", "port on 127.0.0.1 (fixed, so the backend URL stays the same across restarts)", String(DEFAULT_S3_PORT))
        .option("--json", "print the status as JSON")
        .action(async (opts: { port: string; json?: boolean }) => {
            const status = await s3Up({ port: parsePort(opts.port), log });
            log(status.alreadyRunning ? `already running at ${status.endpoint}` : `up at ${status.endpoint}`);
            if (opts.json) {
                printStatus(status, true);
                return;
            }
            console.log(s3Exports(s3Paths()));
            log(`use it in a shell: eval "$(npm run --silent env -- --backend s3)"`);
        });
    cmd.command("down")
        .description("stop the server (its data and credentials stay)")
        .action(async () => {
            log((await s3Down({ log })) ? "down" : "was not running");
        });
    cmd.command("status")
        .description("whether the server runs, its address and bucket")
        .option("--json", "print the status as JSON")
        .action(async (opts: { json?: boolean }) => {
            const status = await s3Status();
            printStatus(status, Boolean(opts.json));
            if (!status.running) process.exitCode = 3;
        });
    return cmd;
}

if (require.main === module) {
    s3Command()
        .parseAsync(process.argv)
        .catch((err: Error) => {
            console.error(`s3: ${err.message}`);
            process.exit(1);
        });
}
