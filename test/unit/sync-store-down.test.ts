// A sync whose shared backend cannot be reached fails before anything runs, naming the store.
import { createServer } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { sync } from "../../cli/commands/sync";

/** A port nothing listens on any more. */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    return port;
}

describe("a sync when the S3 backend is unreachable", () => {
    it("refuses before anything runs, naming the bucket and the error", async () => {
        const port = await closedPort();
        const env = { PULUMI_BACKEND_URL: `s3://state?endpoint=http://127.0.0.1:${port}&use_path_style=true&region=us-east-1`, AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s", PULUMI_CONFIG_PASSPHRASE: "x" };
        const lines: string[] = [];
        const err = await sync({ stack: "unreachable", cwd: resolve(__dirname, "../.."), env, progress: (l) => lines.push(l) }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).toMatch(/^nothing was synced: the stack's lock in s3:\/\/state could not be taken: s3:\/\/state: create \.pulumi\/syncwave-locks\/\.conditional-write-probe-.*ECONNREFUSED/s);
        expect(lines).toEqual([]);
    });
});
