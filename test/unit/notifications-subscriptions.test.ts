// Who a trigger notifies: Argo CD's subscription annotations (each form), the Project's, the global
// subscriptions selected by labels, and the default triggers.
import { describe, expect, it } from "vitest";
import { parseNotificationsConfig } from "../../cli/notifications/config";
import { annotationSubscriptions, destinationsByTrigger, globalSubscriptions, selectorMatches } from "../../cli/notifications/subscriptions";

const config = parseNotificationsConfig(
    {
        "service.webhook.hook": { url: "https://hooks.example.com" },
        "service.slack": { token: "xoxb" },
        defaultTriggers: ["on-sync-failed", "on-health-degraded"],
        "defaultTriggers.hook": ["on-deployed"],
        subscriptions: [{ recipients: ["slack:ops"], triggers: ["on-sync-failed"], selector: "team=shop,!canary" }],
    },
    {},
);

describe("notification subscriptions", () => {
    it("reads subscribe.<trigger>.<service>, subscribe.<service> and the subscriptions YAML", () => {
        const entries = annotationSubscriptions(
            {
                "notifications.argoproj.io/subscribe.on-deployed.slack": " #a ; #b ;",
                "notifications.argoproj.io/subscribe.hook": "",
                "notifications.argoproj.io/subscriptions": "- trigger: [on-sync-running]\n  destinations:\n  - service: slack\n    recipients: ['#c']\n",
                "other.example.com/x": "ignored",
            },
            "Application web",
        );
        expect(entries.map(({ source: _, ...e }) => e)).toEqual([
            { trigger: "on-deployed", service: "slack", recipients: ["#a", "#b"] },
            { trigger: "", service: "hook", recipients: [""] },
            { trigger: "on-sync-running", service: "slack", recipients: ["#c"] },
        ]);
        const destinations = destinationsByTrigger(entries, config);
        // A subscription without a trigger takes its service's default triggers.
        expect(Object.fromEntries(destinations)).toEqual({
            "on-deployed": [{ service: "slack", recipient: "#a" }, { service: "slack", recipient: "#b" }, { service: "hook", recipient: "" }],
            "on-sync-running": [{ service: "slack", recipient: "#c" }],
        });
    });

    it("selects global subscriptions by the Application's labels", () => {
        expect(globalSubscriptions(config.subscriptions, { team: "shop" }).map((e) => [e.trigger, e.service, e.recipients])).toEqual([["on-sync-failed", "slack", ["ops"]]]);
        expect(globalSubscriptions(config.subscriptions, { team: "shop", canary: "yes" })).toEqual([]);
        expect(globalSubscriptions(config.subscriptions, { team: "blog" })).toEqual([]);
        expect(selectorMatches("tier!=db, app==web", { app: "web", tier: "api" })).toBe(true);
        expect(() => selectorMatches("tier in (a, b)", {})).toThrow("set-based terms");
    });

    it("refuses an unknown notifications annotation, an unconfigured service or trigger", () => {
        expect(() => annotationSubscriptions({ "notifications.argoproj.io/subscrib.on-deployed.slack": "#a" }, "Application web")).toThrow(
            "Application web annotation notifications.argoproj.io/subscrib.on-deployed.slack: unknown notifications annotation",
        );
        expect(() => destinationsByTrigger(annotationSubscriptions({ "notifications.argoproj.io/subscribe.on-deployed.email": "a@b" }, "Application web"), config)).toThrow("service email is not configured");
        expect(() => destinationsByTrigger(annotationSubscriptions({ "notifications.argoproj.io/subscribe.on-nothing.slack": "#a" }, "AppProject team"), config)).toThrow(
            "AppProject team annotation notifications.argoproj.io/subscribe.on-nothing.slack: trigger on-nothing is not configured",
        );
    });
});
