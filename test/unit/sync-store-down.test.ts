// A sync whose shared backend cannot be reached fails before anything runs, naming the store.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { sync } from "../../cli/commands/sync";

describe("a sync when the S3 backend is unreachable", () => {
    it("refuses before anything runs, naming the bucket and the error", async () => {
        // Port 1: nothing listens there, and nothing else in the test run can start listening there meanwhile.
        const port = 1;
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
