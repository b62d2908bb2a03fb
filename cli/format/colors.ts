// Colours for statuses on a terminal. picocolors switches itself off when stdout is not a terminal
// or NO_COLOR is set, so piped output and --json stay plain.
import pc from "picocolors";

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

export const { bold, dim, red, yellow, green } = pc;
