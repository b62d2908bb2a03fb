// The catalog's triggers evaluated by the Go helper (expr-lang, as Argo CD) on the Application objects
// SyncWave builds for each event, and the templates rendered with sprig and Argo CD's helpers.
import { describe, expect, it } from "vitest";
import type { NotificationFacts } from "../../components/notification-facts";
import { applicationObject } from "../../cli/notifications/app-object";
import { parseNotificationsConfig } from "../../cli/notifications/config";
import type { ApplicationEvent } from "../../cli/notifications/events";
import { evaluateConditions, renderTemplates } from "../../cli/notifications/go-helper";
import { notificationOf, templateFields } from "../../cli/notifications/plan";

const config = parseNotificationsConfig({}, {});
const facts: NotificationFacts = {
    project: "team",
    annotations: { "notifications.argoproj.io/subscribe.on-deployed.slack": "#ops" },
    projectAnnotations: {},
    labels: { team: "shop" },
    source: { repoURL: "git@github.com:example/shop.git", path: "app", targetRevision: "main" },
    destination: { server: "https://kubernetes.default.svc", namespace: "shop" },
};

function event(phase: "Running" | "Succeeded" | "Failed", reason = "sync"): ApplicationEvent {
    const startedAt = "2026-01-01T10:00:00Z";
    const at = phase === "Running" ? startedAt : "2026-01-01T10:00:40Z";
    return {
        application: "web",
        type: "operation",
        at,
        syncStatus: phase === "Succeeded" ? "Synced" : "OutOfSync",
        health: { status: phase === "Succeeded" ? "Healthy" : phase === "Failed" ? "Degraded" : "Missing", lastTransitionTime: at },
        revision: "abc123",
        operation: { phase, startedAt, ...(phase === "Running" ? {} : { finishedAt: at }), revision: "abc123", reason, username: "ci", automated: true, resources: [], ...(phase === "Failed" ? { message: "web did not become Healthy" } : {}) },
    };
}

const drift: ApplicationEvent = { application: "web", type: "drift", at: "2026-01-01T11:00:00Z", syncStatus: "OutOfSync", health: { status: "Healthy" }, revision: "abc123", message: "1 drifted field(s): Deployment shop/web spec.replicas" };

/** Which catalog triggers fire on an event's Application. */
async function fired(e: ApplicationEvent): Promise<string[]> {
    const vars = { app: applicationObject(e, facts, "prod"), context: {} };
    const names = Object.keys(config.triggers).sort();
    const answers = await evaluateConditions(names.map((n) => ({ expression: config.triggers[n][0].when, vars })));
    return names.filter((_, i) => {
        const a = answers[i];
        if ("error" in a) throw new Error(`${names[i]}: ${a.error}`);
        return a.value === true;
    });
}

describe("notification triggers and templates", () => {
    it("builds an Argo CD Application object from the facts and the event", () => {
        const app = applicationObject(event("Succeeded", "auto-rollback"), facts, "prod") as Record<string, any>;
        expect(app.metadata).toEqual({ name: "web", namespace: "prod", annotations: facts.annotations, labels: { team: "shop" } });
        expect(app.spec).toEqual({ project: "team", destination: facts.destination, source: facts.source });
        expect(app.status.sync).toEqual({ status: "Synced", revision: "abc123" });
        expect(app.status.operationState).toMatchObject({
            phase: "Succeeded",
            startedAt: "2026-01-01T10:00:00Z",
            finishedAt: "2026-01-01T10:00:40Z",
            operation: { initiatedBy: { automated: true }, info: [{ name: "reason", value: "auto-rollback" }] },
            syncResult: { revision: "abc123", resources: [] },
        });
        expect((applicationObject({ ...drift, type: "deleted" }, facts, "prod") as Record<string, any>).metadata.deletionTimestamp).toBe(drift.at);
    });

    it("fires the catalog's triggers as Argo CD would for each event", async () => {
        expect(await fired(event("Running"))).toEqual(["on-created", "on-sync-running"]);
        expect(await fired(event("Succeeded"))).toEqual(["on-created", "on-deployed", "on-sync-succeeded"]);
        expect(await fired(event("Succeeded", "rollback"))).toEqual(["on-created", "on-deployed", "on-rolled-back", "on-sync-succeeded"]);
        expect(await fired(event("Failed"))).toEqual(["on-created", "on-health-degraded", "on-sync-failed"]);
        expect(await fired(drift)).toEqual(["on-created", "on-drift-detected"]);
        expect(await fired({ ...drift, type: "deleted", syncStatus: "Synced" })).toEqual(["on-created", "on-deleted"]);
    });

    it("evaluates oncePer as notifications-engine formats it, and reports a failing expression", async () => {
        const vars = { app: applicationObject(event("Running"), facts, "prod") };
        const [revision, missing, broken] = await evaluateConditions([
            { expression: "app.status.operationState?.syncResult?.revision", vars },
            { expression: "app.status.nothing?.here", vars },
            { expression: "time.Parse('yesterday')", vars },
        ]);
        expect(revision).toEqual({ value: "abc123", text: "abc123" });
        expect(missing).toEqual({ value: null, text: "<nil>" });
        expect(broken).toEqual({ error: expect.stringContaining('parsing time "yesterday"') });
    });

    it("renders the catalog's templates and Argo CD's helpers, refusing the repo server's", async () => {
        const vars = { app: applicationObject(event("Succeeded"), facts, "prod"), context: { argocdUrl: "https://cd.example.com" }, serviceType: "slack", recipient: "#ops" };
        const custom = {
            fields: {
                message: "{{ call .repo.RepoURLToHTTPS .app.spec.source.repoURL }} {{ call .repo.FullNameByRepoURL .app.spec.source.repoURL }} {{ call .strings.ToUpper .app.metadata.name }} {{ .app.metadata.name | upper }} {{ (call .time.Parse .app.status.operationState.finishedAt).Year }}",
            },
            vars,
        };
        const [deployed, helpers, refused] = await renderTemplates([
            { fields: templateFields(config, ["app-deployed"]), vars },
            custom,
            { fields: { message: "{{ call .repo.GetCommitMetadata .app.status.sync.revision }}" }, vars },
        ]);
        if ("error" in deployed) throw new Error(deployed.error);
        const notification = notificationOf(deployed.fields);
        expect(notification.message.trim()).toBe(":white_check_mark: Application web is now running new version of deployments manifests.");
        const attachments = JSON.parse(notification.slack!.attachments!) as { title_link: string; fields: { title: string; value: string }[] }[];
        expect(attachments[0].title_link).toBe("https://cd.example.com/applications/web");
        expect(attachments[0].fields).toEqual(expect.arrayContaining([{ title: "Revision", value: "abc123", short: true }, { title: "Repository", value: ":arrow_heading_up: git@github.com:example/shop.git", short: true }]));
        expect(helpers).toEqual({ fields: { message: "https://github.com/example/shop.git example/shop WEB WEB 2026" } });
        expect(refused).toEqual({ error: expect.stringContaining("repo.GetCommitMetadata is not provided by SyncWave") });
    });
});
