// What a killed Pulumi leaves in a file backend: an empty attributes file, an unfinished temporary file.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { leftByKilledWrites, repairFileBackend } from "../../cli/recovery/file-backend-repair";

describe("repairing a file backend after a killed write", () => {
    function backend() {
        const root = mkdtempSync(join(tmpdir(), "syncwave-repair-"));
        const stacks = join(root, ".pulumi", "stacks", "proj");
        const history = join(root, ".pulumi", "history", "proj", "dev");
        const locks = join(root, ".pulumi", "locks", "organization", "proj", "dev");
        for (const d of [stacks, history, locks]) mkdirSync(d, { recursive: true });
        const files: Record<string, string> = {
            [join(stacks, "dev.json")]: '{"version":3}',
            [join(stacks, "dev.json.attrs")]: "",
            [join(stacks, "dev.json.18eef8a8732b84a9.tmp")]: '{"version":3,',
            [join(stacks, "dev.json.bak")]: '{"version":3}',
            [join(stacks, "dev.json.bak.attrs")]: '{"user.content_type":"application/octet-stream"}',
            // Another stack of the project: not this sync's to touch.
            [join(stacks, "prod.json.attrs")]: "",
            [join(history, "dev-1.checkpoint.json.attrs")]: "{not json",
            [join(history, "dev-1.history.json.attrs")]: '{"md5":"x"}',
            [join(locks, "abc.json.attrs")]: "",
        };
        for (const [path, text] of Object.entries(files)) writeFileSync(path, text);
        return { url: pathToFileURL(root).href, stacks, history, locks };
    }

    it("removes empty or unreadable attributes and unfinished temporary files of this stack, nothing else", () => {
        const b = backend();
        const removed = repairFileBackend(b.url, "proj", "dev").sort();
        expect(removed).toEqual(
            [join(b.stacks, "dev.json.attrs"), join(b.stacks, "dev.json.18eef8a8732b84a9.tmp"), join(b.history, "dev-1.checkpoint.json.attrs"), join(b.locks, "abc.json.attrs")].sort(),
        );
        for (const kept of [join(b.stacks, "dev.json"), join(b.stacks, "dev.json.bak.attrs"), join(b.stacks, "prod.json.attrs"), join(b.history, "dev-1.history.json.attrs")]) expect(existsSync(kept), kept).toBe(true);
        expect(repairFileBackend(b.url, "proj", "dev")).toEqual([]);
    });

    it("does nothing on another backend", () => {
        expect(repairFileBackend("s3://bucket", "proj", "dev")).toEqual([]);
        expect(repairFileBackend(undefined, "proj", "dev")).toEqual([]);
    });

    it("tells a killed write's leftovers by name and content", () => {
        const readable = (p: string) => p.endsWith("good.attrs");
        expect(leftByKilledWrites("/x", ["a.json", "good.attrs", "bad.attrs", "a.json.0123456789abcdef.tmp", "a.tmp"], readable)).toEqual(["bad.attrs", "a.json.0123456789abcdef.tmp"]);
    });
});
