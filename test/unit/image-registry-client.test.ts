// The OCI distribution client of `syncwave images update`: against the toolchain's registry (tags,
// digests, created dates) and against a scripted server (pagination, Bearer challenges, timeouts,
// errors naming their URL).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseVersion } from "../../cli/images/choose-version";
import { parseImageRef } from "../../cli/images/image-ref";
import { bearerChallenge, nextPageUrl, RegistryClient, registryBaseUrl } from "../../cli/images/registry-client";
import { TestRegistry } from "../helpers/registry";

async function scripted(handler: (req: IncomingMessage, res: ServerResponse, host: string) => void): Promise<{ server: Server; host: string }> {
    let host = "";
    const server = createServer((req, res) => handler(req, res, host));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { server, host };
}

describe("registry client", () => {
    let registry: TestRegistry;
    beforeAll(async () => {
        registry = await TestRegistry.start();
    });
    afterAll(async () => {
        await registry.stop();
    });

    it("lists tags, and reads each tag's digest and build date from a real registry", async () => {
        const image = { registry: registry.host, repository: "team/web" };
        const d1 = await registry.push("team/web", "1.2.0", new Date("2026-01-02T03:04:05Z"));
        const d2 = await registry.push("team/web", "1.3.0", new Date("2026-02-01T00:00:00Z"));
        const client = new RegistryClient();
        expect((await client.tags(image)).sort()).toEqual(["1.2.0", "1.3.0"]);
        expect(await client.digest(image, "1.2.0")).toBe(d1);
        expect(await client.digest(image, "1.3.0")).toBe(d2);
        expect(await client.created(image, "1.2.0")).toEqual(new Date("2026-01-02T03:04:05Z"));
        await expect(client.digest(image, "9.9.9")).rejects.toThrow(`http://${registry.host}/v2/team/web/manifests/9.9.9: 404`);
    });

    it("follows Link pages and answers a Bearer challenge with one token per repository", async () => {
        const seen: string[] = [];
        let tokens = 0;
        const { server, host } = await scripted((req, res, h) => {
            seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
            if (req.url!.startsWith("/token")) {
                tokens++;
                const u = new URL(req.url!, "http://x");
                res.end(JSON.stringify({ token: `t-${u.searchParams.get("scope")}-${u.searchParams.get("service")}` }));
                return;
            }
            if (req.headers.authorization !== "Bearer t-repository:team/web:pull-reg") {
                res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${h}/token",service="reg",scope="repository:team/web:pull"` }).end();
                return;
            }
            if (req.url === "/v2/team/web/tags/list?n=1000") {
                res.writeHead(200, { Link: '</v2/team/web/tags/list?n=1000&last=b>; rel="next"' }).end(JSON.stringify({ tags: ["a", "b"] }));
            } else if (req.url === "/v2/team/web/tags/list?n=1000&last=b") {
                res.end(JSON.stringify({ tags: ["c"] }));
            } else if (req.url === "/v2/team/web/manifests/c") {
                // No Docker-Content-Digest: the digest is the body's.
                res.end("{}");
            } else res.writeHead(404).end();
        });
        try {
            const client = new RegistryClient();
            const image = { registry: host, repository: "team/web" };
            expect(await client.tags(image)).toEqual(["a", "b", "c"]);
            expect(await client.digest(image, "c")).toBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
            expect(tokens).toBe(1);
            expect(seen[0]).toBe("GET /v2/team/web/tags/list?n=1000 -");
        } finally {
            server.close();
        }
    });

    it("names the URL when a registry does not answer in time, refuses, or is a private one", async () => {
        const { server, host } = await scripted((req, res) => {
            if (req.url!.includes("slow")) return; // never answers
            if (req.url!.includes("private")) res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"' }).end();
            else res.writeHead(500).end("broken");
        });
        try {
            await expect(new RegistryClient({ timeoutMs: 300 }).tags({ registry: host, repository: "slow" })).rejects.toThrow(`http://${host}/v2/slow/tags/list?n=1000: no answer within 0.3 s`);
            // The answers that come: time enough for a loaded machine.
            const client = new RegistryClient({ timeoutMs: 10_000 });
            await expect(client.tags({ registry: host, repository: "private" })).rejects.toThrow(`http://${host}/v2/private/tags/list?n=1000: 401 Unauthorized, and the registry offers no Bearer token`);
            await expect(client.tags({ registry: host, repository: "team/web" })).rejects.toThrow(`http://${host}/v2/team/web/tags/list?n=1000: 500 Internal Server Error: broken`);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    it("sends a request once more when the connection broke before any answer, and names what the second attempt met", async () => {
        let requests = 0;
        const { server, host } = await scripted((req, res) => {
            requests++;
            // The registry closes the connection without answering: a kept-alive connection it dropped.
            if ((req.url!.includes("flaky") && requests === 1) || req.url!.includes("broken")) req.socket.destroy();
            else res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ tags: ["1.0.0"] }));
        });
        try {
            const client = new RegistryClient({ timeoutMs: 5_000 });
            expect(await client.tags({ registry: host, repository: "flaky" })).toEqual(["1.0.0"]);
            expect(requests).toBe(2);
            requests = 0;
            await expect(client.tags({ registry: host, repository: "broken" })).rejects.toThrow(`http://${host}/v2/broken/tags/list?n=1000: UND_ERR_SOCKET`);
            expect(requests).toBe(2); // once more, not again and again
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    it("refuses a tags value that is not a list, and a Link header that leads back to a page already read", async () => {
        let pages = 0;
        const { server, host } = await scripted((req, res) => {
            if (req.url === "/v2/text/tags/list?n=1000") res.end(JSON.stringify({ tags: "1.0.0" }));
            else if (req.url === "/v2/numbers/tags/list?n=1000") res.end(JSON.stringify({ tags: [1, 2] }));
            else if (req.url === "/v2/loop/tags/list?n=1000") {
                pages++;
                res.writeHead(200, { Link: '</v2/loop/tags/list?n=1000&last=a>; rel="next"' }).end(JSON.stringify({ tags: ["a"] }));
            } else if (req.url === "/v2/loop/tags/list?n=1000&last=a") {
                pages++;
                res.writeHead(200, { Link: '</v2/loop/tags/list?n=1000>; rel="next"' }).end(JSON.stringify({ tags: ["b"] }));
            } else if (req.url === "/v2/empty/tags/list?n=1000") res.end(JSON.stringify({ name: "empty", tags: null }));
            else res.writeHead(404).end();
        });
        try {
            const client = new RegistryClient();
            await expect(client.tags({ registry: host, repository: "text" })).rejects.toThrow(`http://${host}/v2/text/tags/list?n=1000: tags is not a list of strings`);
            await expect(client.tags({ registry: host, repository: "numbers" })).rejects.toThrow(`http://${host}/v2/numbers/tags/list?n=1000: tags is not a list of strings`);
            await expect(client.tags({ registry: host, repository: "loop" })).rejects.toThrow(`http://${host}/v2/loop/tags/list?n=1000: the tags list's Link header leads back to a page already read`);
            expect(pages).toBe(2);
            expect(await client.tags({ registry: host, repository: "empty" })).toEqual([]);
        } finally {
            server.close();
        }
    });

    it("reads build dates for newest-build at most four requests at a time", async () => {
        let open = 0;
        let most = 0;
        const tags = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, "0")}`);
        const { server, host } = await scripted((req, res) => {
            const url = req.url!;
            if (url === "/v2/many/tags/list?n=1000") return void res.end(JSON.stringify({ tags }));
            open++;
            most = Math.max(most, open);
            setTimeout(() => {
                open--;
                const manifest = /^\/v2\/many\/manifests\/(t\d+)$/.exec(url);
                const blob = /^\/v2\/many\/blobs\/(t\d+)$/.exec(url);
                if (manifest) res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }).end(JSON.stringify({ config: { digest: manifest[1] } }));
                else if (blob) res.end(JSON.stringify({ created: `2026-01-${String(Number(blob[1].slice(1)) + 1).padStart(2, "0")}T00:00:00Z` }));
                else res.writeHead(404).end();
            }, 20);
        });
        try {
            const image = { alias: "", image: { registry: host, repository: "many" }, strategy: "newest-build" as const, ignoreTags: [] };
            expect((await chooseVersion(image, new RegistryClient()))?.name).toBe("t11");
            expect(most).toBeGreaterThan(1);
            expect(most).toBeLessThanOrEqual(4);
        } finally {
            server.close();
        }
    });

    it("speaks http to this machine only, and finds Docker Hub's API", () => {
        expect(registryBaseUrl("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
        expect(registryBaseUrl("localhost:5000")).toBe("http://localhost:5000");
        expect(registryBaseUrl("ghcr.io")).toBe("https://ghcr.io");
        expect(registryBaseUrl("")).toBe("https://registry-1.docker.io");
        expect(parseImageRef("nginx:1.27")).toEqual({ registry: "", repository: "nginx", tag: "1.27" });
        expect(parseImageRef("localhost:5000/a/b@sha256:" + "0".repeat(64))).toEqual({ registry: "localhost:5000", repository: "a/b", digest: `sha256:${"0".repeat(64)}` });
        expect(nextPageUrl('<https://r.io/v2/x/tags/list?last=1>; rel="next"', "https://r.io/v2/x/tags/list")).toBe("https://r.io/v2/x/tags/list?last=1");
        expect(nextPageUrl(null, "https://r.io")).toBeUndefined();
        expect(bearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')).toEqual({ realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: undefined });
        expect(bearerChallenge('Basic realm="x"')).toBeUndefined();
    });
});
