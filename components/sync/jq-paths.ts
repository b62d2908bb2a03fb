// ignoreDifferences.jqPathExpressions: the paths a jq path expression selects in a document. Argo CD
// compiles `del(EXPR)` with gojq and applies it to both the live object and the desired manifest
// (util/argo/normalizers/diff_normalizer.go); `[path(EXPR)]` selects exactly what that del() removes,
// and those paths then go through the same matching as jsonPointers. jq itself runs as WebAssembly
// (the jq-web package: jq's own C sources built with Emscripten, no binary to download).
import { SyncWaveInputError } from "./errors";
import type { PathSegment } from "./json-pointer";

interface JqWeb {
    json(input: unknown, filter: string): unknown;
}

interface JqError extends Error {
    exitCode?: number;
    stderr?: string;
}

let loaded: Promise<JqWeb> | undefined;
let engine: JqWeb | undefined;

/** Loads jq once per process; after that evaluation is synchronous. */
export async function loadJq(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded ??= (require("jq-web") as Promise<JqWeb>).then((jq) => (engine = jq));
    await loaded;
}

function loadedEngine(): JqWeb {
    if (!engine) throw new Error("jq is not loaded: await loadJq() (or prepareIgnoreDifferences) before evaluating jqPathExpressions");
    return engine;
}

/** jq's message without its "jq: error" prefixes and the echoed program. */
function jqMessage(err: JqError): string {
    const text = err.stderr ?? err.message;
    return text
        .split("\n")
        .filter((l) => l.startsWith("jq: error"))
        .map((l) => l.replace(/^jq: error( \(at [^)]*\))?: /, ""))
        .join("; ") || text.trim();
}

/** Refuses an expression jq cannot compile, naming the application and field. */
export function checkJqPathExpression(expression: string, where: { application?: string; field: string }): void {
    if (typeof expression !== "string" || expression.trim() === "") {
        throw new SyncWaveInputError(`a jq path expression must be a non-empty string`, where);
    }
    try {
        loadedEngine().json(null, `[path(${expression})] | length`);
    } catch (err) {
        const e = err as JqError;
        // Exit code 3 is jq's compile error; anything else is a run-time error on `null`, which a valid
        // expression may well raise (`.spec.containers[]` on null), and is checked per document.
        if (e.exitCode === 3) throw new SyncWaveInputError(`"${expression}" is not a valid jq path expression: ${jqMessage(e)}`, where);
        if (e.exitCode === undefined) throw err;
    }
}

/**
 * The paths the expression selects in the document. A run-time error (an expression that does not fit
 * this object, such as iterating a field that is absent) selects nothing, as Argo CD skips a patch
 * that fails on an object.
 */
export function jqPaths(document: unknown, expression: string): PathSegment[][] {
    try {
        const result = loadedEngine().json(document, `[path(${expression})]`);
        return Array.isArray(result) ? (result as PathSegment[][]).filter((p) => Array.isArray(p) && p.length > 0) : [];
    } catch (err) {
        if ((err as JqError).exitCode === 5) return [];
        throw err;
    }
}
