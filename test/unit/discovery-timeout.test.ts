// Discovery never waits forever: a server that accepts the connection and never answers fails the
// discovery within its timeout, with an error that says what was awaited.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { discoverKinds } from "../../components/cluster/discovery";

let server: Server;
const sockets: Socket[] = [];
let port = 0;

beforeAll(async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
});

afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
});

function kubeconfigFor(server: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "silent",
        contexts: [{ name: "silent", context: { cluster: "silent", user: "someone" } }],
        clusters: [{ name: "silent", cluster: { server, "insecure-skip-tls-verify": true } }],
        users: [{ name: "someone", user: { token: "not-a-secret" } }],
    });
}

describe("discoverKinds timeout", () => {
    it("fails within the timeout and names the server and the request it waited for", async () => {
        const started = Date.now();
        await expect(discoverKinds(kubeconfigFor(`https://127.0.0.1:${port}`), 400)).rejects.toThrow(
            new RegExp(`API discovery of https://127\\.0\\.0\\.1:${port} failed: GET /apis? to https://127\\.0\\.0\\.1:${port} did not answer within \\d+ms`),
        );
        expect(Date.now() - started).toBeLessThan(3_000);
    });

    it("does not remember a failure: the next call asks again", async () => {
        const config = kubeconfigFor(`https://127.0.0.1:${port}`);
        await expect(discoverKinds(config, 200)).rejects.toThrow(/did not answer/);
        await expect(discoverKinds(config, 200)).rejects.toThrow(/did not answer/);
        expect(sockets.length).toBeGreaterThanOrEqual(4);
    });
});
