// One conversion between the three spellings of a field's location: RFC 6901 JSON pointers (Argo CD's
// ignoreDifferences.jsonPointers), path segments (what jq's path() yields and what drift compares), and
// Pulumi property paths (ignoreChanges). Keys such as annotations `example.com/x` hold `.` and `/`,
// so every spelling must carry them unchanged.
import { SyncWaveInputError } from "./errors";

/** A key of an object (string) or an index of an array (number). */
export type PathSegment = string | number;

interface Where {
    application?: string;
    field: string;
}

/** The reference tokens of a pointer, unescaped (`~1` is `/`, then `~0` is `~`, RFC 6901 section 4). */
export function parseJsonPointer(pointer: string, where: Where): string[] {
    if (typeof pointer !== "string" || !pointer.startsWith("/")) {
        throw new SyncWaveInputError(`"${String(pointer)}" is not a JSON pointer (it must start with /)`, where);
    }
    return pointer
        .slice(1)
        .split("/")
        .map((token) => {
            if (/~[^01]|~$/.test(token)) throw new SyncWaveInputError(`"${pointer}" has "~" not followed by 0 or 1 (write ~0 for ~ and ~1 for /)`, where);
            return token.replace(/~1/g, "/").replace(/~0/g, "~");
        });
}

/** Segments as a pointer: `~` becomes `~0`, `/` becomes `~1`. */
export function formatJsonPointer(segments: readonly PathSegment[]): string {
    return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/**
 * A pointer's tokens as segments: a token is an array index only where the document holds an array
 * (a ConfigMap's data key "0" stays a key). Where the document does not reach, digits are an index.
 */
export function pointerSegments(tokens: readonly string[], document?: unknown): PathSegment[] {
    let node: unknown = document;
    return tokens.map((token) => {
        const isIndex = /^(0|[1-9]\d*)$/.test(token) && (node === undefined || Array.isArray(node));
        const segment: PathSegment = isIndex ? Number(token) : token;
        node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[token] : undefined;
        return segment;
    });
}

const BARE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Segments as a Pulumi property path: `spec.template.metadata.annotations["example.com/x"]`,
 * `spec.containers[0].image`. Pulumi's parser (sdk/go/common/resource/properties_path.go) reads a bare
 * name up to the next `.` or `[`, and inside `["..."]` knows only the escape `\"`; so a key that is not
 * a plain identifier is quoted with `"` escaped, and a key ending in a backslash cannot be written.
 */
export function toPropertyPath(segments: readonly PathSegment[], where?: Where): string {
    return segments
        .map((s, i) => {
            if (typeof s === "number") return `[${s}]`;
            if (BARE_NAME.test(s)) return i === 0 ? s : `.${s}`;
            if (s.endsWith("\\")) {
                throw new SyncWaveInputError(`the key "${s}" ends in a backslash, which a Pulumi property path cannot express`, where ?? { field: "path" });
            }
            return `["${s.replace(/"/g, '\\"')}"]`;
        })
        .join("");
}

/** The inverse of toPropertyPath. */
export function parsePropertyPath(path: string): PathSegment[] {
    const segments: PathSegment[] = [];
    let rest = path;
    while (rest.length > 0) {
        if (rest.startsWith(".")) rest = rest.slice(1);
        if (rest.startsWith('["')) {
            let key = "";
            let i = 2;
            for (; i < rest.length && rest[i] !== '"'; i++) {
                if (rest[i] === "\\" && rest[i + 1] === '"') i++;
                key += rest[i];
            }
            if (rest[i + 1] !== "]") throw new Error(`property path ${path}: missing closing bracket`);
            segments.push(key);
            rest = rest.slice(i + 2);
        } else if (rest.startsWith("[")) {
            const end = rest.indexOf("]");
            if (end < 0) throw new Error(`property path ${path}: missing closing bracket`);
            segments.push(Number(rest.slice(1, end)));
            rest = rest.slice(end + 1);
        } else {
            const m = /^[^.[]+/.exec(rest);
            if (!m) throw new Error(`property path ${path}: expected a name at "${rest}"`);
            segments.push(m[0]);
            rest = rest.slice(m[0].length);
        }
    }
    return segments;
}

/** Whether `path` is `prefix` or lies under it, compared as pointer tokens (an index matches its digits). */
export function isUnder(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
    return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}
