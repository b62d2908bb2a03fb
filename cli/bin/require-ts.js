// Runs SyncWave's own TypeScript without compiling it on every start: each .ts file is transpiled once
// (TypeScript's transpileModule, as ts-node's transpile-only mode does) and the JavaScript kept in a
// cache keyed by the file's content, so a warm start reads JavaScript and never loads the compiler.
// Type checking is `npm run build`'s job. Used by the syncwave command and the stack program (program.js);
// a user's own TypeScript program still runs through Pulumi's `typescript` runtime option.
//
// Measured on two cores (a no-op start of the CLI): ts-node transpile-only loads the compiler and
// transpiles every file on every start; this hook does that only for files that changed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const Module = require("node:module");

const COMPILER_OPTIONS = { module: "commonjs", target: "es2022", esModuleInterop: true, resolveJsonModule: true, inlineSourceMap: true };

function cacheDir() {
    const base = process.env.SYNCWAVE_CACHE || path.join(require("node:os").tmpdir(), "syncwave-cache");
    return path.join(base, "transpiled");
}

// SyncWave's own compiler (a dependency of the package), else the one the file would find.
function resolveTypescript(request, from) {
    try {
        return require.resolve(request);
    } catch {
        return require.resolve(request, { paths: [from] });
    }
}

let compiler;
function typescript(from) {
    // Loaded only when a file is not in the cache yet: the compiler alone takes longer to load than a warm start.
    compiler ??= require(resolveTypescript("typescript", from));
    return compiler;
}

function versionOf(from) {
    try {
        return JSON.parse(fs.readFileSync(resolveTypescript("typescript/package.json", from), "utf8")).version;
    } catch {
        return "none";
    }
}

let keyPrefix;
/** The JavaScript of one TypeScript file, from the cache or transpiled now (and kept). */
function transpiled(file, source) {
    keyPrefix ??= `${versionOf(file)}\0${JSON.stringify(COMPILER_OPTIONS)}\0`;
    const key = crypto.createHash("sha256").update(keyPrefix).update(file).update("\0").update(source).digest("hex");
    const dir = cacheDir();
    const cached = path.join(dir, key.slice(0, 2), `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    const ts = typescript(file);
    const options = { ...COMPILER_OPTIONS, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
    const { outputText } = ts.transpileModule(source, { fileName: file, compilerOptions: options });
    try {
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        // Written whole, then renamed: a concurrent start never reads half a file.
        const partial = `${cached}.${process.pid}.partial`;
        fs.writeFileSync(partial, outputText);
        fs.renameSync(partial, cached);
    } catch {
        // A read-only cache only costs speed.
    }
    return outputText;
}

if (!Module._extensions[".ts"] || !Module._extensions[".ts"].syncwave) {
    const load = function (module, filename) {
        const source = fs.readFileSync(filename, "utf8");
        module._compile(transpiled(filename, source), filename);
    };
    load.syncwave = true;
    Module._extensions[".ts"] = load;
    // The JavaScript carries its source map inline, but Node reads source maps only when asked
    // (NODE_OPTIONS=--enable-source-maps): turned on for every start it would also read the map of
    // every module in node_modules, about 0.3 s per process here.
}

module.exports = { transpiled };
