// Durations as the user writes them, everywhere (health timeouts, sync windows, retry backoff, the
// reconcile interval): Go's time.ParseDuration syntax, which Argo CD uses for the same fields — a
// sequence of decimal numbers with units, such as "90s", "1h30m", "1.5h" or "300ms".
import { SyncWaveInputError } from "./sync/errors";

/** How long a health gate or hook waits when neither the stack nor the resource says. */
export const DEFAULT_HEALTH_TIMEOUT = "5m";

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds, or undefined when the text is not a duration (a unit is always required, as in Go, except for "0"). */
export function parseDuration(text: string): number | undefined {
    const s = text.trim();
    if (s === "0") return 0;
    if (s === "") return undefined;
    let total = 0;
    PART.lastIndex = 0;
    while (PART.lastIndex < s.length) {
        const start = PART.lastIndex;
        const m = PART.exec(s);
        if (!m || m.index !== start) return undefined;
        total += Number(m[1]) * UNIT_MS[m[2]];
    }
    return Math.round(total);
}

/** The duration in milliseconds, or an error naming the field. */
export function requireDuration(text: string, where: { application?: string; file?: string; resource?: string; field: string }): number {
    const ms = parseDuration(text);
    if (ms === undefined) throw new SyncWaveInputError(`"${text}" is not a duration like 90s, 5m, 1h30m or 1.5h`, where);
    return ms;
}
