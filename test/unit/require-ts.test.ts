// SyncWave's TypeScript runs through a transpile cache (cli/bin/require-ts.js): a file is compiled once
// per content, so a warm start of the CLI or the program never loads the compiler.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const hook = resolve(__dirname, "../../cli/bin/require-ts.js");

function runTs(dir: string, cache: string, nodeArgs: string[] = []): { output: string; compilerLoaded: boolean } {
    const script = `require(${JSON.stringify(join(dir, "main.ts"))}); console.log(JSON.stringify(Object.keys(require.cache).some((k) => k.includes("/node_modules/typescript/"))));`;
    const out = execFileSync(process.execPath, [...nodeArgs, "-r", hook, "-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SYNCWAVE_CACHE: cache }, cwd: resolve(__dirname, "../..") });
    const lines = out.trim().split("\n");
    return { output: lines.slice(0, -1).join("\n"), compilerLoaded: JSON.parse(lines[lines.length - 1]) as boolean };
}

describe("the transpile cache", () => {
    it("compiles each file once, then runs it without the compiler; a changed file is compiled again", () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-ts-"));
        const cache = mkdtempSync(join(tmpdir(), "syncwave-ts-cache-"));
        writeFileSync(join(dir, "greet.ts"), "export const greet = (name: string): string => `hello ${name}`;\n");
        writeFileSync(join(dir, "main.ts"), 'import { greet } from "./greet";\nconst who: string = "waves";\nconsole.log(greet(who));\n');
        expect(runTs(dir, cache)).toEqual({ output: "hello waves", compilerLoaded: true });
        expect(readdirSync(join(cache, "transpiled")).length).toBeGreaterThan(0);
        expect(runTs(dir, cache)).toEqual({ output: "hello waves", compilerLoaded: false });
        writeFileSync(join(dir, "greet.ts"), "export const greet = (name: string): string => `hi ${name}`;\n");
        expect(runTs(dir, cache)).toEqual({ output: "hi waves", compilerLoaded: true });
        expect(runTs(dir, cache)).toEqual({ output: "hi waves", compilerLoaded: false });
    });

    it("reports errors at the TypeScript line with --enable-source-maps (the maps are inline)", () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-ts-"));
        const cache = mkdtempSync(join(tmpdir(), "syncwave-ts-cache-"));
        writeFileSync(join(dir, "main.ts"), "interface A { a: number }\n\n\nconst x: A = { a: 1 };\nthrow new Error(`boom ${x.a}`);\n");
        let stack = "";
        try {
            runTs(dir, cache, ["--enable-source-maps"]);
        } catch (err) {
            stack = String((err as { stderr?: string }).stderr);
        }
        expect(stack).toContain("boom 1");
        expect(stack).toContain(`${join(dir, "main.ts")}:5`);
    });
});
