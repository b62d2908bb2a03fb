// Argo CD Notifications' configuration as SyncWave reads it: the catalog's defaults, overrides, `$name`
// secrets, and every refusal naming its key.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseNotificationsConfig } from "../../cli/notifications/config";

const webhook = { "service.webhook.receiver": "url: https://hooks.example.com\nheaders:\n- name: Authorization\n  value: Bearer $token\n" };

describe("notifications configuration", () => {
    it("ships Argo CD's catalog triggers and templates, and SyncWave's drift and rollback ones", () => {
        const config = parseNotificationsConfig({}, {});
        expect(Object.keys(config.triggers).sort()).toEqual([
            "on-created", "on-deleted", "on-deployed", "on-drift-detected", "on-health-degraded", "on-rolled-back", "on-sync-failed", "on-sync-running", "on-sync-status-unknown", "on-sync-succeeded",
        ]);
        expect(config.triggers["on-sync-succeeded"]).toEqual([
            { description: "Application syncing has succeeded", oncePer: "app.status.operationState?.syncResult?.revision", send: ["app-sync-succeeded"], when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']" },
        ]);
        expect(config.templates["app-deployed"].message).toContain("is now running new version of deployments manifests");
        expect(config.templates["app-deployed"].slack?.attachments).toContain('"title": "Sync Status"');
        expect(config.services).toEqual({});
    });

    it("reads YAML strings (a ConfigMap's data) and YAML values (stack configuration) alike, overriding the catalog by key", () => {
        const config = parseNotificationsConfig(
            {
                "template.app-deployed": { message: "deployed {{.app.metadata.name}}", webhook: { receiver: { method: "POST", path: "/x", body: "{}" } } },
                "trigger.on-deployed": "- when: app.status.sync.status == 'Synced'\n  send: [app-deployed]\n",
                defaultTriggers: "- on-deployed\n",
                "defaultTriggers.receiver": ["on-sync-failed"],
                subscriptions: stringify([{ recipients: ["receiver:ops"], triggers: ["on-sync-failed"], selector: "team=shop" }]),
                context: "argocdUrl: https://cd.example.com\n",
                ...webhook,
            },
            { token: "s3cret-value" },
        );
        expect(config.templates["app-deployed"]).toEqual({ message: "deployed {{.app.metadata.name}}", webhook: { receiver: { method: "POST", path: "/x", body: "{}" } } });
        expect(config.triggers["on-deployed"]).toEqual([{ when: "app.status.sync.status == 'Synced'", send: ["app-deployed"] }]);
        expect(config.defaultTriggers).toEqual(["on-deployed"]);
        expect(config.defaultTriggersByService).toEqual({ receiver: ["on-sync-failed"] });
        expect(config.subscriptions).toEqual([{ recipients: ["receiver:ops"], triggers: ["on-sync-failed"], selector: "team=shop" }]);
        expect(config.context).toEqual({ argocdUrl: "https://cd.example.com" });
        // `$token` inside a longer value is replaced, as Argo CD's replaceStringSecret does.
        expect(config.services.receiver).toEqual({ type: "webhook", url: "https://hooks.example.com", headers: [{ name: "Authorization", value: "Bearer s3cret-value" }], insecureSkipVerify: false });
    });

    it("names the Slack service after its type, or after its own name", () => {
        const config = parseNotificationsConfig({ "service.slack": "token: $slack-token\n", "service.slack.ops": { token: "$slack-token", apiURL: "http://127.0.0.1:9/api" } }, { "slack-token": "xoxb-1" });
        expect(config.services.slack).toMatchObject({ type: "slack", token: "xoxb-1", apiURL: "https://slack.com/api/" });
        expect(config.services.ops).toMatchObject({ type: "slack", apiURL: "http://127.0.0.1:9/api/" });
    });

    it.each([
        [{ "trigger.x": "- when: 'true'\n  send: [app-created]\n  onePer: app.metadata.name\n" }, "trigger.x[0].onePer: unknown field"],
        [{ "trigger.x": "- when: 'true'\n  send: [nope]\n" }, "trigger.x[0].send: names template nope, which is not configured"],
        [{ "trigger.x": "- send: [app-created]\n" }, "trigger.x[0].when: is required"],
        [{ "template.x": "message: hi\nemail:\n  subject: hi\n" }, "template.x.email: SyncWave does not deliver to email"],
        [{ "template.x": "message: hi\ntitle: hi\n" }, "template.x.title: unknown field (expected one of message, webhook, slack)"],
        [{ "template.x": "message: hi\nslack:\n  groupingKey: '{{.app.metadata.name}}'\n" }, "template.x.slack.groupingKey: threads are not supported"],
        [{ "template.x": "message: hi\nslack:\n  deliveryPolicy: Patch\n" }, "template.x.slack.deliveryPolicy: Patch is not supported"],
        [{ "service.email": "host: smtp.example.com\n" }, "service.email: SyncWave does not deliver to email"],
        [{ "service.teams.ops": "recipientUrls: {}\n" }, "service.teams.ops: SyncWave does not deliver to teams"],
        [{ "service.webhook": "url: https://x.example.com\n" }, "service.webhook: a webhook service needs a name"],
        [{ "service.webhook.x": "url: https://x.example.com\nretryMax: 9\n" }, "service.webhook.x.retryMax: not supported"],
        [{ "service.webhook.x": "url: ftp://x.example.com\n" }, "service.webhook.x.url: must be an http(s) URL"],
        [{ "service.webhook.x": "url: https://x.example.com\nheaders:\n- name: A\n  value: $missing\n" }, "service.webhook.x.headers[0].value: refers to secret $missing"],
        [{ "service.slack": "apiURL: https://slack.example.com\n" }, "service.slack.token: is required"],
        [{ defaultTriggers: "- on-nothing\n" }, "defaultTriggers: names trigger on-nothing"],
        [{ subscriptions: "- recipients: [nobody]\n" }, 'subscriptions[0].recipients: "nobody" names service nobody, which is not configured (configured: none)'],
        [{ ...webhook, subscriptions: "- recipients: [receiver:ops, slack:ops]\n" }, 'subscriptions[0].recipients: "slack:ops" names service slack, which is not configured (configured: receiver)'],
        [{ ...webhook, subscriptions: "- recipients: [receiver]\n  trigger: [on-deployed]\n" }, "subscriptions[0].trigger: unknown field (expected one of recipients, triggers, selector)"],
        [{ ...webhook, subscriptions: "- triggers: [on-deployed]\n" }, "subscriptions[0].recipients: is required"],
        [{ ...webhook, subscriptions: "- recipients: []\n" }, "subscriptions[0].recipients: is required"],
        [{ ...webhook, subscriptions: "- recipients: [receiver]\n- recipients: [receiver]\n  triggers: [{name: on-deployed}]\n" }, "subscriptions[1].triggers: must be a list of strings"],
        [{ ...webhook, subscriptions: "- recipients: [receiver]\n  triggers: [on-nothing]\n" }, "subscriptions[0].triggers: names trigger on-nothing, which is not configured"],
        [{ ...webhook, subscriptions: "- recipients: [receiver]\n  selector: tier in (a, b)\n" }, "subscriptions[0].selector: label selector"],
        [{ ...webhook, subscriptions: "recipients: [receiver]\n" }, "subscriptions: must be a list"],
        [{ ...webhook, "defaultTriggers.slack": "[on-deployed]" }, "defaultTriggers.slack: names service slack, which is not configured (configured: receiver)"],
        [{ "triggers.x": "[]" }, "triggers.x: unknown key"],
        [{ "template.x": "message: [unclosed\n" }, "template.x: is not valid YAML"],
    ])("refuses %j, naming the key", (data, message) => {
        expect(() => parseNotificationsConfig(data as Record<string, unknown>, { token: "t" })).toThrow(`notifications configuration ${message}`);
    });
});
