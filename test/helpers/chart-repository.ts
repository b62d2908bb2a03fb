// A Helm chart repository for tests: a local node http server serving index.yaml and chart archives
// packaged here with npm `tar`, with optional Basic auth, extra routes (redirects, other hosts) and a log
// of the requests it saw. Archives with hand-made entries (symlinks, `..`, absolute paths) come from
// rawTarGz, since `tar` itself refuses to write them.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { create } from "tar";
import { stringify } from "yaml";

/** A chart's files (relative to the chart folder) packaged as Helm does: `<name>/…` in a .tgz. */
export async function packageChart(name: string, version: string, files: Record<string, string>): Promise<Buffer> {
    const dir = mkdtempSync(join(tmpdir(), "syncwave-chart-"));
    try {
        const all = { "Chart.yaml": stringify({ apiVersion: "v2", name, version }), ...files };
        for (const [path, content] of Object.entries(all)) {
            mkdirSync(dirname(join(dir, name, path)), { recursive: true });
            writeFileSync(join(dir, name, path), content);
        }
        const file = join(dir, "chart.tgz");
        await create({ gzip: true, cwd: dir, file, portable: true }, [name]);
        return readFileSync(file);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

export interface RawEntry {
    path: string;
    /** ustar type flag: "0" file, "2" symlink, "1" hard link, "5" folder. */
    type?: "0" | "1" | "2" | "5";
    content?: string;
    linkTarget?: string;
}

function octal(n: number, width: number): string {
    return `${n.toString(8).padStart(width - 1, "0")}\0`;
}

/** A .tgz with exactly these entries, names unchecked: for archives a safe writer would never make. */
export function rawTarGz(entries: RawEntry[]): Buffer {
    const blocks: Buffer[] = [];
    for (const e of entries) {
        const body = Buffer.from(e.content ?? "");
        const header = Buffer.alloc(512);
        header.write(e.path, 0, 100, "utf8");
        header.write(octal(0o644, 8), 100);
        header.write(octal(0, 8), 108);
        header.write(octal(0, 8), 116);
        header.write(octal(e.type === "0" || e.type === undefined ? body.length : 0, 12), 124);
        header.write(octal(0, 12), 136);
        header.write("        ", 148);
        header.write(e.type ?? "0", 156);
        if (e.linkTarget) header.write(e.linkTarget, 157, 100, "utf8");
        header.write("ustar\0", 257);
        header.write("00", 263);
        let sum = 0;
        for (const byte of header) sum += byte;
        header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
        blocks.push(header);
        if ((e.type ?? "0") === "0" && body.length > 0) {
            blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
        }
    }
    blocks.push(Buffer.alloc(1024));
    return gzipSync(Buffer.concat(blocks));
}

export interface Published {
    name: string;
    version: string;
    /** As written in index.yaml: relative ("charts/x-1.0.0.tgz") unless given. */
    url: string;
    digest?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A Helm repository over http on 127.0.0.1. */
export class ChartRepositoryServer {
    readonly requests: { path: string; authorization?: string }[] = [];
    private readonly server: Server;
    private readonly files = new Map<string, Buffer>();
    private readonly routes = new Map<string, Handler>();
    private readonly published: Published[] = [];
    private port = 0;

    private constructor(
        private readonly account?: { username: string; password: string },
        private readonly prefix = "/charts",
    ) {
        this.server = createServer((req, res) => this.handle(req, res));
    }

    static async start(options: { account?: { username: string; password: string }; prefix?: string } = {}): Promise<ChartRepositoryServer> {
        const s = new ChartRepositoryServer(options.account, options.prefix);
        await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
        s.port = (s.server.address() as AddressInfo).port;
        return s;
    }

    /** The repository URL, e.g. http://127.0.0.1:PORT/charts; `host` may be "localhost" for a second origin. */
    url(host = "127.0.0.1"): string {
        return `http://${host}:${this.port}${this.prefix}`;
    }

    /** Adds a chart version (an archive from packageChart or rawTarGz) to the index. */
    publish(name: string, version: string, archive: Buffer, options: { url?: string; digest?: string | null } = {}): Published {
        const relative = `${name}-${version}.tgz`;
        this.files.set(`${this.prefix}/${relative}`, archive);
        const digest = options.digest === null ? undefined : (options.digest ?? createHash("sha256").update(archive).digest("hex"));
        const entry = { name, version, url: options.url ?? relative, digest };
        this.published.push(entry);
        return entry;
    }

    /** Serves `path` (absolute, under any prefix) with the given archive too, e.g. for an absolute URL elsewhere. */
    serve(path: string, body: Buffer): void {
        this.files.set(path, body);
    }

    route(path: string, handler: Handler): void {
        this.routes.set(path, handler);
    }

    indexYaml(): string {
        const entries: Record<string, object[]> = {};
        for (const p of this.published) {
            (entries[p.name] ??= []).push({ apiVersion: "v2", name: p.name, version: p.version, urls: [p.url], ...(p.digest ? { digest: p.digest } : {}) });
        }
        return stringify({ apiVersion: "v1", entries });
    }

    private handle(req: IncomingMessage, res: ServerResponse): void {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        this.requests.push({ path, authorization: req.headers.authorization });
        const custom = this.routes.get(path);
        if (custom) return custom(req, res);
        if (this.account) {
            const expected = `Basic ${Buffer.from(`${this.account.username}:${this.account.password}`).toString("base64")}`;
            if (req.headers.authorization !== expected) {
                res.writeHead(401, { "WWW-Authenticate": 'Basic realm="charts"' }).end();
                return;
            }
        }
        if (path === `${this.prefix}/index.yaml`) {
            res.writeHead(200, { "Content-Type": "application/x-yaml" }).end(this.indexYaml());
            return;
        }
        const file = this.files.get(path);
        if (file) {
            res.writeHead(200, { "Content-Type": "application/gzip" }).end(file);
            return;
        }
        res.writeHead(404).end();
    }

    close(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}
