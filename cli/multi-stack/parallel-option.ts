// --parallel: how many stacks run at once. By default 4 (or fewer when there are fewer stacks): enough
// to overlap the waits of a sync (git, the API server, health gates) without several Pulumi engines
// and their providers fighting over a CI runner's few cores and memory.
export const DEFAULT_PARALLEL = 4;

/** The value of --parallel as a whole number of at least 1; anything else is an error naming the flag. */
export function parseParallel(value: string): number {
    const trimmed = value.trim();
    if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
        throw new Error(`--parallel ${value}: expected a whole number of stacks of at least 1 (the default is ${DEFAULT_PARALLEL})`);
    }
    return Number(trimmed);
}

/** How many run at once: the asked bound (or the default), never more than there are stacks. */
export function effectiveParallel(asked: number | undefined, stackCount: number): number {
    return Math.max(1, Math.min(asked ?? DEFAULT_PARALLEL, stackCount));
}
