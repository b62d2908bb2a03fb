// The sync's notification hook without a cluster: a project folder with its stack configuration, a
// file backend in a temporary folder, and a local HTTP receiver. What a sync, a rollback, a removal
// and an Application the preview refused send, and that a second run at the same revision sends
// nothing (the state beside the sync lock).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { NotificationFacts } from "../../components/notification-facts";
import type { ProgramReport } from "../../components/report";
import { SyncError } from "../../cli/commands/sync";
import { notificationsDelivered, SyncNotifications } from "../../cli/notifications/sync-notifications";

let server: Server;
let port = 0;
const received: { path: string; body: string }[] = [];

beforeAll(async () => {
    server = createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            received.push({ path: req.url ?? "", body });
            res.writeHead(200).end("{}");
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const hook = (path: string) => ({ webhook: { hook: { method: "POST", path, body: "{{.app.metadata.name}} {{.app.status.operationState.phase}} {{.app.status.sync.revision}}" } } });

function project(): { cwd: string; env: Record<string, string> } {
    const cwd = mkdtempSync(join(tmpdir(), "syncwave-notify-"));
    writeFileSync(join(cwd, "Pulumi.yaml"), "name: notify-test\nruntime: nodejs\n");
    const notifications = {
        "service.webhook.hook": { url: `http://127.0.0.1:${port}` },
        "template.app-sync-running": hook("/running"),
        "template.app-sync-succeeded": hook("/succeeded"),
        "template.app-sync-failed": hook("/failed"),
        "template.app-rolled-back": hook("/rolled-back"),
        "template.app-deleted": hook("/deleted"),
        "template.app-created": hook("/created"),
    };
    writeFileSync(join(cwd, "Pulumi.s1.yaml"), stringify({ config: { "syncwave:notifications": notifications } }));
    return { cwd, env: { PULUMI_BACKEND_URL: `file://${join(cwd, "backend")}` } };
}

const subscribed = (...triggers: string[]): NotificationFacts => ({
    project: "team",
    annotations: Object.fromEntries(triggers.map((t) => [`notifications.argoproj.io/subscribe.${t}.hook`, ""])),
    projectAnnotations: {},
    labels: {},
    source: { repoURL: "https://git.example.com/shop.git", path: "app" },
    destination: { namespace: "shop" },
});

const report: ProgramReport = {
    applications: {
        web: { application: "web", status: "ok", notification: subscribed("on-created", "on-sync-running", "on-sync-succeeded", "on-rolled-back") },
        gone: { application: "gone", status: "ok", notification: subscribed("on-deleted") },
        broken: { application: "broken", status: "failed", reason: "render failed", notification: subscribed("on-sync-failed") },
    },
};
const revision = (application: string, commit: string) => ({ application, repoURL: "https://git.example.com/shop.git", targetRevision: "main", commit });

async function syncOnce(where: { cwd: string; env: Record<string, string> }, kind: string, commit: string, removed: boolean): Promise<string[]> {
    const lines: string[] = [];
    const hookOf = new SyncNotifications({ stack: "s1", ...where, kind }, (l) => lines.push(l));
    await hookOf.previewed(report);
    await hookOf.updateStarting([revision("web", commit)], removed ? [{ application: "gone", prune: [], requiresPruning: [], removed: { cascade: true, objects: [] } }] : []);
    await hookOf.settle(Promise.resolve({ revisions: [revision("web", commit)], failed: [{ application: "broken", reason: "render failed" }] }));
    // Deliveries are queued (the sync goes on meanwhile); sync() waits for them before releasing its lock.
    await notificationsDelivered();
    return lines;
}

describe("the sync's notification hook", () => {
    it("notifies a sync's Applications, a removal and a refused Application, once per revision", async () => {
        const where = project();
        received.length = 0;
        const lines = await syncOnce(where, "sync", "c1", false);
        expect(received.map((r) => `${r.path} ${r.body}`)).toEqual(["/created web Running c1", "/running web Running c1", "/succeeded web Succeeded c1", "/failed broken Failed <no value>"]);
        expect(lines).toContain("web: notified hook (on-sync-running)");
        // The same revision again (a forced sync): nothing; the refused Application's failure at the same revision was told.
        received.length = 0;
        await syncOnce(where, "sync", "c1", false);
        expect(received).toEqual([]);
        // A rollback to an earlier commit, which also removes `gone`.
        await syncOnce(where, "rollback", "c0", true);
        expect(received.map((r) => `${r.path} ${r.body}`)).toEqual(["/running web Running c0", "/succeeded web Succeeded c0", "/rolled-back web Succeeded c0", "/deleted gone <no value> <no value>"]);
        // The state sits beside the sync lock and holds no configuration.
        const dir = join(where.cwd, "backend", ".pulumi", "syncwave-locks", "organization", "notify-test");
        expect(readdirSync(dir)).toEqual(["s1.notifications.json"]);
        const state = JSON.parse(readFileSync(join(dir, "s1.notifications.json"), "utf8")) as { applications: Record<string, unknown> };
        expect(Object.keys(state.applications).sort()).toEqual(["broken", "web"]);
    });

    it("tells nothing of a sync answered in sync, and refuses a bad configuration", async () => {
        const where = project();
        received.length = 0;
        const hookOf = new SyncNotifications({ stack: "s1", ...where }, () => undefined);
        await hookOf.settle(Promise.resolve({ revisions: [revision("web", "c1")], failed: [] }));
        await notificationsDelivered();
        expect(received).toEqual([]);
        writeFileSync(join(where.cwd, "Pulumi.s1.yaml"), stringify({ config: { "syncwave:notifications": { "service.teams": { recipientUrls: {} } } } }));
        const refusal = "nothing was synced: notifications configuration service.teams: SyncWave does not deliver to teams (supported: webhook, slack)";
        // The preview and a repair of drift refuse alike: a SyncError, before anything is updated.
        await expect(new SyncNotifications({ stack: "s1", ...where }, () => undefined).previewed(report)).rejects.toThrow(refusal);
        await expect(new SyncNotifications({ stack: "s1", ...where }, () => undefined).previewed(report)).rejects.toBeInstanceOf(SyncError);
        const repair = new SyncNotifications({ stack: "s1", ...where }, () => undefined).repairing([], [], []);
        await expect(repair).rejects.toThrow(refusal);
        await expect(repair).rejects.toBeInstanceOf(SyncError);
    });

    it("skips a subscription naming a service that is not configured, and tells the Application's others", async () => {
        const where = project();
        received.length = 0;
        const lines: string[] = [];
        const notification = { ...subscribed("on-sync-running"), annotations: { "notifications.argoproj.io/subscribe.on-sync-running.hook": "", "notifications.argoproj.io/subscribe.on-sync-running.pager": "ops" } };
        const hookOf = new SyncNotifications({ stack: "s1", ...where }, (l) => lines.push(l));
        await hookOf.previewed({ applications: { web: { application: "web", status: "ok", notification } } });
        await hookOf.updateStarting([revision("web", "c1")]);
        await notificationsDelivered();
        expect(received.map((r) => r.path)).toEqual(["/running"]);
        expect(lines).toEqual([
            "warning: notifications for web: Application web annotation notifications.argoproj.io/subscribe.on-sync-running.pager: service pager is not configured (configured: hook)",
            "web: notified hook (on-sync-running)",
        ]);
    });
});
