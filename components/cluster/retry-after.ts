// When the API server asks a client to come back later. With API Priority and Fairness a busy server
// answers 429 Too Many Requests (or a 5xx while it starts or shuts down) with a Retry-After header;
// client-go, and so kubectl and the Kubernetes provider, waits that many seconds and tries again, up to
// 10 times (k8s.io/client-go rest/with_retry.go checkWait, rest/request.go maxRetries). SyncWave's own
// requests do the same, within each request's deadline: a throttled server slows a sync down, it does
// not fail it.

export const MAX_RETRIES = 10;

/** How long the server asked to wait, or undefined when the answer is not one to retry. */
export function retryAfterMs(status: number, retryAfter: string | string[] | undefined): number | undefined {
    if (status !== 429 && status < 500) return undefined;
    const value = (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter)?.trim();
    // client-go reads whole seconds only (retryAfterSeconds); a date or anything else is no request to wait.
    if (!value || !/^\d+$/.test(value)) return undefined;
    return Number(value) * 1_000;
}

/** Whether a retry after `waitMs` still fits in what is left of the deadline. */
export function retryFits(attempt: number, waitMs: number, startedAt: number, timeoutMs: number, now = Date.now()): boolean {
    return attempt < MAX_RETRIES && now + waitMs < startedAt + timeoutMs;
}

/**
 * Sends with `send` (given the time left of the deadline) until the answer is not one the server asks
 * to retry, or a retry no longer fits: the last answer, for the caller to read.
 */
export async function sendRetryingAfter<A extends { status: number; retryAfter: string | string[] | undefined }>(timeoutMs: number, send: (leftMs: number) => Promise<A>): Promise<A> {
    const startedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
        const answer = await send(Math.max(1, timeoutMs - (Date.now() - startedAt)));
        const wait = retryAfterMs(answer.status, answer.retryAfter);
        if (wait === undefined || !retryFits(attempt, wait, startedAt, timeoutMs)) return answer;
        await new Promise((r) => setTimeout(r, wait));
    }
}
