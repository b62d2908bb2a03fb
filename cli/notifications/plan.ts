// From trigger outcomes to the notifications to send, by Argo CD's de-duplication rule (dedup.ts),
// and the template fields each one renders. Pure.
import type { NotificationTemplate, NotificationsConfig } from "./config-types";
import { setAlreadyNotified, stateKey, type ConditionOutcome, type NotifiedState } from "./dedup";
import type { RenderedNotification } from "./deliver/rendered";
import type { Destination } from "./subscriptions";

export interface PlannedSend {
    trigger: string;
    templates: string[];
    destination: Destination;
    /** The state key marked as sent, unmarked again if the delivery fails (as Argo CD does). */
    key: string;
    outcome: ConditionOutcome;
}

/** Applies one condition's outcome to every destination: the sends it makes (marking them notified). */
export function planSends(state: NotifiedState, trigger: string, outcome: ConditionOutcome, templates: string[], destinations: readonly Destination[], now: number): PlannedSend[] {
    const sends: PlannedSend[] = [];
    for (const destination of destinations) {
        const key = stateKey(trigger, outcome, destination.service, destination.recipient);
        if (!outcome.triggered) {
            setAlreadyNotified(state, key, outcome, false, now);
            continue;
        }
        if (setAlreadyNotified(state, key, outcome, true, now)) sends.push({ trigger, templates, destination, key, outcome });
    }
    return sends;
}

/**
 * The Go-template fields of the templates a send names, flattened (`message`, `webhook.<svc>.body`,
 * ...) and merged in order: a later template's field replaces an earlier one's, as Argo CD's
 * FormatNotification applies each templater to the same notification in turn.
 */
export function templateFields(config: NotificationsConfig, names: readonly string[]): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const name of names) {
        const t: NotificationTemplate | undefined = config.templates[name];
        if (!t) throw new Error(`template ${name} is not configured`);
        if (t.message !== undefined) fields.message = t.message;
        for (const [service, hook] of Object.entries(t.webhook ?? {})) {
            for (const part of ["method", "path", "body"] as const) if (hook[part] !== undefined) fields[`webhook.${service}.${part}`] = hook[part]!;
        }
        for (const part of ["attachments", "blocks", "username", "icon"] as const) if (t.slack?.[part] !== undefined) fields[`slack.${part}`] = t.slack[part]!;
    }
    return fields;
}

/** Rendered fields back into a notification. */
export function notificationOf(fields: Record<string, string>): RenderedNotification {
    const notification: RenderedNotification = { message: fields.message ?? "", webhook: {} };
    for (const [name, value] of Object.entries(fields)) {
        const hook = name.match(/^webhook\.(.+)\.(method|path|body)$/);
        if (hook) (notification.webhook[hook[1]] ??= {})[hook[2] as "method" | "path" | "body"] = value;
        const slack = name.match(/^slack\.(attachments|blocks|username|icon)$/);
        if (slack) (notification.slack ??= {})[slack[1] as "attachments" | "blocks" | "username" | "icon"] = value;
    }
    return notification;
}
