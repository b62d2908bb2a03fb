// How long something took, as the CLI and the web UI show it.

/** 2.4s, 1m05s: durations of whole syncs, read at a glance. */
export function formatDuration(ms: number): string {
    const seconds = ms / 1000;
    if (seconds < 60) return `${seconds.toFixed(1)}s`;
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}
