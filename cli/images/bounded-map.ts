// Registry requests a few at a time: newest-build reads two or three documents per tag, and a
// repository with hundreds of tags asked all at once gets 429 Too Many Requests from Docker Hub and
// other rate-limited registries.

/** `fn` over `items` with at most `limit` calls pending at once; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}
