// Argo CD's webhook service (notifications-engine pkg/services/webhook.go): the request goes to the
// service's URL plus the template's `webhook.<service>.path`, with its method (GET by default, as in
// Argo CD) and body (the message by default), the service's headers and basic auth. A 2xx answer is
// delivered; anything else fails with its status.
import type { WebhookService } from "../config-types";
import type { RenderedNotification } from "./rendered";
import { DeliveryError, sendWithRetries, shownUrl } from "./http";

export async function sendWebhook(service: WebhookService, serviceName: string, notification: RenderedNotification): Promise<void> {
    const override = notification.webhook[serviceName];
    const url = `${service.url}${override?.path ?? ""}`;
    const headers: Record<string, string> = {};
    for (const h of service.headers) headers[h.name] = h.value;
    if (service.basicAuth) headers.authorization = `Basic ${Buffer.from(`${service.basicAuth.username}:${service.basicAuth.password}`).toString("base64")}`;
    const method = override?.method || "GET";
    const shown = shownUrl(url);
    const res = await sendWithRetries({ method, url, headers, body: override?.body ?? notification.message, insecureSkipVerify: service.insecureSkipVerify }, shown);
    if (res.status < 200 || res.status > 299) throw new DeliveryError(`${method} ${shown} answered ${res.status}: ${res.body.slice(0, 200)}`, res.status);
}
