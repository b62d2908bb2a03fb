// The references between the parts of a notifications configuration (triggers to templates, defaults
// and subscriptions to triggers and services), checked once it is all read.
import { NotificationConfigError } from "./config-error";
import type { NotificationsConfig } from "./config-types";
import { recipientOf } from "./subscriptions";

/**
 * A trigger sending a template that does not exist, a default or subscription naming no trigger, or a
 * service's default triggers or a global recipient naming no service, fails when the configuration is
 * read, not at the first send.
 */
export function checkReferences(config: NotificationsConfig): void {
    for (const [name, conditions] of Object.entries(config.triggers)) {
        conditions.forEach((c, i) => {
            for (const t of c.send) if (!config.templates[t]) throw new NotificationConfigError(`trigger.${name}[${i}].send`, `names template ${t}, which is not configured`);
        });
    }
    const triggerLists: [string, string[]][] = [
        ["defaultTriggers", config.defaultTriggers],
        ...Object.entries(config.defaultTriggersByService).map(([s, t]): [string, string[]] => [`defaultTriggers.${s}`, t]),
        ...config.subscriptions.map((s, i): [string, string[]] => [`subscriptions[${i}].triggers`, s.triggers]),
    ];
    for (const [key, triggers] of triggerLists) {
        for (const t of triggers) if (!config.triggers[t]) throw new NotificationConfigError(key, `names trigger ${t}, which is not configured`);
    }
    // A service's default triggers, or a global recipient, for a service that is not configured would
    // never be used, or fail every dispatch of every Application the subscription selects.
    const configured = `configured: ${Object.keys(config.services).join(", ") || "none"}`;
    for (const service of Object.keys(config.defaultTriggersByService)) {
        if (!config.services[service]) throw new NotificationConfigError(`defaultTriggers.${service}`, `names service ${service}, which is not configured (${configured})`);
    }
    config.subscriptions.forEach((s, i) => {
        for (const r of s.recipients) {
            const { service } = recipientOf(r);
            if (!config.services[service]) throw new NotificationConfigError(`subscriptions[${i}].recipients`, `"${r}" names service ${service}, which is not configured (${configured})`);
        }
    });
}
