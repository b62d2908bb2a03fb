// Which files a git files generator reads. Argo CD's repo-server lists them with
// `git ls-files --full-name -z -- <path>` (util/git/client.go, LsFiles, unless the controller runs with
// --enable-new-git-file-globbing, which is off by default), so `path` is a git pathspec:
//  - a path without wildcards matches that file, or every file under that directory;
//  - otherwise git's wildmatch without WM_PATHNAME: `*` and `**` match any run of characters
//    INCLUDING "/", `?` any one byte, `[...]` / `[!...]` / `[^...]` a class (POSIX [:alpha:] too),
//    `\` escapes. So "apps/*/config.json" also matches "apps/a/b/config.json", and
//    "apps/**/config.json" does not match "apps/config.json" (two slashes are needed).
// Ported from git's dir.c (match_pathspec_item) and wildmatch.c, byte by byte as git matches.

export class PathspecError extends Error {}

/** The pathspec as git normalizes it (prefix_path): "./" and "x/.." resolved; "" matches everything. */
export function normalizePathspec(pathspec: string): string {
    if (pathspec.startsWith(":")) {
        throw new PathspecError(`pathspec magic (${JSON.stringify(pathspec)}) is not supported: write a plain path or glob`);
    }
    if (pathspec.startsWith("/")) throw new PathspecError(`${JSON.stringify(pathspec)} is absolute: write a path relative to the repository root`);
    const parts: string[] = [];
    for (const part of pathspec.split("/")) {
        if (part === "" || part === ".") continue;
        if (part === "..") {
            if (parts.length === 0) throw new PathspecError(`${JSON.stringify(pathspec)} is outside the repository`);
            parts.pop();
        } else parts.push(part);
    }
    const joined = parts.join("/");
    return joined !== "" && pathspec.endsWith("/") ? `${joined}/` : joined;
}

const GLOB_SPECIAL = new Set(["*", "?", "[", "\\"]);

/** Whether git ls-files would list `file` (a repository-relative path) for the normalized pathspec. */
export function pathspecMatches(pathspec: string, file: string): boolean {
    if (pathspec === "") return true;
    if (file.startsWith(pathspec)) {
        if (file.length === pathspec.length) return true;
        if (pathspec.endsWith("/") || file[pathspec.length] === "/") return true;
    }
    if (![...pathspec].some((c) => GLOB_SPECIAL.has(c))) return false;
    return wildmatch(Buffer.from(pathspec, "utf8"), 0, Buffer.from(file, "utf8"), 0) === MATCH;
}

const MATCH = 0;
const NO_MATCH = 1;
const ABORT_ALL = -1;

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const COLON = 0x3a;
const BANG = 0x21;
const CARET = 0x5e;

const isGlobSpecial = (c: number | undefined) => c === STAR || c === QUESTION || c === OPEN || c === BACKSLASH;

/** git's dowild() with no flags (not WM_PATHNAME, not WM_CASEFOLD). */
function wildmatch(p: Uint8Array, pStart: number, text: Uint8Array, tStart: number): number {
    let pi = pStart;
    let ti = tStart;
    for (; pi < p.length; pi++, ti++) {
        let pc: number | undefined = p[pi];
        const tc: number | undefined = text[ti];
        if (tc === undefined && pc !== STAR) return ABORT_ALL;
        switch (pc) {
            case QUESTION:
                continue;
            case STAR: {
                // Without WM_PATHNAME, "*" and "**" are the same: any run of bytes, "/" included.
                while (p[pi + 1] === STAR) pi++;
                pi++;
                if (pi >= p.length) return MATCH;
                for (;;) {
                    if (ti >= text.length) break;
                    if (!isGlobSpecial(p[pi])) {
                        // A literal after the star: skip ahead to where it occurs.
                        while (ti < text.length && text[ti] !== p[pi]) ti++;
                        if (ti >= text.length) return NO_MATCH;
                    }
                    const matched = wildmatch(p, pi, text, ti);
                    if (matched !== NO_MATCH) return matched;
                    ti++;
                }
                return ABORT_ALL;
            }
            case OPEN: {
                const result = matchClass(p, pi, tc!);
                if (result.abort) return ABORT_ALL;
                if (!result.matched) return NO_MATCH;
                pi = result.end;
                continue;
            }
            case BACKSLASH:
                pc = p[++pi];
                if (tc !== pc) return NO_MATCH;
                continue;
            default:
                if (tc !== pc) return NO_MATCH;
                continue;
        }
    }
    return ti < text.length ? NO_MATCH : MATCH;
}

const POSIX_CLASSES: Record<string, (c: number) => boolean> = {
    alnum: (c) => /[A-Za-z0-9]/.test(String.fromCharCode(c)),
    alpha: (c) => /[A-Za-z]/.test(String.fromCharCode(c)),
    blank: (c) => c === 0x20 || c === 0x09,
    cntrl: (c) => c < 0x20 || c === 0x7f,
    digit: (c) => c >= 0x30 && c <= 0x39,
    graph: (c) => c > 0x20 && c < 0x7f,
    lower: (c) => c >= 0x61 && c <= 0x7a,
    print: (c) => c >= 0x20 && c < 0x7f,
    punct: (c) => c > 0x20 && c < 0x7f && !/[A-Za-z0-9]/.test(String.fromCharCode(c)),
    space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
    upper: (c) => c >= 0x41 && c <= 0x5a,
    xdigit: (c) => /[0-9A-Fa-f]/.test(String.fromCharCode(c)),
};

/** A bracket expression starting at p[open] against byte t: whether it matched, and where it ends (its "]"). */
function matchClass(p: Uint8Array, open: number, t: number): { matched: boolean; end: number; abort?: boolean } {
    let i = open + 1;
    let pc: number | undefined = p[i];
    if (pc === CARET) pc = BANG;
    const negated = pc === BANG;
    if (negated) pc = p[++i];
    let prev = 0;
    let matched = false;
    do {
        if (pc === undefined) return { matched: false, end: i, abort: true };
        if (pc === BACKSLASH) {
            pc = p[++i];
            if (pc === undefined) return { matched: false, end: i, abort: true };
            if (t === pc) matched = true;
        } else if (pc === DASH && prev !== 0 && p[i + 1] !== undefined && p[i + 1] !== CLOSE) {
            pc = p[++i];
            if (pc === BACKSLASH) {
                pc = p[++i];
                if (pc === undefined) return { matched: false, end: i, abort: true };
            }
            if (t <= pc! && t >= prev) matched = true;
            pc = 0;
        } else if (pc === OPEN && p[i + 1] === COLON) {
            const nameStart = i + 2;
            let j = nameStart;
            while (j < p.length && p[j] !== CLOSE) j++;
            if (j >= p.length) return { matched: false, end: j, abort: true };
            if (j - nameStart - 1 < 0 || p[j - 1] !== COLON) {
                // No ":]": the "[" is an ordinary member of the class.
                if (t === OPEN) matched = true;
                pc = OPEN;
            } else {
                const name = Buffer.from(p.subarray(nameStart, j - 1)).toString("latin1");
                const test = POSIX_CLASSES[name];
                if (!test) return { matched: false, end: j, abort: true };
                if (test(t)) matched = true;
                i = j;
                pc = 0;
            }
        } else if (t === pc) matched = true;
        prev = pc ?? 0;
        pc = p[++i];
    } while (pc !== CLOSE);
    return { matched: matched !== negated, end: i };
}
