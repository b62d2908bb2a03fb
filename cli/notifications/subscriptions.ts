// Who is told about which trigger: Argo CD's subscription annotations on the Application and on its
// AppProject, and the configuration's global `subscriptions` (matched on the Application's labels).
// Pure. Reference: notifications-engine pkg/subscriptions/annotations.go (iterate) and global.go.
import { parse } from "yaml";
import type { GlobalSubscription, NotificationsConfig } from "./config-types";

export const ANNOTATION_PREFIX = "notifications.argoproj.io/";

export interface Destination {
    service: string;
    recipient: string;
}

/** A subscription as written: its trigger ("" for the default triggers), service and recipients. */
export interface SubscriptionEntry {
    trigger: string;
    service: string;
    recipients: string[];
    /** The annotation (or "subscriptions[i]") it came from, for messages. */
    source: string;
}

export class SubscriptionError extends Error {}

/** Argo CD's recipients: `;` separated, trimmed, empty ones dropped (an empty value is one empty recipient). */
function recipientsOf(value: string): string[] {
    if (value === "") return [""];
    return value
        .split(";")
        .map((r) => r.trim())
        .filter((r) => r !== "");
}

/**
 * The subscriptions an object's annotations hold: `subscribe.<trigger>.<service>`, `subscribe.<service>`
 * (the default triggers) and `subscriptions` (YAML: [{trigger: [...], destinations: [{service, recipients}]}]).
 * Other notifications.argoproj.io annotations are refused, as a misspelt subscription would never send.
 */
export function annotationSubscriptions(annotations: Record<string, string>, owner: string): SubscriptionEntry[] {
    const entries: SubscriptionEntry[] = [];
    for (const [key, value] of Object.entries(annotations)) {
        if (!key.startsWith(ANNOTATION_PREFIX)) continue;
        const rest = key.slice(ANNOTATION_PREFIX.length);
        const source = `${owner} annotation ${key}`;
        if (rest.startsWith("subscribe.")) {
            const parts = rest.slice("subscribe.".length).split(".");
            if (parts.some((p) => p === "") || parts.length > 2) throw new SubscriptionError(`${source}: expected subscribe.<trigger>.<service> or subscribe.<service>`);
            const [trigger, service] = parts.length === 2 ? parts : ["", parts[0]];
            entries.push({ trigger, service, recipients: recipientsOf(value), source });
        } else if (rest === "subscriptions") {
            entries.push(...yamlSubscriptions(value, source));
        } else if (!rest.startsWith("notified")) {
            throw new SubscriptionError(`${source}: unknown notifications annotation (expected subscribe.<trigger>.<service>, subscribe.<service> or subscriptions)`);
        }
    }
    return entries;
}

function yamlSubscriptions(text: string, source: string): SubscriptionEntry[] {
    let parsed: unknown;
    try {
        parsed = parse(text);
    } catch (err) {
        throw new SubscriptionError(`${source}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (!Array.isArray(parsed)) throw new SubscriptionError(`${source}: must be a list of {trigger: [...], destinations: [{service, recipients}]}`);
    const entries: SubscriptionEntry[] = [];
    for (const raw of parsed as { trigger?: unknown; destinations?: unknown }[]) {
        const triggers = Array.isArray(raw?.trigger) ? (raw.trigger as string[]) : [];
        const destinations = Array.isArray(raw?.destinations) ? (raw.destinations as { service?: string; recipients?: string[] }[]) : [];
        if (destinations.length === 0) throw new SubscriptionError(`${source}: a subscription without destinations sends nothing`);
        for (const d of destinations) {
            if (typeof d?.service !== "string" || !d.service) throw new SubscriptionError(`${source}: a destination names no service`);
            for (const trigger of triggers.length ? triggers : [""]) entries.push({ trigger, service: d.service, recipients: d.recipients ?? [], source });
        }
    }
    return entries;
}

/** The global subscriptions as entries, those whose selector matches the Application's labels. */
export function globalSubscriptions(subscriptions: readonly GlobalSubscription[], labels: Record<string, string>): SubscriptionEntry[] {
    const entries: SubscriptionEntry[] = [];
    subscriptions.forEach((s, i) => {
        if (s.selector && !selectorMatches(s.selector, labels)) return;
        for (const r of s.recipients) {
            const colon = r.indexOf(":");
            const [service, recipient] = [r.slice(0, colon), r.slice(colon + 1)];
            for (const trigger of s.triggers.length ? s.triggers : [""]) entries.push({ trigger, service, recipients: [recipient], source: `subscriptions[${i}]` });
        }
    });
    return entries;
}

/** Kubernetes equality-based label selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma separated (all must hold). */
export function selectorMatches(selector: string, labels: Record<string, string>): boolean {
    return selector
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
        .every((term) => {
            const notEqual = term.match(/^([^!=\s]+)\s*!=\s*(.*)$/);
            if (notEqual) return labels[notEqual[1]] !== notEqual[2].trim();
            const equal = term.match(/^([^!=\s]+)\s*==?\s*(.*)$/);
            if (equal) return labels[equal[1]] === equal[2].trim();
            if (term.startsWith("!")) return labels[term.slice(1)] === undefined;
            if (/\s(in|notin)\s/.test(term)) throw new SubscriptionError(`label selector "${selector}": set-based terms (in, notin) are not supported`);
            return labels[term] !== undefined;
        });
}

/**
 * Destinations by trigger for one Application: its own and its Project's annotations, then the global
 * subscriptions. A subscription without a trigger takes the service's default triggers. Each
 * trigger, service and recipient is listed once. A trigger or service that is not configured is refused.
 */
export function destinationsByTrigger(entries: readonly SubscriptionEntry[], config: NotificationsConfig): Map<string, Destination[]> {
    const result = new Map<string, Destination[]>();
    for (const entry of entries) {
        if (!config.services[entry.service]) throw new SubscriptionError(`${entry.source}: service ${entry.service} is not configured (configured: ${Object.keys(config.services).join(", ") || "none"})`);
        const triggers = entry.trigger ? [entry.trigger] : (config.defaultTriggersByService[entry.service] ?? config.defaultTriggers);
        for (const trigger of triggers) {
            if (!config.triggers[trigger]) throw new SubscriptionError(`${entry.source}: trigger ${trigger} is not configured`);
            const list = result.get(trigger) ?? [];
            for (const recipient of entry.recipients) {
                if (!list.some((d) => d.service === entry.service && d.recipient === recipient)) list.push({ service: entry.service, recipient });
            }
            result.set(trigger, list);
        }
    }
    return result;
}
