// A local HTTP receiver for notification tests: records every request and answers each path from a
// queue of statuses (then 200); a Slack API path answers Slack's `{"ok": true}`.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
    method: string;
    path: string;
    headers: IncomingMessage["headers"];
    body: string;
    answered: number;
}

/** A local HTTP receiver: records every request; answers each path from its queue of statuses, then 200. */
export class Receiver {
    readonly requests: Received[] = [];
    private readonly queued = new Map<string, number[]>();
    private server!: Server;
    port = 0;

    async start(): Promise<void> {
        this.server = createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                const path = req.url ?? "/";
                const status = this.queued.get(path)?.shift() ?? 200;
                this.requests.push({ method: req.method ?? "", path, headers: req.headers, body, answered: status });
                res.writeHead(status, { "content-type": "application/json" });
                res.end(path.startsWith("/slack/") ? JSON.stringify({ ok: true }) : "{}");
            });
        });
        await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
        this.port = (this.server.address() as AddressInfo).port;
    }

    answer(path: string, ...statuses: number[]): void {
        this.queued.set(path, statuses);
    }

    paths(from = 0): string[] {
        return this.requests.slice(from).map((r) => r.path);
    }

    stop(): Promise<void> {
        return new Promise((r) => this.server.close(() => r()));
    }
}

