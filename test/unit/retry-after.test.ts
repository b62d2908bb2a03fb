// A throttled API server (429 with Retry-After) slows SyncWave's own requests down; it does not fail them.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, KubeApiError } from "../../components/cluster/api-request";
import { plainHttpsConfig, type HttpsConfig } from "../../components/cluster/https-config";
import { getJSON } from "../../components/cluster/kube-http";
import { MAX_RETRIES, retryAfterMs, retryFits } from "../../components/cluster/retry-after";

describe("when the API server asks to come back later", () => {
    it.each([
        [429, "1", 1_000],
        [429, ["2"], 2_000],
        [503, "0", 0],
        [500, "3", 3_000],
        [429, undefined, undefined],
        [429, "Wed, 21 Oct 2026 07:28:00 GMT", undefined],
        [429, "-1", undefined],
        [409, "1", undefined],
        [200, "1", undefined],
    ])("status %s, Retry-After %j: waits %s ms", (status, header, want) => expect(retryAfterMs(status, header)).toBe(want));

    it("retries at most 10 times, and only within the deadline", () => {
        expect(retryFits(0, 1_000, 0, 30_000, 0)).toBe(true);
        expect(retryFits(MAX_RETRIES, 1_000, 0, 30_000, 0)).toBe(false);
        expect(retryFits(1, 1_000, 0, 30_000, 29_500)).toBe(false);
    });
});

describe("SyncWave's requests to a throttled server", () => {
    let server: Server;
    let kc: HttpsConfig;
    const seen: Record<string, number> = {};

    beforeAll(async () => {
        server = createServer((req, res) => {
            const path = req.url ?? "";
            seen[path] = (seen[path] ?? 0) + 1;
            const throttled = (n: number) => seen[path] <= n;
            if (path.startsWith("/throttled-twice") && throttled(2)) {
                res.writeHead(429, { "Retry-After": "1", "Content-Type": "application/json" });
                res.end(JSON.stringify({ kind: "Status", message: "too many requests, please try again later", reason: "TooManyRequests" }));
                return;
            }
            if (path.startsWith("/always-throttled")) {
                res.writeHead(429, { "Retry-After": "1" });
                res.end(JSON.stringify({ kind: "Status", message: "too many requests, please try again later", reason: "TooManyRequests" }));
                return;
            }
            if (path.startsWith("/throttled-without-retry-after")) {
                res.writeHead(429);
                res.end(JSON.stringify({ kind: "Status", message: "too many requests", reason: "TooManyRequests" }));
                return;
            }
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ path, attempts: seen[path] }));
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const { port } = server.address() as AddressInfo;
        const kubeconfig = `apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\n`;
        kc = plainHttpsConfig(kubeconfig)!;
        expect(kc).toBeDefined();
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("a write waits as asked and succeeds on the third attempt", async () => {
        const res = await apiRequest<{ attempts: number }>(kc, { method: "POST", path: "/throttled-twice/write", body: { a: 1 }, timeoutMs: 10_000 });
        expect(res.body.attempts).toBe(3);
    });

    it("a read waits as asked and succeeds on the third attempt", async () => {
        expect(await getJSON<{ attempts: number }>(kc, "/throttled-twice/read", 10_000)).toMatchObject({ attempts: 3 });
    });

    it("gives up with the server's words when the deadline comes first", async () => {
        const err = await apiRequest(kc, { method: "GET", path: "/always-throttled/write", timeoutMs: 2_500 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KubeApiError);
        expect((err as KubeApiError).status).toBe(429);
        expect((err as Error).message).toBe("too many requests, please try again later");
        // At 0, 1 and 2 s; a fourth at 3 s would pass the 2.5 s deadline.
        expect(seen["/always-throttled/write"]).toBe(3);
        await expect(getJSON(kc, "/always-throttled/read", 2_500)).rejects.toThrow("GET /always-throttled/read: 429");
    });

    it("does not retry a 429 that names no wait", async () => {
        await expect(apiRequest(kc, { method: "GET", path: "/throttled-without-retry-after", timeoutMs: 5_000 })).rejects.toThrow("too many requests");
        expect(seen["/throttled-without-retry-after"]).toBe(1);
    });
});
