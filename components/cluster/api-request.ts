// One request to the API server, with the kubeconfig's credentials (@kubernetes/client-node applies
// certificates, tokens, exec plugins and impersonation) and a hard deadline: a hung connection
// becomes an error that says what was awaited, never a sync that waits forever.
import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { HttpsConfig } from "./https-config";
import { sendRetryingAfter } from "./retry-after";

export interface ApiRequest {
    method: "GET" | "POST" | "PUT" | "DELETE";
    path: string;
    body?: unknown;
    /** Query parameters, e.g. { fieldManager: "syncwave" }. */
    query?: Record<string, string>;
    accept?: string;
    timeoutMs: number;
}

export interface ApiResponse<T> {
    status: number;
    body: T;
}

/** A refusal by the API server, with its HTTP status and the reason of its Status object. */
export class KubeApiError extends Error {
    constructor(
        message: string,
        public readonly status: number,
        /** metav1.Status reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, ... */
        public readonly reason?: string,
    ) {
        super(message);
        this.name = "KubeApiError";
    }
}

/** "400ms", "30s", "5m": how long a wait was, for messages. */
export function formatDuration(ms: number): string {
    if (ms < 1_000) return `${Math.round(ms)}ms`;
    if (ms < 120_000) return `${Math.round(ms / 1_000)}s`;
    return `${Math.round(ms / 60_000)}m`;
}

export function isNotFound(err: unknown): boolean {
    return err instanceof KubeApiError && err.status === 404;
}

function statusMessage(status: number, text: string): { message: string; reason?: string } {
    try {
        const s = JSON.parse(text) as { kind?: string; message?: string; reason?: string };
        if (s.kind === "Status" && s.message) return { message: s.message, reason: s.reason };
    } catch {
        // Not JSON: a proxy's or a load balancer's page; its first line is the best we have.
    }
    return { message: `HTTP ${status}${text ? `: ${text.split("\n")[0].slice(0, 300)}` : ""}` };
}

interface RawAnswer {
    status: number;
    retryAfter: string | string[] | undefined;
    text: string;
}

/**
 * Sends the request; a status of 400 or more becomes a KubeApiError with the server's message. A 429
 * or 5xx with Retry-After is sent again after the wait the server asked for, within the deadline
 * (retry-after.ts).
 */
export async function apiRequest<T>(kc: HttpsConfig, req: ApiRequest): Promise<ApiResponse<T>> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(req.path, cluster.server);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const what = `${req.method} ${url.pathname}`;
    const answer = await sendRetryingAfter(req.timeoutMs, (left) => sendOnce(kc, url, req, what, cluster.server, left));
    if (answer.status >= 400) {
        const { message, reason } = statusMessage(answer.status, answer.text);
        throw new KubeApiError(message, answer.status, reason);
    }
    try {
        return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : undefined) as T };
    } catch (err) {
        throw new Error(`${what}: the API server's answer is not JSON: ${(err as Error).message}`);
    }
}

async function sendOnce(kc: HttpsConfig, url: URL, req: ApiRequest, what: string, server: string, timeoutMs: number): Promise<RawAnswer> {
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const options: RequestOptions = {
        method: req.method,
        headers: {
            Accept: req.accept ?? "application/json",
            ...(payload ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
        },
    };
    await kc.applyToHTTPSOptions(options);
    const send = url.protocol === "http:" ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
        const r = send(url, options, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("end", () => {
                clearTimeout(deadline);
                resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], text: Buffer.concat(chunks).toString("utf8") });
            });
        });
        // A deadline for the whole exchange, not an idle timeout: a trickling answer cannot stall it.
        const deadline = setTimeout(() => r.destroy(new Error(`${what} to ${server} did not answer within ${formatDuration(req.timeoutMs)}`)), timeoutMs);
        r.on("error", (err) => {
            clearTimeout(deadline);
            reject(err);
        });
        r.end(payload);
    });
}
