// Timing for the benchmarks: wall-clock seconds of one step, printed as it finishes.
export async function timed<T>(what: string, fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
    const start = process.hrtime.bigint();
    const value = await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.error(`  ${what}: ${seconds.toFixed(2)}s`);
    return { seconds, value };
}
