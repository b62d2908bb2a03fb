// Argo CD's webhook service (notifications-engine pkg/services/webhook.go): GET to the service's URL
// with the message as body, unless the template has a `webhook.<service>` section: then its body (even
// empty), its method if set, and its path joined to the URL with one slash (applyOverridesFrom). The
// service's headers and basic auth go with it. A 2xx answer is delivered; anything else fails with its status.
import type { WebhookService } from "../config-types";
import type { RenderedNotification } from "./rendered";
import { DeliveryError, sendWithRetries, shownUrl } from "./http";

export async function sendWebhook(service: WebhookService, serviceName: string, notification: RenderedNotification): Promise<void> {
    const override = notification.webhook[serviceName];
    const url = override?.path ? `${service.url.replace(/\/+$/, "")}/${override.path.replace(/^\/+/, "")}` : service.url;
    const headers: Record<string, string> = {};
    for (const h of service.headers) headers[h.name] = h.value;
    if (service.basicAuth) headers.authorization = `Basic ${Buffer.from(`${service.basicAuth.username}:${service.basicAuth.password}`).toString("base64")}`;
    const method = override?.method || "GET";
    const shown = shownUrl(url);
    const body = override ? (override.body ?? "") : notification.message;
    const res = await sendWithRetries({ method, url, headers, body, insecureSkipVerify: service.insecureSkipVerify }, shown);
    if (res.status < 200 || res.status > 299) throw new DeliveryError(`${method} ${shown} answered ${res.status}: ${res.body.slice(0, 200)}`, res.status);
}
