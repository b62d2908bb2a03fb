// Parses Argo CD Notifications' configuration (argocd-notifications-cm's data) over SyncWave's defaults
// (catalog.ts). Pure: the caller reads the stack configuration and the secrets. Every key and field is
// checked: one SyncWave does not know, or a service it does not deliver to, is refused naming the key,
// rather than ignored (a notification that silently never goes out is found too late).
import { parse } from "yaml";
import { CATALOG } from "./catalog";
import type { GlobalSubscription, NotificationService, NotificationTemplate, NotificationsConfig, SlackService, TriggerCondition, WebhookService } from "./config-types";
import { NotificationConfigError } from "./config-error";
import { checkReferences } from "./config-references";
import { resolveSecretRefs } from "./secrets";
import { selectorMatches } from "./subscriptions";

export { NotificationConfigError };

/** The services Argo CD Notifications has that SyncWave does not deliver to (refused by name). */
const REFUSED_SERVICES = [
    "email", "teams", "teams-workflows", "mattermost", "rocketchat", "opsgenie", "github", "alertmanager",
    "googlechat", "pagerduty", "pagerdutyv2", "newrelic", "grafana", "telegram", "webex", "pushover", "awssqs",
    "gcppubsub", "nats",
];

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

/**
 * `data`: the ConfigMap's data (each value a YAML string, or in stack configuration the same value
 * already as YAML); `secrets`: argocd-notifications-secret's data, for `$name` references in services.
 */
export function parseNotificationsConfig(data: Record<string, unknown>, secrets: Record<string, string>): NotificationsConfig {
    const config: NotificationsConfig = { triggers: {}, templates: {}, services: {}, subscriptions: [], defaultTriggers: [], defaultTriggersByService: {}, context: {} };
    const merged: Record<string, unknown> = { ...CATALOG, ...data };
    for (const [key, raw] of Object.entries(merged)) {
        const value = typeof raw === "string" ? parseYaml(key, raw) : raw;
        if (key.startsWith("trigger.")) config.triggers[nameAfter(key, "trigger.")] = parseTrigger(key, value);
        else if (key.startsWith("template.")) config.templates[nameAfter(key, "template.")] = parseTemplate(key, value);
        else if (key.startsWith("service.")) {
            const [name, service] = parseService(key, value, secrets);
            config.services[name] = service;
        } else if (key === "subscriptions") config.subscriptions = parseSubscriptions(key, value);
        else if (key === "defaultTriggers") config.defaultTriggers = stringList(key, value);
        else if (key.startsWith("defaultTriggers.")) config.defaultTriggersByService[nameAfter(key, "defaultTriggers.")] = stringList(key, value);
        else if (key === "context") config.context = stringMap(key, value);
        else throw new NotificationConfigError(key, "unknown key (expected trigger.<name>, template.<name>, service.<type>[.<name>], subscriptions, defaultTriggers[.<service>] or context)");
    }
    checkReferences(config);
    return config;
}

function parseYaml(key: string, text: string): unknown {
    try {
        return parse(text);
    } catch (err) {
        throw new NotificationConfigError(key, `is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
}

function nameAfter(key: string, prefix: string): string {
    const name = key.slice(prefix.length);
    if (!name) throw new NotificationConfigError(key, "names nothing after the prefix");
    return name;
}

/** The value as a map, refused naming the key otherwise (`problem` says what the map should hold). */
export function record(key: string, value: unknown, problem = "must be a map"): Record<string, unknown> {
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new NotificationConfigError(key, problem);
    return value as Record<string, unknown>;
}

function onlyFields(key: string, value: Record<string, unknown>, known: readonly string[], refused: Record<string, string> = {}): void {
    for (const field of Object.keys(value)) {
        if (refused[field]) throw new NotificationConfigError(`${key}.${field}`, refused[field]);
        if (!known.includes(field)) throw new NotificationConfigError(`${key}.${field}`, `unknown field (expected one of ${known.join(", ")})`);
    }
}

function optionalString(key: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new NotificationConfigError(key, "must be a string");
    return value;
}

function stringList(key: string, value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new NotificationConfigError(key, "must be a list of strings");
    return value as string[];
}

function stringMap(key: string, value: unknown): Record<string, string> {
    const map = record(key, value ?? {});
    for (const [k, v] of Object.entries(map)) if (typeof v !== "string") throw new NotificationConfigError(`${key}.${k}`, "must be a string");
    return map as Record<string, string>;
}

function parseTrigger(key: string, value: unknown): TriggerCondition[] {
    if (!Array.isArray(value) || value.length === 0) throw new NotificationConfigError(key, "must be a list of conditions (when, send, oncePer, description)");
    return value.map((raw, i) => {
        const where = `${key}[${i}]`;
        const condition = record(where, raw);
        onlyFields(where, condition, ["when", "send", "oncePer", "description"]);
        const when = optionalString(`${where}.when`, condition.when);
        if (!when) throw new NotificationConfigError(`${where}.when`, "is required (an expr-lang expression)");
        const send = stringList(`${where}.send`, condition.send);
        if (send.length === 0) throw new NotificationConfigError(`${where}.send`, "must name at least one template");
        const oncePer = optionalString(`${where}.oncePer`, condition.oncePer);
        const description = optionalString(`${where}.description`, condition.description);
        return { when, send, ...(oncePer ? { oncePer } : {}), ...(description ? { description } : {}) };
    });
}

function parseTemplate(key: string, value: unknown): NotificationTemplate {
    const template = record(key, value);
    const refused = Object.fromEntries(REFUSED_SERVICES.map((s) => [s, `SyncWave does not deliver to ${s}: only webhook and slack templates are supported`]));
    onlyFields(key, template, ["message", "webhook", "slack"], refused);
    const result: NotificationTemplate = {};
    const message = optionalString(`${key}.message`, template.message);
    if (message !== undefined) result.message = message;
    if (template.webhook !== undefined) {
        result.webhook = {};
        for (const [service, raw] of Object.entries(record(`${key}.webhook`, template.webhook))) {
            const where = `${key}.webhook.${service}`;
            const hook = record(where, raw);
            onlyFields(where, hook, ["method", "path", "body"]);
            result.webhook[service] = {
                method: optionalString(`${where}.method`, hook.method),
                path: optionalString(`${where}.path`, hook.path),
                body: optionalString(`${where}.body`, hook.body),
            };
        }
    }
    if (template.slack !== undefined) {
        const where = `${key}.slack`;
        const slack = record(where, template.slack);
        // Posting only: Patch and PostAndPatch update an earlier message, whose timestamp Argo CD keeps in the Application.
        const policy = optionalString(`${where}.deliveryPolicy`, slack.deliveryPolicy);
        if (policy !== undefined && policy !== "Post") throw new NotificationConfigError(`${where}.deliveryPolicy`, `${policy} is not supported (only Post: SyncWave does not keep Slack message timestamps to update)`);
        onlyFields(where, slack, ["attachments", "blocks", "groupingKey", "notifyBroadcast", "username", "icon", "deliveryPolicy"]);
        // Threads: Argo CD keeps each groupingKey's first message timestamp in the Application to reply to it.
        if (typeof slack.groupingKey === "string" && slack.groupingKey !== "") throw new NotificationConfigError(`${where}.groupingKey`, "threads are not supported (SyncWave does not keep Slack message timestamps): leave it empty");
        if (slack.notifyBroadcast !== undefined && slack.notifyBroadcast !== false) throw new NotificationConfigError(`${where}.notifyBroadcast`, "only false is supported (it broadcasts a thread reply, and threads are not supported)");
        result.slack = {
            attachments: optionalString(`${where}.attachments`, slack.attachments),
            blocks: optionalString(`${where}.blocks`, slack.blocks),
            username: optionalString(`${where}.username`, slack.username),
            icon: optionalString(`${where}.icon`, slack.icon),
        };
    }
    return result;
}

/** `service.<type>` (named <type>) or `service.<type>.<name>` (named <name>), as Argo CD names them. */
function parseService(key: string, value: unknown, secrets: Record<string, string>): [string, NotificationService] {
    const [type, ...rest] = nameAfter(key, "service.").split(".");
    const name = rest.length ? rest.join(".") : type;
    if (REFUSED_SERVICES.includes(type)) throw new NotificationConfigError(key, `SyncWave does not deliver to ${type} (supported: webhook, slack)`);
    const options = resolveSecretRefs(key, record(key, value), secrets);
    if (type === "webhook") {
        if (!rest.length) throw new NotificationConfigError(key, "a webhook service needs a name: service.webhook.<name>");
        return [name, parseWebhookService(key, options)];
    }
    if (type === "slack") return [name, parseSlackService(key, options)];
    throw new NotificationConfigError(key, `unknown service type ${type} (supported: webhook, slack)`);
}

function parseWebhookService(key: string, options: Record<string, unknown>): WebhookService {
    onlyFields(key, options, ["url", "headers", "basicAuth", "insecureSkipVerify"], {
        retryWaitMin: "not supported: SyncWave retries 3 times, 1 to 5 s apart",
        retryWaitMax: "not supported: SyncWave retries 3 times, 1 to 5 s apart",
        retryMax: "not supported: SyncWave retries 3 times, 1 to 5 s apart",
    });
    const url = optionalString(`${key}.url`, options.url);
    if (!url || !/^https?:\/\//.test(url)) throw new NotificationConfigError(`${key}.url`, "must be an http(s) URL");
    const headers = (options.headers ?? []) as unknown;
    if (!Array.isArray(headers)) throw new NotificationConfigError(`${key}.headers`, "must be a list of {name, value}");
    const parsedHeaders = headers.map((raw, i) => {
        const h = record(`${key}.headers[${i}]`, raw);
        onlyFields(`${key}.headers[${i}]`, h, ["name", "value"]);
        const name = optionalString(`${key}.headers[${i}].name`, h.name);
        if (!name) throw new NotificationConfigError(`${key}.headers[${i}].name`, "is required");
        return { name, value: optionalString(`${key}.headers[${i}].value`, h.value) ?? "" };
    });
    let basicAuth: WebhookService["basicAuth"];
    if (options.basicAuth !== undefined) {
        const auth = record(`${key}.basicAuth`, options.basicAuth);
        onlyFields(`${key}.basicAuth`, auth, ["username", "password"]);
        basicAuth = { username: optionalString(`${key}.basicAuth.username`, auth.username) ?? "", password: optionalString(`${key}.basicAuth.password`, auth.password) ?? "" };
    }
    return { type: "webhook", url, headers: parsedHeaders, ...(basicAuth ? { basicAuth } : {}), insecureSkipVerify: booleanOf(`${key}.insecureSkipVerify`, options.insecureSkipVerify) };
}

function parseSlackService(key: string, options: Record<string, unknown>): SlackService {
    onlyFields(key, options, ["token", "apiURL", "username", "icon", "insecureSkipVerify"], {
        signingSecret: "not supported: SyncWave sends, it receives no Slack interactions",
        channels: "not supported: name the channel as the subscription's recipient",
        disableUnfurl: "not supported",
    });
    const token = optionalString(`${key}.token`, options.token);
    if (!token) throw new NotificationConfigError(`${key}.token`, "is required (a bot token, from the secret: $slack-token)");
    const apiURL = optionalString(`${key}.apiURL`, options.apiURL) ?? DEFAULT_SLACK_API_URL;
    if (!/^https?:\/\//.test(apiURL)) throw new NotificationConfigError(`${key}.apiURL`, "must be an http(s) URL");
    return {
        type: "slack",
        token,
        apiURL: apiURL.endsWith("/") ? apiURL : `${apiURL}/`,
        username: optionalString(`${key}.username`, options.username),
        icon: optionalString(`${key}.icon`, options.icon),
        insecureSkipVerify: booleanOf(`${key}.insecureSkipVerify`, options.insecureSkipVerify),
    };
}

function booleanOf(key: string, value: unknown): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== "boolean") throw new NotificationConfigError(key, "must be true or false");
    return value;
}

/**
 * notifications-engine (pkg/subscriptions/global.go) reads recipients, triggers and selector and
 * ignores anything else, and a missing recipients list makes a subscription that tells no one: here
 * both are refused, as a misspelt field would otherwise silently notify nobody or the wrong triggers.
 */
function parseSubscriptions(key: string, value: unknown): GlobalSubscription[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw new NotificationConfigError(key, "must be a list of {recipients, triggers, selector}");
    return value.map((raw, i) => {
        const where = `${key}[${i}]`;
        const entry = record(where, raw);
        onlyFields(where, entry, ["recipients", "triggers", "selector"]);
        const recipients = stringList(`${where}.recipients`, entry.recipients);
        if (recipients.length === 0) throw new NotificationConfigError(`${where}.recipients`, "is required: a list of <service>:<recipient> (a subscription without recipients tells no one)");
        const selector = optionalString(`${where}.selector`, entry.selector);
        if (selector) checkSelector(`${where}.selector`, selector);
        return { recipients, triggers: stringList(`${where}.triggers`, entry.triggers), ...(selector ? { selector } : {}) };
    });
}

/** A selector SyncWave cannot match fails now, not at every Application's dispatch. */
function checkSelector(key: string, selector: string): void {
    try {
        selectorMatches(selector, {});
    } catch (err) {
        throw new NotificationConfigError(key, (err as Error).message);
    }
}
