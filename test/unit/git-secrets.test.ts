// A repository token reaches git through its environment, never its command line: anyone on the
// machine can list command lines (`ps`), and tools log them. A real smart-HTTP server that wants Basic
// auth holds the fetch while the test reads what every git process was started with: the arguments a
// `git` shim first on PATH recorded, and `ps` for all processes (git-remote-http included).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRevision, GitSourceError } from "../../components/source/git";
import { GitHttpServer, realGit, TestRepo } from "../helpers/git";

const username = "tenant-a";
const token = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const basic = (password: string) => Buffer.from(`${username}:${password}`).toString("base64");

const shimDir = mkdtempSync(join(tmpdir(), "syncwave-git-shim-"));
const argvLog = join(shimDir, "argv.log");
const originalPath = process.env.PATH;

let server: GitHttpServer;
let url: string;
let commit: string;

beforeAll(async () => {
    // Every argument of every git command SyncWave starts, one per line, then the real git.
    writeFileSync(join(shimDir, "git"), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${argvLog}'; done\nexec '${realGit}' "$@"\n`);
    chmodSync(join(shimDir, "git"), 0o755);
    writeFileSync(argvLog, "");
    process.env.PATH = `${shimDir}:${originalPath}`;

    const repo = new TestRepo();
    commit = repo.commit({ "manifests/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: private\n" });
    server = await GitHttpServer.start({ username, password: token });
    url = server.serve(repo, "private");
});

afterAll(async () => {
    process.env.PATH = originalPath;
    await server?.close();
});

/** Every file below `dir`, read as text: where a token must not have been written. */
function contentsBelow(dir: string): string {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), "latin1"))
        .join("\n");
}

describe("repository credentials", () => {
    it("never appear on a git command line, and the fetch succeeds with them", async () => {
        const cacheDir = mkdtempSync(join(tmpdir(), "syncwave-git-cache-"));
        const held = server.holdNext(5_000);
        const fetching = fetchRevision(url, "main", { cacheDir, credentials: { username, password: token } });
        await held.arrived;
        // git is running and waiting on the server now: look at every process and every logged argument.
        const processes = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
        held.release();
        const fetched = await fetching;

        const argv = readFileSync(argvLog, "utf8");
        expect(argv, "the shim saw SyncWave's git commands").toContain(url);
        expect(processes, "ps saw the fetch").toContain("127.0.0.1");
        for (const secret of [token, basic(token)]) {
            expect(argv).not.toContain(secret);
            expect(processes).not.toContain(secret);
        }
        expect(fetched.commit).toBe(commit);
        expect(existsSync(join(fetched.checkoutDir, "manifests/cm.yaml"))).toBe(true);
        // Nor is it kept in the mirror's configuration for later commands to find.
        const cached = contentsBelow(join(cacheDir, "mirrors"));
        expect(cached).not.toContain(token);
        expect(cached).not.toContain(basic(token));
    });

    it("fails with a wrong token, and the error does not show it", async () => {
        const cacheDir = mkdtempSync(join(tmpdir(), "syncwave-git-cache-"));
        const wrong = `wrong-${token}`;
        const error = await fetchRevision(url, "main", { cacheDir, credentials: { username, password: wrong } }).then(
            () => undefined,
            (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(GitSourceError);
        const message = (error as Error).message;
        expect(message).toContain(url);
        expect(message).not.toContain(wrong);
        expect(message).not.toContain(basic(wrong));
    });

    it("fails without credentials rather than asking for them", async () => {
        const cacheDir = mkdtempSync(join(tmpdir(), "syncwave-git-cache-"));
        await expect(fetchRevision(url, "main", { cacheDir })).rejects.toThrow(GitSourceError);
    });
});
