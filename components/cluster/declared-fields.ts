// What a live object holds at the fields a manifest declares, as a digest. Comparing the digest taken
// right after SyncWave wrote the object with the one a refresh takes tells whether someone changed a
// declared field since, without tripping over what the server adds (defaults, status, controllers'
// annotations) or how it spells values (a quantity "1000m" is stored as "1"): both digests see the
// server's spelling.
import { createHash } from "node:crypto";

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `live` narrowed to the paths `declared` sets; objects are followed key by key, anything else is taken whole. */
export function declaredValues(declared: unknown, live: unknown): unknown {
    if (!isPlainObject(declared)) return live === undefined ? null : live;
    const from = isPlainObject(live) ? live : {};
    return Object.fromEntries(Object.keys(declared).map((k) => [k, declaredValues(declared[k], from[k])]));
}

/** JSON with object keys sorted, so equal values always give equal text (state does not keep key order). */
export function stableJSON(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(stableJSON).join(",")}]`;
    if (isPlainObject(v)) {
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${stableJSON(v[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v ?? null);
}

export function declaredDigest(declared: unknown, live: unknown): string {
    return createHash("sha256").update(stableJSON(declaredValues(declared, live))).digest("hex").slice(0, 32);
}
