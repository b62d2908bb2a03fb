// Argo CD Notifications end to end on the local cluster: the syncwave CLI syncs an Application
// subscribed to the catalog's triggers, and a real HTTP server receives what the webhook and Slack
// services send: running, then succeeded and deployed, in order, rendered; nothing again for the same
// revision; a failed sync's on-sync-failed after the receiver's 503s were retried; no secret in the
// CLI's output or in the stack's state.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { startCli } from "../helpers/cli-run";
import { TestRepo } from "../helpers/git";
import { webDeployment } from "../helpers/manifests";
import { expectOk } from "../helpers/pulumi";
import { SyncStack, teamPlatform } from "../helpers/sync-stack";
import { Receiver } from "../helpers/http-receiver";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `notify-${run}`;
const receiverToken = `receiver-token-${run}-0123456789`;
const slackToken = `xoxb-slack-token-${run}-0123456789`;

/** A template whose webhook body is JSON the test reads (the catalog's message goes to Slack). */
const receiverTemplate = (path: string, message: string) => ({
    message,
    webhook: {
        receiver: {
            method: "POST",
            path,
            body: '{"app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "phase": "{{.app.status.operationState.phase}}", "health": "{{.app.status.health.status}}", "service": "{{.serviceType}}", "upper": "{{ upper .app.metadata.name }}"}',
        },
    },
});

const subscribed = (triggers: string[]) => Object.fromEntries(triggers.map((t) => [`notifications.argoproj.io/subscribe.${t}.receiver`, ""]));

describe("notifications", () => {
    const receiver = new Receiver();
    let repo: TestRepo;
    let stack: SyncStack;
    let first = "";
    const output: string[] = [];

    async function cli(...args: string[]): Promise<{ code: number | null; text: string }> {
        const started = startCli(stack, args);
        const { code } = await started.exited;
        output.push(started.output());
        return { code, text: started.output() };
    }

    beforeAll(async () => {
        await ensureCluster();
        await receiver.start();
        repo = new TestRepo();
        first = repo.commit({ "app/web.yaml": stringify(webDeployment("example.com/web:1.0")) });
        stack = await SyncStack.create(
            "notify",
            {
                platform: teamPlatform(["notify-*"], ["web"]),
                applications: {
                    web: {
                        project: "team",
                        source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                        destination: { server: "https://kubernetes.default.svc", namespace: ns },
                        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                        annotations: { ...subscribed(["on-sync-running", "on-sync-succeeded", "on-deployed", "on-sync-failed", "on-drift-detected"]), "notifications.argoproj.io/subscribe.on-deployed.slack": "#deploys" },
                    },
                },
                healthTimeout: "60s",
                degradedGrace: "2s",
                notifications: {
                    "service.webhook.receiver": { url: `http://127.0.0.1:${receiver.port}`, headers: [{ name: "X-Token", value: "$receiver-token" }] },
                    "service.slack": { token: "$slack-token", apiURL: `http://127.0.0.1:${receiver.port}/slack/` },
                    context: { argocdUrl: "https://argocd.example.com" },
                    "template.app-sync-running": receiverTemplate("/running", "{{.app.metadata.name}} is syncing"),
                    "template.app-sync-succeeded": receiverTemplate("/succeeded", "{{.app.metadata.name}} synced"),
                    "template.app-deployed": stringify({
                        ...receiverTemplate("/deployed", "{{if eq .serviceType \"slack\"}}:white_check_mark:{{end}} Application {{.app.metadata.name}} is now running revision {{.app.status.sync.revision}}"),
                        slack: { attachments: '[{"title": "{{.app.metadata.name}}", "title_link": "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}"}]' },
                    }, { lineWidth: 0 }),
                    "template.app-sync-failed": {
                        webhook: {
                            receiver: {
                                method: "POST",
                                path: "/failed",
                                body: '{"app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "phase": "{{.app.status.operationState.phase}}", "health": "{{.app.status.health.status}}", "resources": "{{range .app.status.operationState.syncResult.resources}}{{.kind}} {{.namespace}}/{{.name}} {{.health.status}};{{end}}"}',
                            },
                        },
                    },
                    "template.app-drift-detected": { webhook: { receiver: { method: "POST", path: "/drift", body: '{"app": "{{.app.metadata.name}}", "sync": "{{.app.status.sync.status}}", "drift": "{{range .app.status.conditions}}{{.message}}{{end}}"}' } } },
                },
            },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        // argocd-notifications-secret's data, as Pulumi secrets.
        expectOk(await stack.run(["config", "set", "--secret", "--path", "syncwave:notificationSecrets.receiver-token", receiverToken]), "config set");
        expectOk(await stack.run(["config", "set", "--secret", "--path", "syncwave:notificationSecrets.slack-token", slackToken]), "config set");
    });

    afterAll(async () => {
        await stack?.destroy();
        await receiver.stop();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("sends on-sync-running, then on-sync-succeeded and on-deployed, rendered, to the webhook and Slack", async () => {
        const commit = first;
        const { code, text } = await cli("sync");
        expect(code, text).toBe(0);
        const paths = receiver.paths();
        expect(paths[0]).toBe("/running");
        expect(paths).toEqual(expect.arrayContaining(["/running", "/succeeded", "/deployed", "/slack/chat.postMessage"]));
        expect(paths.filter((p) => p === "/running")).toHaveLength(1);
        const byPath = (p: string) => receiver.requests.find((r) => r.path === p)!;
        expect(JSON.parse(byPath("/running").body)).toEqual({ app: "web", revision: commit, phase: "Running", health: "Missing", service: "receiver", upper: "WEB" });
        expect(JSON.parse(byPath("/succeeded").body)).toMatchObject({ app: "web", revision: commit, phase: "Succeeded", health: "Healthy" });
        expect(JSON.parse(byPath("/deployed").body)).toMatchObject({ app: "web", revision: commit });
        expect(byPath("/running").method).toBe("POST");
        expect(byPath("/running").headers["x-token"]).toBe(receiverToken);
        // Slack: chat.postMessage with the bot token, the recipient as channel, the rendered message and attachments.
        const slack = byPath("/slack/chat.postMessage");
        expect(slack.headers.authorization).toBe(`Bearer ${slackToken}`);
        const payload = JSON.parse(slack.body) as { channel: string; text: string; attachments: { title_link: string }[] };
        expect(payload.channel).toBe("#deploys");
        expect(payload.text).toBe(`:white_check_mark: Application web is now running revision ${commit}`);
        expect(payload.attachments[0].title_link).toBe("https://argocd.example.com/applications/web");
        expect(text).toContain("web: notified receiver (on-sync-running)");
    });

    it("does not send again for the same revision, whether in sync or forced", async () => {
        const before = receiver.requests.length;
        expect((await cli("sync")).code).toBe(0);
        const forced = await cli("sync", "--force");
        expect(forced.code, forced.text).toBe(0);
        expect(receiver.paths(before)).toEqual([]);
    });

    it("sends on-drift-detected when drift is found, once until the Application is synced again", async () => {
        const before = receiver.requests.length;
        await k("set", "image", "deployment/web", "-n", ns, "web=example.com/web:hotfix");
        const found = await cli("drift");
        expect(found.code, found.text).toBe(2);
        const drift = receiver.requests.slice(before).filter((r) => r.path === "/drift");
        expect(drift).toHaveLength(1);
        expect(JSON.parse(drift[0].body)).toMatchObject({ app: "web", sync: "OutOfSync", drift: expect.stringContaining("Deployment") });
        // Found again: already told.
        expect((await cli("drift")).code).toBe(2);
        expect(receiver.paths(before).filter((p) => p === "/drift")).toHaveLength(1);
    });

    it("retries a 503 and sends on-sync-failed for a sync that fails", async () => {
        const before = receiver.requests.length;
        const bad = repo.commit({ "app/web.yaml": stringify(webDeployment("example.com/web:2.0", { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "config file missing" })) }, "bad release");
        receiver.answer("/running", 503, 503);
        const { code, text } = await cli("sync");
        expect(code, text).not.toBe(0);
        const running = receiver.requests.slice(before).filter((r) => r.path === "/running");
        expect(running.map((r) => r.answered)).toEqual([503, 503, 200]);
        expect(JSON.parse(running[2].body)).toMatchObject({ revision: bad, phase: "Running" });
        const failed = receiver.requests.slice(before).filter((r) => r.path === "/failed");
        expect(failed).toHaveLength(1);
        // The gate judged the pods Degraded; the Deployment itself, by Argo CD's rule, is still Progressing.
        expect(JSON.parse(failed[0].body)).toEqual({ app: "web", revision: bad, phase: "Failed", health: "Degraded", resources: `Deployment ${ns}/web Progressing;` });
        expect(receiver.paths(before)).not.toContain("/succeeded");
    });

    it("says why a notification failed, and never fails the sync for it", async () => {
        const before = receiver.requests.length;
        repo.commit({ "app/web.yaml": stringify(webDeployment("example.com/web:3.0")) }, "fixed");
        receiver.answer("/succeeded", 400);
        const { code, text } = await cli("sync");
        expect(code, text).toBe(0);
        expect(text).toMatch(/warning: web: notification on-sync-succeeded to receiver failed: POST http:\/\/127\.0\.0\.1:\d+\/succeeded answered 400/);
        expect(receiver.paths(before)).toEqual(expect.arrayContaining(["/running", "/succeeded", "/deployed"]));
    });

    it("keeps the secrets out of the CLI's output and the stack's state", () => {
        const all = output.join("\n");
        expect(all).not.toContain(receiverToken);
        expect(all).not.toContain(slackToken);
        const backend = fileURLToPath(stack.env.PULUMI_BACKEND_URL);
        const files = walk(backend);
        expect(files.some((f) => f.endsWith(".notifications.json"))).toBe(true);
        for (const file of files) {
            const text = (file.endsWith(".gz") ? gunzipSync(readFileSync(file)) : readFileSync(file)).toString("utf8");
            expect(text, file).not.toContain(receiverToken);
            expect(text, file).not.toContain(slackToken);
        }
    });
});

function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
    });
}
