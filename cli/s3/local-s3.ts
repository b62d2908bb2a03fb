// The local S3 server behind the shared state backend: the toolchain's syncwave-s3 (versitygw over
// a directory), started detached so it outlives the command, with its data, credentials and the
// record of the running process in SYNCWAVE_HOME/s3.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../cluster/local-cluster";
import { DEFAULT_S3_REGION, s3BackendUrl } from "./backend-url";

export const DEFAULT_S3_PORT = 9310;
export const STATE_BUCKET = "syncwave-state";

export interface S3Paths {
    dir: string;
    data: string;
    /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, generated once, mode 600. */
    credentials: string;
    /** The last server's address and backend URL, kept after `down` so the exports stay valid. */
    server: string;
    pid: string;
    log: string;
}

export interface S3Status {
    running: boolean;
    pid?: number;
    address?: string;
    endpoint?: string;
    bucket: string;
    url?: string;
    data: string;
    message?: string;
}

export type Log = (line: string) => void;

export function s3Paths(home = process.env.SYNCWAVE_HOME): S3Paths {
    if (!home) throw new Error(`SYNCWAVE_HOME is not set: run through 'npm run s3' or after eval "$(npm run --silent env)"`);
    const dir = join(home, "s3");
    return {
        dir,
        data: join(dir, "data"),
        credentials: join(dir, "credentials.env"),
        server: join(dir, "server.env"),
        pid: join(dir, "server.pid"),
        log: join(dir, "server.log"),
    };
}

/** KEY=VALUE lines (the values never need quoting: they are generated or are URLs without spaces). */
export function readEnvFile(file: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of readFileSync(file, "utf8").split("\n")) {
        const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
        if (m) out[m[1]] = m[2];
    }
    return out;
}

function writeEnvFile(file: string, values: Record<string, string>, mode = 0o644): void {
    writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(""), { mode });
    chmodSync(file, mode);
}

export interface S3Credentials {
    accessKeyId: string;
    secretAccessKey: string;
}

/** The server's root credentials, generated on first use and kept: the state's owner never changes. */
export function ensureCredentials(paths: S3Paths): S3Credentials {
    if (!existsSync(paths.credentials)) {
        mkdirSync(paths.dir, { recursive: true });
        writeEnvFile(
            paths.credentials,
            { AWS_ACCESS_KEY_ID: `SW${randomBytes(9).toString("hex").toUpperCase()}`, AWS_SECRET_ACCESS_KEY: randomBytes(30).toString("base64url") },
            0o600,
        );
    }
    const env = readEnvFile(paths.credentials);
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new Error(`${paths.credentials} lacks AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY: delete it to generate new ones`);
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
}

/** Whether `pid` is a live syncwave-s3: a pid file can outlive its process and the pid be reused. */
function isServer(pid: number | undefined): pid is number {
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0].endsWith("syncwave-s3");
    } catch {
        return false;
    }
}

function readPid(paths: S3Paths): number | undefined {
    if (!existsSync(paths.pid)) return undefined;
    const pid = Number(readFileSync(paths.pid, "utf8").trim());
    return Number.isInteger(pid) ? pid : undefined;
}

/** Whether an S3 server answers at `endpoint`: an unsigned request gets versitygw's XML refusal. A local server answers in milliseconds; 10 s leaves room for a loaded machine. */
async function answers(endpoint: string): Promise<boolean> {
    try {
        const res = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        return res.headers.get("server") === "VERSITYGW";
    } catch {
        return false;
    }
}

export async function s3Status(paths = s3Paths()): Promise<S3Status> {
    const server = existsSync(paths.server) ? readEnvFile(paths.server) : {};
    const base = { bucket: server.SYNCWAVE_S3_BUCKET ?? STATE_BUCKET, data: paths.data };
    const pid = readPid(paths);
    if (!isServer(pid)) {
        const message = existsSync(paths.server) ? "stopped: 'npm run s3 -- up' starts it again with its data" : "never started: run 'npm run s3 -- up'";
        return { ...base, running: false, message };
    }
    const address = server.SYNCWAVE_S3_ADDRESS;
    const endpoint = `http://${address}`;
    if (!address || !(await answers(endpoint))) {
        return { ...base, running: false, pid, address, message: `process ${pid} runs but does not answer at ${endpoint}; its log: ${paths.log}` };
    }
    return { ...base, running: true, pid, address, endpoint, url: server.PULUMI_BACKEND_URL };
}

/** Starts the server detached on 127.0.0.1:`port`, or returns at once when it already runs. */
export async function s3Up(options: { port?: number; log?: Log; paths?: S3Paths } = {}): Promise<S3Status & { alreadyRunning: boolean }> {
    const paths = options.paths ?? s3Paths();
    const log = options.log ?? (() => undefined);
    const port = options.port ?? DEFAULT_S3_PORT;
    const current = await s3Status(paths);
    if (current.running) {
        if (current.address !== `127.0.0.1:${port}`) log(`already running at ${current.address}, not at port ${port}: 'npm run s3 -- down' first to move it`);
        return { ...current, alreadyRunning: true };
    }
    if (isServer(current.pid)) throw new Error(current.message);

    const bin = process.env.SYNCWAVE_S3_BIN;
    if (!bin || !existsSync(bin)) throw new Error(`the S3 server is not built (SYNCWAVE_S3_BIN=${bin ?? ""}): run 'npm run setup -- --only s3'`);
    const credentials = ensureCredentials(paths);
    mkdirSync(paths.data, { recursive: true });
    const address = `127.0.0.1:${port}`;
    log(`starting syncwave-s3 at ${address}, data in ${paths.data}`);
    const out = openSync(paths.log, "w");
    const child = spawn(bin, ["-addr", address, "-root", paths.data, "-bucket", STATE_BUCKET], {
        detached: true,
        stdio: ["ignore", out, out],
        // Through the environment, so the secret is not in the process list.
        env: { ...process.env, SYNCWAVE_S3_ACCESS_KEY: credentials.accessKeyId, SYNCWAVE_S3_SECRET_KEY: credentials.secretAccessKey },
    });
    closeSync(out);
    let exited: number | null = null;
    child.on("exit", (code) => (exited = code ?? -1));
    child.unref();
    const deadline = Date.now() + 15_000;
    while (!/^listening on /m.test(readFileSync(paths.log, "utf8"))) {
        if (exited !== null || Date.now() > deadline) {
            if (exited === null) child.kill("SIGTERM");
            const tail = readFileSync(paths.log, "utf8").trim().split("\n").slice(-10).join("\n");
            throw new Error(`syncwave-s3 ${exited !== null ? `exited (${exited})` : "did not start within 15 s"}: ${tail}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    writeFileSync(paths.pid, `${child.pid}\n`);
    const endpoint = `http://${address}`;
    writeEnvFile(paths.server, {
        SYNCWAVE_S3_ADDRESS: address,
        SYNCWAVE_S3_BUCKET: STATE_BUCKET,
        PULUMI_BACKEND_URL: s3BackendUrl({ bucket: STATE_BUCKET, endpoint, region: DEFAULT_S3_REGION }),
    });
    return { ...(await s3Status(paths)), alreadyRunning: false };
}

/** Stops the server (SIGTERM, SIGKILL after 15 s); the data and credentials stay. */
export async function s3Down(options: { log?: Log; paths?: S3Paths } = {}): Promise<boolean> {
    const paths = options.paths ?? s3Paths();
    const log = options.log ?? (() => undefined);
    const pid = readPid(paths);
    if (!isServer(pid)) {
        rmSync(paths.pid, { force: true });
        return false;
    }
    log(`stopping syncwave-s3 (pid ${pid})`);
    process.kill(pid, "SIGTERM");
    await waitFor(`syncwave-s3 (pid ${pid}) to stop`, 15_000, async () => !isServer(pid)).catch(() => {
        if (isServer(pid)) process.kill(pid, "SIGKILL");
    });
    rmSync(paths.pid, { force: true });
    return true;
}

/** The shell exports that point Pulumi at the server. */
export function s3Exports(paths: S3Paths): string {
    const credentials = ensureCredentials(paths);
    const server = readEnvFile(paths.server);
    return [
        `export PULUMI_BACKEND_URL="${server.PULUMI_BACKEND_URL}"`,
        `export AWS_ACCESS_KEY_ID="${credentials.accessKeyId}"`,
        `export AWS_SECRET_ACCESS_KEY="${credentials.secretAccessKey}"`,
    ].join("\n");
}
