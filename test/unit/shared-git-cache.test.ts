// Parallel syncs of different stacks of one project share its git cache (.syncwave/git): several
// processes fetching the same repository at once, first clone and later fetches alike, must each get
// the commit, none failing on another's clone, fetch or checkout.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TestRepo } from "../helpers/git";

const root = resolve(__dirname, "../..");

function fetchInAnotherProcess(repoURL: string, cacheDir: string): Promise<{ code: number | null; output: string }> {
    const script = `require(${JSON.stringify(join(root, "components/source/git.ts"))}).fetchRevision(${JSON.stringify(repoURL)}, "main", { cacheDir: ${JSON.stringify(cacheDir)} })` +
        `.then((r) => console.log(r.commit), (e) => { console.log("ERROR " + e.message); process.exitCode = 1; });`;
    const child = spawn(process.execPath, ["-r", join(root, "cli/bin/require-ts.js"), "-e", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b) => (output += b));
    child.stderr.on("data", (b) => (output += b));
    return new Promise((r) => child.on("close", (code) => r({ code, output: output.trim() })));
}

describe("the git cache shared by parallel processes", () => {
    it("serves six processes cloning, then six fetching a new commit, all at once", async () => {
        const repo = new TestRepo();
        const files = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`manifests/f${i}.yaml`, `n: ${i}\n`]));
        const cacheDir = mkdtempSync(join(tmpdir(), "syncwave-shared-cache-"));
        for (const change of [files, { "manifests/f0.yaml": "n: changed\n" }]) {
            const commit = repo.commit(change);
            const runs = await Promise.all(Array.from({ length: 6 }, () => fetchInAnotherProcess(repo.url, cacheDir)));
            expect(runs.map((r) => r.output)).toEqual(Array(6).fill(commit));
            expect(runs.map((r) => r.code)).toEqual(Array(6).fill(0));
        }
    });
});
