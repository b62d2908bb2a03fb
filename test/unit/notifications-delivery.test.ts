// The webhook and Slack services against a local HTTP server: retries of network errors and 5xx,
// Slack's `ok` field, timeouts naming the URL.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backoffMs, sendOnce, sendWithRetries } from "../../cli/notifications/deliver/http";
import { sendSlack, slackPayload } from "../../cli/notifications/deliver/slack";
import { sendWebhook } from "../../cli/notifications/deliver/webhook";

let server: Server;
let base = "";
const answers: { status: number; body: string; delayMs?: number }[] = [];
const received: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
    server = createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            received.push({ method: req.method, url: req.url, headers: req.headers, body });
            const answer = answers.shift() ?? { status: 200, body: "{}" };
            setTimeout(() => res.writeHead(answer.status).end(answer.body), answer.delayMs ?? 0);
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const noWait = async () => undefined;

describe("notification delivery", () => {
    it("retries 5xx answers 3 times, waiting 1, 2, 4 s (at most 5)", async () => {
        answers.push({ status: 503, body: "busy" }, { status: 502, body: "" }, { status: 200, body: "ok" });
        const waits: number[] = [];
        const res = await sendWithRetries({ method: "POST", url: `${base}/retry`, headers: {}, body: "x" }, "shown", async (ms) => void waits.push(ms));
        expect(res).toEqual({ status: 200, body: "ok" });
        expect(waits).toEqual([1000, 2000]);
        expect([0, 1, 2, 3, 4].map(backoffMs)).toEqual([1000, 2000, 4000, 5000, 5000]);
        answers.push(...[1, 2, 3, 4].map(() => ({ status: 500, body: "down" })));
        expect((await sendWithRetries({ method: "GET", url: `${base}/down`, headers: {} }, "shown", noWait)).status).toBe(500);
    });

    it("does not retry a 4xx, and names the URL of a request that times out or cannot connect", async () => {
        answers.push({ status: 404, body: "no" });
        expect((await sendWithRetries({ method: "GET", url: `${base}/missing`, headers: {} }, "shown", noWait)).status).toBe(404);
        answers.push({ status: 200, body: "", delayMs: 500 });
        await expect(sendOnce({ method: "GET", url: `${base}/slow`, headers: {}, timeoutMs: 100 }, `${base}/slow`)).rejects.toThrow(`GET ${base}/slow: no answer within 0.1 s`);
        await expect(sendWithRetries({ method: "GET", url: "http://127.0.0.1:1/", headers: {} }, "http://127.0.0.1:1/", noWait)).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:1\/: .*ECONNREFUSED.* \(tried 4 times\)/);
    });

    it("sends a webhook with the template's method, path and body, the service's headers and basic auth", async () => {
        received.length = 0;
        await sendWebhook(
            { type: "webhook", url: `${base}/api`, headers: [{ name: "X-Token", value: "t0k3n" }], basicAuth: { username: "u", password: "p" }, insecureSkipVerify: false },
            "hook",
            { message: "hello", webhook: { hook: { method: "PUT", path: "/apps/web", body: '{"a":1}' } } },
        );
        expect(received[0]).toMatchObject({ method: "PUT", url: "/api/apps/web", body: '{"a":1}', headers: { "x-token": "t0k3n", authorization: `Basic ${Buffer.from("u:p").toString("base64")}` } });
        // Without a webhook section for the service: GET with the message, as Argo CD does.
        await sendWebhook({ type: "webhook", url: `${base}/plain`, headers: [], insecureSkipVerify: false }, "hook", { message: "hello", webhook: {} });
        expect(received[1]).toMatchObject({ method: "GET", url: "/plain", body: "hello" });
        // A section without body sends none; its path is joined with one slash.
        await sendWebhook({ type: "webhook", url: `${base}/base/`, headers: [], insecureSkipVerify: false }, "hook", { message: "hello", webhook: { hook: { path: "/deep" } } });
        expect(received[2]).toMatchObject({ method: "GET", url: "/base/deep", body: "" });
        answers.push({ status: 403, body: "forbidden" });
        await expect(sendWebhook({ type: "webhook", url: `${base}/denied`, headers: [], insecureSkipVerify: false }, "hook", { message: "m", webhook: {} })).rejects.toThrow(`GET ${base}/denied answered 403: forbidden`);
    });

    it("posts chat.postMessage to Slack and checks its ok field", async () => {
        const slack = { type: "slack" as const, token: "xoxb-1", apiURL: `${base}/slack/`, username: "cd", icon: ":rocket:", insecureSkipVerify: false };
        const notification = { message: "deployed", webhook: {}, slack: { attachments: '[{"title":"web"}]', blocks: "" } };
        expect(slackPayload(slack, "#ops", notification)).toEqual({ channel: "#ops", text: "deployed", username: "cd", icon_emoji: ":rocket:", attachments: [{ title: "web" }] });
        received.length = 0;
        answers.push({ status: 200, body: '{"ok":true}' });
        await sendSlack(slack, "#ops", notification);
        expect(received[0]).toMatchObject({ method: "POST", url: "/slack/chat.postMessage", headers: { authorization: "Bearer xoxb-1" } });
        answers.push({ status: 200, body: '{"ok":false,"error":"channel_not_found"}' });
        await expect(sendSlack(slack, "#nowhere", notification)).rejects.toThrow("Slack refused the message: channel_not_found");
        await expect(sendSlack(slack, "#ops", { ...notification, slack: { attachments: "[{broken" } })).rejects.toThrow("slack.attachments is not JSON once rendered");
    });
});
