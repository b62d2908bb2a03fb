// The file backend's checkpoint copies are bounded: the newest kept, the update history entries never removed.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { openStore } from "../../cli/backend/open-store";
import { DEFAULT_KEPT_CHECKPOINTS, expiredCopies, keptCheckpoints, pruneCheckpointCopies } from "../../cli/state-retention";

describe("how many checkpoint copies are kept", () => {
    it.each([
        [undefined, DEFAULT_KEPT_CHECKPOINTS],
        ["", DEFAULT_KEPT_CHECKPOINTS],
        ["0", 0],
        ["5", 5],
        ["all", Number.POSITIVE_INFINITY],
    ])("%s gives %s", (value, want) => expect(keptCheckpoints(value)).toBe(want));

    it.each(["-1", "2.5", "ten", "5 "])("%s is refused, naming the variable", (value) => {
        expect(() => keptCheckpoints(value)).toThrow(`SYNCWAVE_KEEP_CHECKPOINTS=${value}: expected a whole number of checkpoint copies to keep, or "all"`);
    });
});

describe("expired copies", () => {
    const pattern = /^dev-(\d+)\.checkpoint\.json$/;
    it("are all but the newest, by their timestamps as numbers, with their .attrs", () => {
        const files = ["dev-900.checkpoint.json", "dev-1000.checkpoint.json", "dev-1000.checkpoint.json.attrs", "dev-1100.checkpoint.json", "dev-1000.history.json", "other.json"];
        expect(expiredCopies(files, pattern, 1)).toEqual(["dev-1000.checkpoint.json", "dev-1000.checkpoint.json.attrs", "dev-900.checkpoint.json"]);
        expect(expiredCopies(files, pattern, 3)).toEqual([]);
        expect(expiredCopies(files, pattern, Number.POSITIVE_INFINITY)).toEqual([]);
        expect(expiredCopies(files, pattern, 0)).toHaveLength(4);
    });
});

describe("pruning a file backend", () => {
    function backend(updates: number): { url: string; history: string; backups: string } {
        const root = mkdtempSync(join(tmpdir(), "syncwave-retention-"));
        const history = join(root, ".pulumi", "history", "proj", "dev");
        const backups = join(root, ".pulumi", "backups", "proj", "dev");
        mkdirSync(history, { recursive: true });
        mkdirSync(backups, { recursive: true });
        for (let i = 0; i < updates; i++) {
            const t = String(1796640873293904237n + BigInt(i) * 1000000000n);
            for (const f of [`dev-${t}.checkpoint.json`, `dev-${t}.history.json`]) {
                writeFileSync(join(history, f), "{}");
                writeFileSync(join(history, `${f}.attrs`), "{}");
            }
            writeFileSync(join(backups, `dev.${t}.json`), "{}");
        }
        // Another stack's copies, whose name starts the same, stay.
        writeFileSync(join(history, "dev-old-1796640873293904237.checkpoint.json"), "{}");
        return { url: pathToFileURL(root).href, history, backups };
    }

    const store = (url: string) => openStore({ PULUMI_BACKEND_URL: url })!;

    it("keeps the newest checkpoint copies and backups and every history entry", async () => {
        const b = backend(30);
        expect(await pruneCheckpointCopies(store(b.url), "proj", "dev", 20)).toBe(10 * 2 + 10);
        const history = readdirSync(b.history);
        expect(history.filter((f) => f.endsWith(".history.json"))).toHaveLength(30);
        expect(history.filter((f) => /^dev-\d+\.checkpoint\.json$/.test(f))).toHaveLength(20);
        expect(history).toContain("dev-old-1796640873293904237.checkpoint.json");
        expect(history).toContain(`dev-${String(1796640873293904237n + 29n * 1000000000n)}.checkpoint.json`);
        expect(readdirSync(b.backups)).toHaveLength(20);
        expect(await pruneCheckpointCopies(store(b.url), "proj", "dev", 20)).toBe(0);
    });

    it("touches nothing on another backend or a fully qualified stack name's other project", async () => {
        const b = backend(3);
        expect(openStore({ PULUMI_BACKEND_URL: "https://api.pulumi.com" })).toBeUndefined();
        expect(await pruneCheckpointCopies(store(b.url), "other", "dev", 0)).toBe(0);
        expect(await pruneCheckpointCopies(store(b.url), "proj", "organization/proj/dev", 1)).toBe(2 * 2 + 2);
    });
});
