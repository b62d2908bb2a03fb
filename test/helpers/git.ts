import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A real git repository in a temporary folder, for sources the tests can change commit by commit. */
export class TestRepo {
    readonly dir = mkdtempSync(join(tmpdir(), "syncwave-repo-"));

    constructor() {
        this.git("init", "-q", "-b", "main");
        this.git("config", "user.email", "tests@syncwave.dev");
        this.git("config", "user.name", "SyncWave tests");
    }

    git(...args: string[]): string {
        return execFileSync("git", args, { cwd: this.dir, encoding: "utf8" }).trim();
    }

    /**
     * Writes files (a string), symlinks (`{ symlink: target }`, the target kept verbatim) or, with null,
     * deletes them, and commits; returns the new commit's SHA.
     */
    commit(files: Record<string, string | null | { symlink: string }>, message = "change"): string {
        for (const [path, content] of Object.entries(files)) {
            const full = join(this.dir, path);
            if (content === null) {
                rmSync(full, { force: true });
            } else if (typeof content === "object") {
                mkdirSync(dirname(full), { recursive: true });
                rmSync(full, { force: true });
                symlinkSync(content.symlink, full);
            } else {
                mkdirSync(dirname(full), { recursive: true });
                writeFileSync(full, content);
            }
        }
        this.git("add", "-A");
        this.git("commit", "-q", "--allow-empty", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    get url(): string {
        return `file://${this.dir}`;
    }
}

/** The git binary itself, looked up once: tests may put a shim named `git` first on PATH later. */
export const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();

export interface HeldRequest {
    /** Resolves when the held request has arrived. */
    arrived: Promise<void>;
    /** Lets it through now rather than when the hold runs out. */
    release(): void;
}

/**
 * A git smart-HTTP server: `git http-backend` run as a CGI program per request, serving bare copies of
 * test repositories, each request refused with 401 unless it carries Basic auth for one account.
 * A request can be held on demand, so a test can look at the client's processes while it waits.
 */
export class GitHttpServer {
    readonly root = mkdtempSync(join(tmpdir(), "syncwave-git-http-"));
    private readonly server: Server;
    private hold?: { ms: number; arrived: () => void; released: Promise<void>; release: () => void };

    private constructor(private readonly account: { username: string; password: string }) {
        this.server = createServer((req, res) => void this.handle(req, res));
    }

    static async start(account: { username: string; password: string }): Promise<GitHttpServer> {
        const server = new GitHttpServer(account);
        await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
        return server;
    }

    /** Serves a bare copy of `repo` (as it is now) and returns its URL. */
    serve(repo: TestRepo, name: string): string {
        execFileSync(realGit, ["clone", "-q", "--bare", repo.dir, join(this.root, `${name}.git`)]);
        const { port } = this.server.address() as AddressInfo;
        return `http://127.0.0.1:${port}/${name}.git`;
    }

    /** Holds the next request for up to `ms` before answering it. */
    holdNext(ms: number): HeldRequest {
        let arrived!: () => void;
        let release!: () => void;
        const arrival = new Promise<void>((resolve) => (arrived = resolve));
        const released = new Promise<void>((resolve) => (release = resolve));
        this.hold = { ms, arrived, released, release };
        return { arrived: arrival, release };
    }

    close(): Promise<void> {
        this.hold?.release();
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const hold = this.hold;
        if (hold) {
            this.hold = undefined;
            hold.arrived();
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([hold.released, new Promise((resolve) => (timer = setTimeout(resolve, hold.ms)))]);
            clearTimeout(timer);
        }
        const expected = `Basic ${Buffer.from(`${this.account.username}:${this.account.password}`).toString("base64")}`;
        if (req.headers.authorization !== expected) {
            res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
            return;
        }
        this.runBackend(req, res);
    }

    /** The CGI exchange (RFC 3875): request metadata in the environment, body on stdin, headers then body on stdout. */
    private runBackend(req: IncomingMessage, res: ServerResponse): void {
        const url = new URL(req.url ?? "/", "http://localhost");
        const env: Record<string, string> = {
            PATH: process.env.PATH ?? "",
            GIT_PROJECT_ROOT: this.root,
            GIT_HTTP_EXPORT_ALL: "1",
            REQUEST_METHOD: req.method ?? "GET",
            PATH_INFO: decodeURIComponent(url.pathname),
            QUERY_STRING: url.search.slice(1),
            CONTENT_TYPE: req.headers["content-type"] ?? "",
            REMOTE_USER: this.account.username,
            REMOTE_ADDR: req.socket.remoteAddress ?? "",
        };
        if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
        if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
        if (typeof req.headers["git-protocol"] === "string") env.GIT_PROTOCOL = req.headers["git-protocol"];
        const backend = spawn(realGit, ["http-backend"], { env, stdio: ["pipe", "pipe", "inherit"] });
        req.pipe(backend.stdin);
        let head = Buffer.alloc(0);
        let headersDone = false;
        backend.stdout.on("data", (chunk: Buffer) => {
            if (headersDone) {
                res.write(chunk);
                return;
            }
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf("\r\n\r\n");
            if (end < 0) return;
            headersDone = true;
            let status = 200;
            for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
                const colon = line.indexOf(":");
                const name = line.slice(0, colon).trim();
                const value = line.slice(colon + 1).trim();
                if (name.toLowerCase() === "status") status = parseInt(value, 10);
                else res.setHeader(name, value);
            }
            res.writeHead(status);
            res.write(head.subarray(end + 4));
        });
        backend.on("close", () => res.end());
    }
}
