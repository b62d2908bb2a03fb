// Who a trigger notifies: Argo CD's subscription annotations (each form), the Project's, the global
// subscriptions selected by labels, and the default triggers.
import { describe, expect, it } from "vitest";
import { parseNotificationsConfig } from "../../cli/notifications/config";
import { annotationSubscriptions, destinationsByTrigger, globalSubscriptions, selectorMatches, type SubscriptionEntry } from "../../cli/notifications/subscriptions";

const config = parseNotificationsConfig(
    {
        "service.webhook.hook": { url: "https://hooks.example.com" },
        "service.slack": { token: "xoxb" },
        defaultTriggers: ["on-sync-failed", "on-health-degraded"],
        "defaultTriggers.hook": ["on-deployed"],
        subscriptions: [{ recipients: ["slack:ops"], triggers: ["on-sync-failed"], selector: "team=shop,!canary" }, { recipients: ["hook"], triggers: ["on-deployed"], selector: "team=blog" }],
    },
    {},
);

/** A function's result and the problems it skipped. */
function skipping<T>(run: (skip: (problem: string) => void) => T): { result: T; skipped: string[] } {
    const skipped: string[] = [];
    return { result: run((p) => skipped.push(p)), skipped };
}

const annotated = (annotations: Record<string, string>, owner = "Application web") => skipping((skip) => annotationSubscriptions(annotations, owner, skip));

describe("notification subscriptions", () => {
    it("reads subscribe.<trigger>.<service>, subscribe.<service> and the subscriptions YAML", () => {
        const { result: entries, skipped } = annotated(
            {
                "notifications.argoproj.io/subscribe.on-deployed.slack": " #a ; #b ;",
                "notifications.argoproj.io/subscribe.hook": "",
                "notifications.argoproj.io/subscriptions": "- trigger: [on-sync-running]\n  destinations:\n  - service: slack\n    recipients: ['#c']\n",
                "other.example.com/x": "ignored",
            },
        );
        expect(skipped).toEqual([]);
        expect(entries.map(({ source: _, ...e }) => e)).toEqual([
            { trigger: "on-deployed", service: "slack", recipients: ["#a", "#b"] },
            { trigger: "", service: "hook", recipients: [""] },
            { trigger: "on-sync-running", service: "slack", recipients: ["#c"] },
        ]);
        const destinations = destinationsByTrigger(entries, config, (p) => expect.fail(p));
        // A subscription without a trigger takes its service's default triggers.
        expect(Object.fromEntries(destinations)).toEqual({
            "on-deployed": [{ service: "slack", recipient: "#a" }, { service: "slack", recipient: "#b" }, { service: "hook", recipient: "" }],
            "on-sync-running": [{ service: "slack", recipient: "#c" }],
        });
    });

    it("selects global subscriptions by the Application's labels", () => {
        expect(globalSubscriptions(config.subscriptions, { team: "shop" }).map((e) => [e.trigger, e.service, e.recipients])).toEqual([["on-sync-failed", "slack", ["ops"]]]);
        expect(globalSubscriptions(config.subscriptions, { team: "shop", canary: "yes" })).toEqual([]);
        // A recipient without a colon is a service alone (notifications-engine's GetGlobalDestinations).
        expect(globalSubscriptions(config.subscriptions, { team: "blog" }).map((e) => [e.trigger, e.service, e.recipients])).toEqual([["on-deployed", "hook", [""]]]);
        expect(selectorMatches("tier!=db, app==web", { app: "web", tier: "api" })).toBe(true);
        expect(() => selectorMatches("tier in (a, b)", {})).toThrow("set-based terms");
    });

    it("skips an unknown notifications annotation, an unconfigured service or trigger, and keeps the others", () => {
        const { result, skipped } = annotated({
            "notifications.argoproj.io/subscrib.on-deployed.slack": "#a",
            "notifications.argoproj.io/subscribe.on-deployed.slack": "#b",
        });
        expect(skipped).toEqual(["Application web annotation notifications.argoproj.io/subscrib.on-deployed.slack: unknown notifications annotation (expected subscribe.<trigger>.<service>, subscribe.<service> or subscriptions)"]);
        const entries: SubscriptionEntry[] = [
            ...result,
            ...annotated({ "notifications.argoproj.io/subscribe.on-deployed.email": "a@b" }).result,
            ...annotated({ "notifications.argoproj.io/subscribe.on-nothing.slack": "#c" }, "AppProject team").result,
        ];
        const { result: destinations, skipped: bad } = skipping((skip) => destinationsByTrigger(entries, config, skip));
        expect(bad).toEqual([
            "Application web annotation notifications.argoproj.io/subscribe.on-deployed.email: service email is not configured (configured: hook, slack)",
            "AppProject team annotation notifications.argoproj.io/subscribe.on-nothing.slack: trigger on-nothing is not configured",
        ]);
        expect(Object.fromEntries(destinations)).toEqual({ "on-deployed": [{ service: "slack", recipient: "#b" }] });
    });

    it.each([
        ["- triggers: [on-deployed]\n  destinations: [{service: slack, recipients: ['#a']}]\n", "[0].triggers: unknown field (expected one of trigger, destinations)"],
        ["- trigger: [on-deployed]\n  destinations: [{service: slack, recipient: ['#a']}]\n", "[0].destinations[0].recipient: unknown field (expected one of service, recipients)"],
        ["- trigger: [on-deployed]\n  destinations: [{service: slack, recipients: ['#a']}]\n- trigger: [on-deployed]\n  destinations: [{service: slack}]\n", "[1].destinations[0].recipients: must be a list of strings"],
        ["- trigger: [on-deployed]\n  destinations: [{service: slack, recipients: []}]\n", "[0].destinations[0].recipients: is required"],
        ["- trigger: [{name: on-deployed}]\n  destinations: [{service: slack, recipients: ['#a']}]\n", "[0].trigger: must be a list of strings"],
        ["- trigger: on-deployed\n  destinations: [{service: slack, recipients: ['#a']}]\n", "[0].trigger: must be a list of strings"],
        ["- trigger: [on-deployed]\n  destinations: [{service: slack, recipients: [1]}]\n", "[0].destinations[0].recipients: must be a list of strings"],
        ["- trigger: [on-deployed]\n", "[0].destinations: a subscription without destinations sends nothing"],
        ["- on-deployed\n", "[0]: must be a map of trigger, destinations"],
    ])("skips the subscriptions annotation %j, naming the entry", (yaml, problem) => {
        const { result, skipped } = annotated({ "notifications.argoproj.io/subscriptions": yaml, "notifications.argoproj.io/subscribe.on-deployed.hook": "" });
        expect(skipped).toEqual([expect.stringContaining(`Application web annotation notifications.argoproj.io/subscriptions${problem}`)]);
        // The object's other annotations still subscribe.
        expect(result.map((e) => e.service)).toEqual(["hook"]);
    });
});
