// HTTP GET for Helm repositories: a timeout on every request, a size limit on every body, redirects
// followed by hand so that credentials never reach a host they were not given for, and errors that
// name the URL (never its credentials), the status and what was expected.
// As Helm's getter and Argo CD's util/helm/client.go: Basic auth goes to the repository's own origin;
// to another origin (an absolute archive URL elsewhere, or a redirect there) only with passCredentials.
import type { GitCredentials } from "./git";

export interface HttpGetOptions {
    /** Who the credentials were given for: the repository's URL. */
    repoURL: string;
    credentials?: GitCredentials;
    /** Send the credentials to other origins too (Argo CD's helm.passCredentials). */
    passCredentials?: boolean;
    /** Per request, redirects included. */
    timeoutMs?: number;
    maxBytes: number;
    /** What the caller expected, for the error: "the repository's index.yaml". */
    expected: string;
}

export class HttpGetError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HttpGetError";
    }
}

const MAX_REDIRECTS = 5;
export const DEFAULT_HTTP_TIMEOUT_MS = 60_000;

/** The URL as shown in messages: without user information, which may hold a password. */
export function shownURL(url: string): string {
    try {
        const u = new URL(url);
        u.username = "";
        u.password = "";
        return u.toString();
    } catch {
        return url.replace(/\/\/[^/@]*@/, "//");
    }
}

/** Whether credentials given for `repoURL` may go with a request to `url`. */
export function mayCarryCredentials(repoURL: string, url: string, passCredentials = false): boolean {
    if (passCredentials) return true;
    return new URL(repoURL).origin === new URL(url).origin;
}

function authorization(credentials: GitCredentials | undefined): string | undefined {
    const { username, password } = credentials ?? {};
    if (!username && !password) return undefined;
    return `Basic ${Buffer.from(`${username ?? ""}:${password ?? ""}`).toString("base64")}`;
}

async function readLimited(response: Response, url: string, maxBytes: number): Promise<Buffer> {
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > maxBytes) throw new HttpGetError(`GET ${shownURL(url)}: ${declared} bytes is more than the limit of ${maxBytes}`);
    const chunks: Buffer[] = [];
    let total = 0;
    if (!response.body) return Buffer.alloc(0);
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > maxBytes) throw new HttpGetError(`GET ${shownURL(url)}: the body is more than the limit of ${maxBytes} bytes`);
        chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
}

/** GETs `url`, following up to five redirects, and returns the body. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<Buffer> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const auth = authorization(options.credentials);
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const headers: Record<string, string> = { "User-Agent": "syncwave" };
        if (auth && mayCarryCredentials(options.repoURL, current, options.passCredentials)) headers.Authorization = auth;
        let response: Response;
        try {
            response = await fetch(current, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
        } catch (err) {
            const e = err as Error & { cause?: Error };
            const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000}s` : (e.cause?.message ?? e.message);
            throw new HttpGetError(`GET ${shownURL(current)} failed (${why}); expected ${options.expected}`);
        }
        if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
            await response.body?.cancel();
            const next = new URL(response.headers.get("location")!, current).toString();
            if (new URL(current).protocol === "https:" && new URL(next).protocol !== "https:") {
                throw new HttpGetError(`GET ${shownURL(current)} redirects to ${shownURL(next)}, leaving https: refused`);
            }
            current = next;
            continue;
        }
        if (response.status !== 200) {
            await response.body?.cancel();
            const hint = response.status === 401 || response.status === 403 ? " (check syncwave:repoCredentials for this repository)" : "";
            throw new HttpGetError(`GET ${shownURL(current)} returned ${response.status} ${response.statusText}${hint}; expected 200 with ${options.expected}`);
        }
        try {
            return await readLimited(response, current, options.maxBytes);
        } catch (err) {
            if (err instanceof HttpGetError) throw err;
            const e = err as Error;
            const why = e.name === "TimeoutError" ? `no complete answer within ${timeoutMs / 1000}s` : e.message;
            throw new HttpGetError(`GET ${shownURL(current)} failed while reading (${why}); expected ${options.expected}`);
        }
    }
    throw new HttpGetError(`GET ${shownURL(url)}: more than ${MAX_REDIRECTS} redirects; expected ${options.expected}`);
}
