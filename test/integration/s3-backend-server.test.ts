// The shared state backend's server: the toolchain's syncwave-s3 (versitygw over a directory) as the
// real Pulumi CLI uses it (login, stack init, ls, export, import, rm, and the state surviving a server
// restart), the conditional write an exclusive lock relies on (If-None-Match: * refused with 412),
// and `npm run s3 -- up|status|down` with `npm run env -- --backend s3` in a scratch SYNCWAVE_HOME.
// No cluster: stack init, export and import run no program.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { DeleteObjectCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOk, pulumi } from "../helpers/pulumi";
import { openStore } from "../../cli/backend/open-store";
import { deadPid, overlapping, raceForLock } from "../helpers/lock-race";
import { startS3Server, type TestS3Server } from "../helpers/s3";

const execFileAsync = promisify(execFile);
const root = resolve(__dirname, "../..");
const PROJECT = "s3probe";

/** A scratch Pulumi project and a Pulumi home of its own, so a login never touches the toolchain's. */
function scratchProject(): { dir: string; home: string } {
    const dir = mkdtempSync(join(tmpdir(), "syncwave-s3-project-"));
    writeFileSync(join(dir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
    return { dir, home: mkdtempSync(join(tmpdir(), "syncwave-s3-pulumi-home-")) };
}

function client(server: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }): S3Client {
    return new S3Client({
        endpoint: server.endpoint,
        region: server.region,
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
}

async function stackNames(run: (args: string[]) => ReturnType<typeof pulumi>): Promise<{ name: string; resourceCount?: number }[]> {
    return JSON.parse(expectOk(await run(["stack", "ls", "--json"]), "pulumi stack ls").stdout) as { name: string; resourceCount?: number }[];
}

describe("syncwave-s3 as the Pulumi state backend", () => {
    let server: TestS3Server;
    let project: { dir: string; home: string };
    const run = (args: string[]) => pulumi(args, project.dir, { ...server.env, PULUMI_HOME: project.home });

    beforeAll(async () => {
        server = await startS3Server();
        project = scratchProject();
    });
    afterAll(async () => {
        await server?.stop();
        for (const dir of [project?.dir, project?.home]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("logs in, creates, lists, exports, imports and removes a stack, and keeps it across a server restart", async () => {
        expect(server.url).toBe(`s3://${server.bucket}?endpoint=${server.endpoint}&use_path_style=true&region=us-east-1`);
        expect(expectOk(await run(["login", server.url]), "pulumi login").stdout).toContain(`Logged in`);
        expectOk(await run(["stack", "init", "dev"]), "pulumi stack init");
        expect((await stackNames(run)).map((s) => s.name)).toEqual(["dev"]);

        const exported = JSON.parse(expectOk(await run(["stack", "export", "-s", "dev"]), "pulumi stack export").stdout) as {
            version: number;
            deployment: { resources?: object[] };
        };
        expect(exported.version).toBe(3);
        expect(exported.deployment.resources ?? []).toHaveLength(0);

        // An import that changes the state: the stack resource added, as a first `up` would.
        const urn = `urn:pulumi:dev::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-dev`;
        exported.deployment.resources = [{ urn, custom: false, type: "pulumi:pulumi:Stack" }];
        const file = join(project.dir, "dev.json");
        writeFileSync(file, JSON.stringify(exported));
        expectOk(await run(["stack", "import", "-s", "dev", "--file", file]), "pulumi stack import");

        // The state is objects in the bucket, not a local file.
        const objects = await client(server).send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: ".pulumi/stacks/" }));
        expect(objects.Contents?.map((o) => o.Key)).toContain(`.pulumi/stacks/${PROJECT}/dev.json`);

        await server.restart();
        expect(await stackNames(run)).toEqual([expect.objectContaining({ name: "dev", resourceCount: 1 })]);
        const again = JSON.parse(expectOk(await run(["stack", "export", "-s", "dev"]), "pulumi stack export after the restart").stdout) as {
            deployment: { resources: { urn: string }[] };
        };
        expect(again.deployment.resources.map((r) => r.urn)).toEqual([urn]);

        // --force: the stack still holds its (imported) resource.
        expectOk(await run(["stack", "rm", "--yes", "--force", "-s", "dev"]), "pulumi stack rm");
        expect(await stackNames(run)).toEqual([]);
    });

    it("refuses a PutObject with If-None-Match: * on an existing key (412), and accepts it once the key is gone", async () => {
        const s3 = client(server);
        const Key = "locks/exclusive.json";
        await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key, Body: "first", IfNoneMatch: "*" }));
        const second = await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key, Body: "second", IfNoneMatch: "*" })).catch((err: unknown) => err);
        expect(second).toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
        const held = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key }));
        expect(await held.Body!.transformToString()).toBe("first");
        await s3.send(new DeleteObjectCommand({ Bucket: server.bucket, Key }));
        await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key, Body: "third", IfNoneMatch: "*" }));
    });

    it("accepts aws-chunked uploads with a trailing checksum (the AWS SDKs' default for streamed bodies)", async () => {
        const s3 = client(server);
        const body = Buffer.alloc(200_000, "s");
        await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key: "streamed", Body: Readable.from([body]), ContentLength: body.length }));
        const got = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: "streamed" }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    });

    it("holds SyncWave's stack lock for one of six runners racing for it, and lets exactly one take over a stale one", async () => {
        const env = { ...server.env, PULUMI_BACKEND_URL: `${server.url.replace("?", "/race-" + Date.now() + "?")}` };
        const outputs = await raceForLock(6, env);
        expect(outputs.filter((lines) => lines.some((l) => l.startsWith("got"))), JSON.stringify(outputs)).toHaveLength(1);
        expect(outputs.filter((lines) => lines.some((l) => l.startsWith("refused stack race is locked by pid")))).toHaveLength(5);

        const store = openStore(env)!;
        expect(await store.list(".pulumi/syncwave-locks/")).toEqual([]);
        await store.write(".pulumi/syncwave-locks/organization/proj/race.json", JSON.stringify({ pid: deadPid(), hostname: hostname(), timestamp: "2026-12-07T09:00:00Z" }));
        const taken = await raceForLock(6, env);
        expect(taken.filter((lines) => lines.some((l) => l.startsWith("got"))), JSON.stringify(taken)).toHaveLength(1);
        expect(overlapping(taken), JSON.stringify(taken)).toBe(false);
        expect(taken.flat().filter((l) => /held by a sync that no longer runs .*: lock removed/.test(l))).toHaveLength(1);
        expect(await store.list(".pulumi/syncwave-locks/")).toEqual([]);
    });

    it("refuses other credentials", async () => {
        const s3 = client({ ...server, secretAccessKey: "not-the-secret" });
        const err = await s3.send(new ListBucketsCommand({})).catch((e: unknown) => e);
        expect(err).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    });
});

/** A port free now, so the command's server never meets a developer's on 9310. */
function freePort(): Promise<number> {
    return new Promise((resolvePort, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as { port: number };
            srv.close(() => resolvePort(port));
        });
    });
}

async function command(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await execFileAsync(file, args, { cwd: root, env: { ...process.env, ...env }, timeout: 120_000 });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
        return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
    }
}

/** `export NAME="VALUE"` lines as a map. */
function exportsOf(text: string): Record<string, string> {
    return Object.fromEntries([...text.matchAll(/^export ([A-Z_0-9]+)="([^"]*)"$/gm)].map((m) => [m[1], m[2]]));
}

describe("npm run s3 -- up|status|down", () => {
    let home: string;
    let port: number;
    let project: { dir: string; home: string };
    const env = () => ({ SYNCWAVE_HOME: home });
    const s3 = (...args: string[]) => command("npm", ["run", "--silent", "s3", "--", ...args], env());
    const backendEnv = () => command("bash", ["toolchain/env.sh", "--backend", "s3"], env());

    beforeAll(async () => {
        home = mkdtempSync(join(tmpdir(), "syncwave-s3-home-"));
        port = await freePort();
        project = scratchProject();
    });
    afterAll(async () => {
        if (home) await s3("down");
        for (const dir of [home, project?.dir, project?.home]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("starts the server once, reports it, serves Pulumi through `env --backend s3`, stops it and keeps its data", async () => {
        const never = await backendEnv();
        expect(never.code).toBe(1);
        expect(never.stderr).toContain("npm run s3 -- up");

        const url = `s3://syncwave-state?endpoint=http://127.0.0.1:${port}&use_path_style=true&region=us-east-1`;
        const up = await s3("up", "--port", String(port));
        expect(up.code, up.stderr).toBe(0);
        const upExports = exportsOf(up.stdout);
        expect(upExports.PULUMI_BACKEND_URL).toBe(url);
        expect(upExports.AWS_ACCESS_KEY_ID).toMatch(/^\w{8,}$/);
        expect(statSync(join(home, "s3", "credentials.env")).mode & 0o777).toBe(0o600);

        const again = await s3("up", "--port", String(port));
        expect(again.stderr).toContain("already running");
        expect(exportsOf(again.stdout)).toEqual(upExports);

        const status = await s3("status", "--json");
        expect(status.code).toBe(0);
        expect(JSON.parse(status.stdout)).toMatchObject({ running: true, address: `127.0.0.1:${port}`, bucket: "syncwave-state", url });

        const exports = exportsOf((await backendEnv()).stdout);
        expect(exports).toMatchObject(upExports);
        expect(exports.PATH).toBeDefined();
        const run = (args: string[]) => pulumi(args, project.dir, { ...exports, PATH: process.env.PATH!, PULUMI_HOME: project.home });
        expectOk(await run(["stack", "init", "kept"]), "pulumi stack init through env --backend s3");

        const down = await s3("down");
        expect(down.stderr).toContain("down");
        const stopped = await s3("status");
        expect(stopped.code).toBe(3);
        expect(stopped.stdout).toContain("stopped");

        expect((await s3("up", "--port", String(port))).code).toBe(0);
        expect(readFileSync(join(home, "s3", "credentials.env"), "utf8")).toContain(upExports.AWS_SECRET_ACCESS_KEY);
        expect((await stackNames(run)).map((s) => s.name)).toEqual(["kept"]);
    });
});
