// Argo CD's slack service (notifications-engine pkg/services/slack.go, pkg/util/slack): a bot token
// posts `chat.postMessage` to the service's apiURL, the recipient being the channel, the message the
// text, the template's attachments and blocks (JSON, rendered) beside it. Slack answers 200 even when
// it refuses a message: its `ok` field says, and `error` why.
import type { SlackService } from "../config-types";
import type { RenderedNotification } from "./rendered";
import { DeliveryError, sendWithRetries, shownUrl } from "./http";

export function slackPayload(service: SlackService, channel: string, notification: RenderedNotification): Record<string, unknown> {
    const slack = notification.slack ?? {};
    const payload: Record<string, unknown> = { channel, text: notification.message };
    const username = slack.username || service.username;
    const icon = slack.icon || service.icon;
    if (username) payload.username = username;
    // Argo CD: an icon that is a URL is icon_url, anything else an emoji.
    if (icon) payload[/^https?:\/\//.test(icon) ? "icon_url" : "icon_emoji"] = icon;
    if (slack.attachments?.trim()) payload.attachments = parseJson(slack.attachments, "slack.attachments");
    if (slack.blocks?.trim()) payload.blocks = parseJson(slack.blocks, "slack.blocks");
    return payload;
}

function parseJson(text: string, field: string): unknown {
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new DeliveryError(`the template's ${field} is not JSON once rendered: ${(err as Error).message}`);
    }
}

export async function sendSlack(service: SlackService, channel: string, notification: RenderedNotification): Promise<void> {
    const url = `${service.apiURL}chat.postMessage`;
    const shown = shownUrl(url);
    const body = JSON.stringify(slackPayload(service, channel, notification));
    const res = await sendWithRetries(
        { method: "POST", url, headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${service.token}` }, body, insecureSkipVerify: service.insecureSkipVerify },
        shown,
    );
    if (res.status < 200 || res.status > 299) throw new DeliveryError(`POST ${shown} answered ${res.status}: ${res.body.slice(0, 200)}`, res.status);
    let answer: { ok?: boolean; error?: string };
    try {
        answer = JSON.parse(res.body) as { ok?: boolean; error?: string };
    } catch {
        throw new DeliveryError(`POST ${shown} answered ${res.status} with something that is not Slack's JSON`, res.status);
    }
    if (answer.ok !== true) throw new DeliveryError(`POST ${shown}: Slack refused the message: ${answer.error ?? "ok is not true"}`, res.status);
}
