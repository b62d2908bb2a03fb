// Colours for statuses on a terminal: only when stdout is one (or FORCE_COLOR is set) and NO_COLOR is
// not, so piped output, logs and --json stay plain.
import { createColors } from "picocolors";

const pc = createColors(!process.env.NO_COLOR && (Boolean(process.env.FORCE_COLOR) || process.stdout.isTTY === true));

const BY_WORD: Record<string, (s: string) => string> = {
    Healthy: pc.green,
    Synced: pc.green,
    Succeeded: pc.green,
    succeeded: pc.green,
    Progressing: pc.yellow,
    OutOfSync: pc.yellow,
    Suspended: pc.cyan,
    owned: pc.cyan,
    ignored: pc.dim,
    Missing: pc.dim,
    Unknown: pc.dim,
    Degraded: pc.red,
    Failed: pc.red,
    failed: pc.red,
    unauthorised: pc.red,
    PINNED: pc.magenta,
};

/** A status word in its colour; anything else unchanged. Pad before painting: escapes have width. */
export function paint(word: string): string {
    const colour = BY_WORD[word.trim()];
    return colour ? colour(word) : word;
}

export const { bold, red, yellow, green } = pc;
