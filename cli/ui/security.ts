// Who may talk to `syncwave ui`. On 127.0.0.1 only this machine's processes reach the port, but a web
// page in the user's browser can still aim a request at it through a hostname it controls (DNS
// rebinding): so every request must name the bound address (or localhost) in its Host header. Bound
// to any other address, the network reaches it too: then a random token, printed once at start, is
// required on every request, as a header, or as `?token=` once, which sets a cookie for the rest.
import { randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_COOKIE = "syncwave_ui_token";
export const TOKEN_HEADER = "x-syncwave-token";

/** A token that cannot be guessed: 32 random bytes, URL-safe. */
export function newToken(): string {
    return randomBytes(32).toString("base64url");
}

export function isLoopback(address: string): boolean {
    return address === "127.0.0.1" || address === "::1" || address === "localhost";
}

/** The host part of a Host header ("[::1]:8080" → "::1", "example.com:80" → "example.com"), lower case. */
export function hostOf(header: string): { host: string; port?: string } {
    const value = header.trim().toLowerCase();
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
    if (bracketed) return { host: bracketed[1], port: bracketed[2] };
    const [host, port, ...rest] = value.split(":");
    // A bare IPv6 address without brackets is not a valid Host header.
    if (rest.length > 0) return { host: value };
    return { host, port };
}

/**
 * Whether a request's Host header names this server: the bound address, or `localhost` when bound
 * to the loopback address, at the bound port. Anything else is a name someone else's DNS points here.
 * Bound to 0.0.0.0 or ::, only the addresses given in `alsoAllowed` (the machine's own) are accepted.
 */
export function hostAllowed(header: string | undefined, bound: { address: string; port: number }, alsoAllowed: readonly string[] = []): boolean {
    if (!header) return false;
    const { host, port } = hostOf(header);
    if (port !== undefined && port !== String(bound.port)) return false;
    if (port === undefined && bound.port !== 80) return false;
    const allowed = new Set([bound.address.toLowerCase(), ...alsoAllowed.map((a) => a.toLowerCase())]);
    if (isLoopback(bound.address)) for (const name of ["localhost", "127.0.0.1", "::1"]) allowed.add(name);
    return allowed.has(host);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
    for (const part of (header ?? "").split(";")) {
        const [key, ...value] = part.trim().split("=");
        if (key === name) return decodeURIComponent(value.join("="));
    }
    return undefined;
}

function sameToken(given: string | undefined, token: string): boolean {
    if (given === undefined) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
}

export type TokenCheck = { ok: true; setCookie?: string } | { ok: false };

/** The token of a request, from the header, the cookie or `?token=` (which then becomes a cookie). */
export function checkToken(token: string | undefined, request: { headers: Record<string, string | string[] | undefined>; url: URL }): TokenCheck {
    if (token === undefined) return { ok: true };
    const header = request.headers[TOKEN_HEADER];
    if (sameToken(Array.isArray(header) ? header[0] : header, token)) return { ok: true };
    const cookie = request.headers.cookie;
    if (sameToken(cookieValue(Array.isArray(cookie) ? cookie.join(";") : cookie, TOKEN_COOKIE), token)) return { ok: true };
    if (sameToken(request.url.searchParams.get("token") ?? undefined, token)) {
        return { ok: true, setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` };
    }
    return { ok: false };
}
