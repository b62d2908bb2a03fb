// Who is told about which trigger: Argo CD's subscription annotations on the Application and on its
// AppProject, and the configuration's global `subscriptions` (matched on the Application's labels).
// Pure. Reference: notifications-engine pkg/subscriptions/annotations.go (iterate) and global.go.
import { parse } from "yaml";
import { NOTIFICATIONS_ANNOTATION_PREFIX } from "../../components/notification-facts";
import type { GlobalSubscription, NotificationsConfig } from "./config-types";

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
 * A refused annotation goes to `skip` and the others still count: one bad annotation silences only itself.
 */
export function annotationSubscriptions(annotations: Record<string, string>, owner: string, skip: (problem: string) => void): SubscriptionEntry[] {
    const entries: SubscriptionEntry[] = [];
    for (const [key, value] of Object.entries(annotations)) {
        if (!key.startsWith(NOTIFICATIONS_ANNOTATION_PREFIX)) continue;
        try {
            entries.push(...annotationEntries(key, value, `${owner} annotation ${key}`));
        } catch (err) {
            if (!(err instanceof SubscriptionError)) throw err;
            skip(err.message);
        }
    }
    return entries;
}

function annotationEntries(key: string, value: string, source: string): SubscriptionEntry[] {
    const rest = key.slice(NOTIFICATIONS_ANNOTATION_PREFIX.length);
    if (rest.startsWith("subscribe.")) {
        const parts = rest.slice("subscribe.".length).split(".");
        if (parts.some((p) => p === "") || parts.length > 2) throw new SubscriptionError(`${source}: expected subscribe.<trigger>.<service> or subscribe.<service>`);
        const [trigger, service] = parts.length === 2 ? parts : ["", parts[0]];
        return [{ trigger, service, recipients: recipientsOf(value), source }];
    }
    if (rest === "subscriptions") return yamlSubscriptions(value, source);
    if (rest.startsWith("notified")) return [];
    throw new SubscriptionError(`${source}: unknown notifications annotation (expected subscribe.<trigger>.<service>, subscribe.<service> or subscriptions)`);
}

/**
 * notifications-engine reads `trigger` and `destinations` (each `service`, `recipients`) and ignores
 * anything else: a misspelt `triggers:` would fall back to the default triggers, a destination
 * without recipients would tell no one. Both are refused here, naming the entry.
 */
function yamlSubscriptions(text: string, source: string): SubscriptionEntry[] {
    let parsed: unknown;
    try {
        parsed = parse(text);
    } catch (err) {
        throw new SubscriptionError(`${source}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (!Array.isArray(parsed)) throw new SubscriptionError(`${source}: must be a list of {trigger: [...], destinations: [{service, recipients}]}`);
    const entries: SubscriptionEntry[] = [];
    parsed.forEach((raw: unknown, i) => {
        const where = `${source}[${i}]`;
        const entry = fieldsOf(where, raw, ["trigger", "destinations"]);
        const triggers = stringsOf(`${where}.trigger`, entry.trigger ?? []);
        if (!Array.isArray(entry.destinations) || entry.destinations.length === 0) throw new SubscriptionError(`${where}.destinations: a subscription without destinations sends nothing`);
        entry.destinations.forEach((rawDestination: unknown, j) => {
            const at = `${where}.destinations[${j}]`;
            const d = fieldsOf(at, rawDestination, ["service", "recipients"]);
            if (typeof d.service !== "string" || !d.service) throw new SubscriptionError(`${at}.service: names no service`);
            const recipients = stringsOf(`${at}.recipients`, d.recipients);
            if (recipients.length === 0) throw new SubscriptionError(`${at}.recipients: is required (a destination without recipients tells no one; a webhook takes [""])`);
            for (const trigger of triggers.length ? triggers : [""]) entries.push({ trigger, service: d.service, recipients, source });
        });
    });
    return entries;
}

function fieldsOf(where: string, raw: unknown, known: readonly string[]): Record<string, unknown> {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new SubscriptionError(`${where}: must be a map of ${known.join(", ")}`);
    const unknown = Object.keys(raw).find((f) => !known.includes(f));
    if (unknown) throw new SubscriptionError(`${where}.${unknown}: unknown field (expected one of ${known.join(", ")})`);
    return raw as Record<string, unknown>;
}

function stringsOf(where: string, value: unknown): string[] {
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new SubscriptionError(`${where}: must be a list of strings`);
    return value as string[];
}

/**
 * A global recipient, `<service>:<recipient>` or `<service>` alone (no recipient, as a webhook needs),
 * as notifications-engine's GetGlobalDestinations splits it. Unlike it, the recipient keeps any further
 * colons rather than dropping what follows the second.
 */
export function recipientOf(value: string): Destination {
    const colon = value.indexOf(":");
    return colon < 0 ? { service: value, recipient: "" } : { service: value.slice(0, colon), recipient: value.slice(colon + 1) };
}

/** The global subscriptions as entries, those whose selector matches the Application's labels. */
export function globalSubscriptions(subscriptions: readonly GlobalSubscription[], labels: Record<string, string>): SubscriptionEntry[] {
    const entries: SubscriptionEntry[] = [];
    subscriptions.forEach((s, i) => {
        if (s.selector && !selectorMatches(s.selector, labels)) return;
        for (const r of s.recipients) {
            const { service, recipient } = recipientOf(r);
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
 * trigger, service and recipient is listed once. A subscription naming a service or trigger that is
 * not configured goes to `skip`, and the Application's other destinations are still told.
 */
export function destinationsByTrigger(entries: readonly SubscriptionEntry[], config: NotificationsConfig, skip: (problem: string) => void): Map<string, Destination[]> {
    const result = new Map<string, Destination[]>();
    for (const entry of entries) {
        if (!config.services[entry.service]) {
            skip(`${entry.source}: service ${entry.service} is not configured (configured: ${Object.keys(config.services).join(", ") || "none"})`);
            continue;
        }
        const triggers = entry.trigger ? [entry.trigger] : (config.defaultTriggersByService[entry.service] ?? config.defaultTriggers);
        for (const trigger of triggers) {
            if (!config.triggers[trigger]) {
                skip(`${entry.source}: trigger ${trigger} is not configured`);
                continue;
            }
            const list = result.get(trigger) ?? [];
            for (const recipient of entry.recipients) {
                if (!list.some((d) => d.service === entry.service && d.recipient === recipient)) list.push({ service: entry.service, recipient });
            }
            result.set(trigger, list);
        }
    }
    return result;
}
