// Loads a dynamic provider's runtime module in the provider's own process. Pulumi stores each dynamic
// resource's provider as serialized code in the state, and runs it again for refresh and destroy, maybe
// from another clone at another path, maybe where ts-node is not installed. So the serialized code
// names its runtime by its place in the syncwave package ("components/providers/hook-runtime"), and
// this loader finds the package from the provider process's working directory, which Pulumi sets to
// the program's project directory: a program inside this repository finds it by walking up, a program
// in its own folder finds it in its node_modules. The TypeScript is transpiled on load with the
// `typescript` package, a dependency of syncwave, through the package's transpile cache: no ts-node, no
// build step, no absolute path in state.
//
// Everything here runs inside the serialized provider, so it requires what it needs when it runs and
// captures nothing of the process that created the resource.

const PACKAGE_NAME = "syncwave";

interface LoadedModule {
    exports: unknown;
}

interface LoaderCache {
    root?: string;
    modules: Map<string, LoadedModule>;
}

/** The syncwave runtime module at `modulePath` (from the package root, without extension), loaded once per process. */
export function loadProviderRuntime<T>(modulePath: string): T {
    const path = require("node:path") as typeof import("node:path");
    const cache = loaderCache();
    cache.root ??= findPackageRoot(process.cwd());
    return loadModule(cache, path.join(cache.root, `${modulePath}.ts`)) as T;
}

/**
 * State written before the runtime was found this way: its provider requires ts-node and a runtime
 * module by the absolute path of the checkout that created it (in a `modules` input, or inside the
 * serialized code). Diffs report a change for it, so the next update stores the portable provider.
 */
export function storedWithCheckoutPaths(olds: object): boolean {
    const provider = (olds as { __provider?: unknown }).__provider;
    return "modules" in olds || (typeof provider === "string" && /require\("ts-node"\)\s*\.\s*register/.test(provider));
}

/** The nearest directory at or above `start` that is the syncwave package or holds it in node_modules. */
export function findPackageRoot(start: string): string {
    const fs = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const isSyncwave = (dir: string) => {
        try {
            return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name === PACKAGE_NAME;
        } catch {
            return false;
        }
    };
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (isSyncwave(dir)) return fs.realpathSync(dir);
        const installed = path.join(dir, "node_modules", PACKAGE_NAME);
        if (isSyncwave(installed)) return fs.realpathSync(installed);
        if (path.dirname(dir) === dir) break;
    }
    throw new Error(
        `SyncWave's provider runtime was not found from ${start}: run pulumi in the project directory of a program ` +
            `that is inside the syncwave repository or depends on the syncwave package (node_modules/${PACKAGE_NAME})`,
    );
}

function loaderCache(): LoaderCache {
    // One cache per process, shared by every provider deserialized in it.
    const key = Symbol.for("syncwave.providerRuntime");
    const holder = globalThis as unknown as Record<symbol, LoaderCache | undefined>;
    return (holder[key] ??= { modules: new Map() });
}

/** Runs one TypeScript file of the package as a CommonJS module; its relative imports load the same way. */
function loadModule(cache: LoaderCache, file: string): unknown {
    const cached = cache.modules.get(file);
    if (cached) return cached.exports;
    const fs = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    const vm = require("node:vm") as typeof import("node:vm");
    const { createRequire } = require("node:module") as typeof import("node:module");
    const requireHere = createRequire(file);
    // The package's transpile cache (cli/bin/require-ts.js): a file compiled once per content, so a
    // provider's start loads no compiler for files that did not change.
    const cacheModule = requireHere(path.join(cache.root!, "cli", "bin", "require-ts.js")) as { transpiled: (file: string, source: string) => string };
    const outputText = cacheModule.transpiled(file, fs.readFileSync(file, "utf8"));
    const mod: LoadedModule = { exports: {} };
    // Set before running, so an import cycle sees the partial exports, as Node.js does.
    cache.modules.set(file, mod);
    const localRequire = (specifier: string): unknown => {
        if (!specifier.startsWith(".")) return requireHere(specifier);
        const base = path.resolve(path.dirname(file), specifier);
        const source = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate));
        return source ? loadModule(cache, source) : requireHere(specifier);
    };
    const run = vm.compileFunction(outputText, ["exports", "require", "module", "__filename", "__dirname"], { filename: file });
    try {
        run(mod.exports, localRequire, mod, file, path.dirname(file));
    } catch (err) {
        cache.modules.delete(file);
        throw err;
    }
    return mod.exports;
}
