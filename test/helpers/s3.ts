// A throwaway S3 server for tests: the toolchain's syncwave-s3 (versitygw over a directory) on
// 127.0.0.1 with a free port, a temporary data folder, its own bucket and random credentials. `url`
// is the Pulumi backend URL; `env` holds it with the credentials, ready to merge into a child's
// environment. `restart()` starts it again on the same port and data, as a real server restart.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startListening, stopListening } from "./local-server";
import { DEFAULT_S3_REGION, s3BackendUrl } from "../../cli/s3/backend-url";

export interface S3ServerOptions {
    bucket?: string;
    region?: string;
}

export interface TestS3Server {
    /** The PULUMI_BACKEND_URL. */
    url: string;
    /** PULUMI_BACKEND_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION. */
    env: Record<string, string>;
    /** `http://127.0.0.1:PORT`. */
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    /** The server's data folder: buckets are its subfolders. */
    dataDir: string;
    /** Stops the server and deletes its data. */
    stop(): Promise<void>;
    /** Stops the server and starts it again on the same port with the same data. */
    restart(): Promise<void>;
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<TestS3Server> {
    const bin = process.env.SYNCWAVE_S3_BIN;
    if (!bin) throw new Error("SYNCWAVE_S3_BIN is not set: run the tests through the toolchain's environment (npm test), after 'npm run setup -- --only s3'");
    const bucket = options.bucket ?? "syncwave-test-state";
    const region = options.region ?? DEFAULT_S3_REGION;
    const accessKeyId = `TEST${randomBytes(8).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString("base64url");
    const root = mkdtempSync(join(tmpdir(), "syncwave-s3-"));
    const dataDir = join(root, "data");
    // The secret goes through the environment, as `npm run s3 -- up` passes it.
    const env = { ...process.env, SYNCWAVE_S3_ACCESS_KEY: accessKeyId, SYNCWAVE_S3_SECRET_KEY: secretAccessKey };
    const args = (addr: string) => ["-addr", addr, "-root", dataDir, "-region", region, "-bucket", bucket];
    let started: { child: ChildProcess; address: string };
    try {
        started = await startListening("syncwave-s3", bin, args("127.0.0.1:0"), env);
    } catch (err) {
        rmSync(root, { recursive: true, force: true });
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`SYNCWAVE_S3_BIN (${bin}) does not exist: run 'npm run setup -- --only s3'`);
        throw err;
    }
    const address = started.address;
    const endpoint = `http://${address}`;
    const url = s3BackendUrl({ bucket, endpoint, region });
    return {
        url,
        env: { PULUMI_BACKEND_URL: url, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region },
        endpoint,
        bucket,
        region,
        accessKeyId,
        secretAccessKey,
        dataDir,
        async stop() {
            await stopListening(started.child);
            rmSync(root, { recursive: true, force: true });
        },
        async restart() {
            await stopListening(started.child);
            // Another process may have been given the freed port meanwhile: try again briefly.
            for (let attempt = 1; ; attempt++) {
                try {
                    started = await startListening("syncwave-s3", bin, args(address), env);
                    return;
                } catch (err) {
                    if (attempt === 5 || !/address already in use/.test((err as Error).message)) throw err;
                    await new Promise((r) => setTimeout(r, 1000));
                }
            }
        },
    };
}
