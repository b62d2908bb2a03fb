// What SyncWave's dynamic resources store in the state must run from any clone of the repository and
// without ts-node: no absolute path of the checkout that created them, no ts-node, and a runtime found
// from the program's project directory.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findPackageRoot, storedWithCheckoutPaths } from "../../components/providers/runtime-loader";

const root = resolve(__dirname, "../..");
const fixtures = join(root, "test/fixtures/provider-text");
let stored: Record<string, Record<string, unknown>>;

const providerText = (type: string): string => {
    const provider = stored[`pulumi-nodejs:dynamic/syncwave:${type}`]?.__provider;
    if (typeof provider !== "string") throw new Error(`no serialized provider for ${type}`);
    return provider;
};

beforeAll(() => {
    // Serialized as `pulumi up` does, in a program run under ts-node.
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", join(fixtures, "serialize.ts")], { cwd: root, encoding: "utf8", timeout: 120_000 });
    stored = JSON.parse(out) as typeof stored;
}, 130_000);

describe("the state of SyncWave's dynamic resources", () => {
    it.each(["Hook", "HealthGate", "Pruner", "ReplacedObject", "ApplicationRecord", "SyncResult"])("%s holds no path of the checkout and does not load ts-node", (type) => {
        const text = JSON.stringify(stored[`pulumi-nodejs:dynamic/syncwave:${type}`]);
        // SyncResult loads nothing: its provider is plain code.
        if (type !== "SyncResult") expect(providerText(type)).toContain("loadProviderRuntime");
        for (const path of new Set([root, realpathSync(root)])) expect(text).not.toContain(path);
        expect(providerText(type)).not.toMatch(/require\(\s*["']ts-node/);
        expect(Object.keys(stored[`pulumi-nodejs:dynamic/syncwave:${type}`] ?? {})).not.toContain("modules");
    });

    it("runs its provider without ts-node from a program's directory inside the repository", () => {
        const file = join(mkdtempSync(join(tmpdir(), "syncwave-provider-")), "provider.js");
        writeFileSync(file, providerText("ReplacedObject"));
        const run = spawnSync(process.execPath, [join(fixtures, "check-replaced.js"), file], { cwd: join(root, "test/fixtures/sync-project"), encoding: "utf8", timeout: 120_000 });
        expect(run.stderr).toBe("");
        const result = JSON.parse(run.stdout) as { inputs: { force: boolean; propagationPolicy: string; timeoutMs: number }; failures: unknown[] };
        expect(result.inputs).toMatchObject({ force: false, propagationPolicy: "foreground", timeoutMs: 300_000 });
        expect(result.failures).toEqual([]);
    });

    it("says where it looked when no syncwave package is reachable from the project directory", () => {
        const file = join(mkdtempSync(join(tmpdir(), "syncwave-provider-")), "provider.js");
        writeFileSync(file, providerText("ReplacedObject"));
        const elsewhere = mkdtempSync(join(tmpdir(), "syncwave-elsewhere-"));
        const run = spawnSync(process.execPath, [join(fixtures, "check-replaced.js"), file], { cwd: elsewhere, encoding: "utf8", timeout: 120_000 });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain(`SyncWave's provider runtime was not found from ${elsewhere}`);
    });
});

describe("findPackageRoot", () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), "syncwave-root-")));
    // A user's program in its own folder, syncwave installed as a link to a clone (npm install ../syncwave).
    const user = join(base, "infra");
    mkdirSync(join(user, "node_modules"), { recursive: true });
    writeFileSync(join(user, "package.json"), JSON.stringify({ name: "infra", dependencies: { syncwave: "file:../syncwave" } }));
    symlinkSync(root, join(user, "node_modules/syncwave"));
    mkdirSync(join(user, "stacks/prod"), { recursive: true });
    const unrelated = join(base, "unrelated");
    mkdirSync(unrelated);

    it.each([
        ["the repository's root project", root, realpathSync(root)],
        ["a project in a subfolder of the repository", join(root, "test/fixtures/sync-project"), realpathSync(root)],
        ["a user's project that depends on syncwave", user, realpathSync(root)],
        ["a subfolder of that project", join(user, "stacks/prod"), realpathSync(root)],
    ])("finds the package from %s", (_what, start, expected) => {
        expect(findPackageRoot(start)).toBe(expected);
    });

    it("refuses a directory that neither is nor depends on syncwave", () => {
        expect(() => findPackageRoot(unrelated)).toThrow(/provider runtime was not found from .*unrelated/);
    });
});

describe("storedWithCheckoutPaths", () => {
    it.each([
        ["a runtime path input (Hook, HealthGate, Pruner, ApplicationRecord)", { modules: { runtime: "/checkout/components/providers/hook-runtime.ts" } }, true],
        ["a provider that registers ts-node (ReplacedObject)", { __provider: 'function x() { require("ts-node").register({ transpileOnly: true }); }' }, true],
        ["state written by this release", { __provider: "exports.handler = __f0; loadProviderRuntime(...)" }, false],
        ["no provider at all", {}, false],
    ])("%s: %s", (_what, olds, expected) => {
        expect(storedWithCheckoutPaths(olds)).toBe(expected);
    });
});
