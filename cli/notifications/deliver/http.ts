// One HTTP request of a notification, with a timeout, and retries where Argo CD's webhook service
// retries (notifications-engine pkg/services/webhook.go uses a retrying client): a network error or a
// 5xx answer is tried again, 3 times, waiting 1, 2 then 4 s (at most 5 s). Every message names the URL
// as `shownUrl`, which the caller masks (a Slack incoming webhook's URL is itself a secret).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    insecureSkipVerify?: boolean;
    timeoutMs?: number;
}

export interface HttpResponse {
    status: number;
    body: string;
}

export const REQUEST_TIMEOUT_MS = 10_000;
export const RETRIES = 3;

export class DeliveryError extends Error {
    constructor(
        message: string,
        /** The HTTP status of the last answer, if there was one. */
        readonly status?: number,
    ) {
        super(message);
    }
}

export function backoffMs(attempt: number): number {
    return Math.min(1000 * 2 ** attempt, 5000);
}

/** Sends once; a network error or timeout rejects, any answer resolves. */
export function sendOnce(req: HttpRequest, shownUrl: string): Promise<HttpResponse> {
    const url = new URL(req.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const timeoutMs = req.timeoutMs ?? REQUEST_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
        const r = send(
            url,
            { method: req.method, headers: { ...req.headers, ...(req.body !== undefined ? { "content-length": Buffer.byteLength(req.body) } : {}) }, ...(url.protocol === "https:" ? { rejectUnauthorized: !req.insecureSkipVerify } : {}) },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
                res.on("error", (err) => reject(new DeliveryError(`${req.method} ${shownUrl}: ${err.message}`)));
            },
        );
        r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
        r.on("error", (err) => reject(new DeliveryError(`${req.method} ${shownUrl}: ${err.message}`)));
        if (req.body !== undefined) r.write(req.body);
        r.end();
    });
}

/** Sends, retrying network errors and 5xx answers; resolves with the last answer (any status). */
export async function sendWithRetries(req: HttpRequest, shownUrl: string, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
        try {
            const res = await sendOnce(req, shownUrl);
            if (res.status < 500 || attempt >= RETRIES) return res;
        } catch (err) {
            if (attempt >= RETRIES) throw new DeliveryError(`${(err as Error).message} (tried ${attempt + 1} times)`);
        }
        await sleep(backoffMs(attempt));
    }
}

/** The URL without credentials or query, for messages. */
export function shownUrl(raw: string): string {
    try {
        const u = new URL(raw);
        return `${u.protocol}//${u.host}${u.pathname}`;
    } catch {
        return "(an invalid URL)";
    }
}
