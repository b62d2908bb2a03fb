// Go's path.Match, which the git directory generator filters directories with
// (applicationset/generators/git.go, filterApps). Ported from Go's src/path/match.go, rune by rune:
// `*` is any run of non-"/" characters, `?` one non-"/" character, `[...]` / `[^...]` a class (it may
// match "/"), `\` escapes. `**` is no more than `*`. A malformed pattern throws BadPatternError; Argo
// CD logs it and matches nothing, SyncWave refuses it so that a typo cannot silently empty a set.

export class BadPatternError extends Error {
    constructor(pattern: string) {
        super(`syntax error in pattern ${JSON.stringify(pattern)}`);
        this.name = "BadPatternError";
    }
}

type Chars = readonly string[];

export function goPathMatch(pattern: string, name: string): boolean {
    let p: Chars = Array.from(pattern);
    let n: Chars = Array.from(name);
    const bad = () => new BadPatternError(pattern);
    pattern: while (p.length > 0) {
        const { star, chunk, rest } = scanChunk(p);
        p = rest;
        if (star && chunk.length === 0) return !n.includes("/");
        const here = matchChunk(chunk, n, bad);
        if (here !== undefined && (here.length === 0 || p.length > 0)) {
            n = here;
            continue;
        }
        if (star) {
            for (let i = 0; i < n.length && n[i] !== "/"; i++) {
                const t = matchChunk(chunk, n.slice(i + 1), bad);
                if (t !== undefined) {
                    if (p.length === 0 && t.length > 0) continue;
                    n = t;
                    continue pattern;
                }
            }
        }
        // Before answering no, check that the rest of the pattern is well formed (as Go does).
        while (p.length > 0) {
            const next = scanChunk(p);
            p = next.rest;
            matchChunk(next.chunk, [], bad);
        }
        return false;
    }
    return n.length === 0;
}

function scanChunk(p: Chars): { star: boolean; chunk: Chars; rest: Chars } {
    let start = 0;
    while (start < p.length && p[start] === "*") start++;
    const star = start > 0;
    let inRange = false;
    for (let i = start; i < p.length; i++) {
        const c = p[i];
        if (c === "\\") {
            if (i + 1 < p.length) i++;
        } else if (c === "[") inRange = true;
        else if (c === "]") inRange = false;
        else if (c === "*" && !inRange) return { star, chunk: p.slice(start, i), rest: p.slice(i) };
    }
    return { star, chunk: p.slice(start), rest: [] };
}

/** The rest of s after chunk matched its beginning, or undefined. Throws on a malformed chunk. */
function matchChunk(chunkIn: Chars, sIn: Chars, bad: () => Error): Chars | undefined {
    let chunk = chunkIn;
    let s = sIn;
    let failed = false;
    while (chunk.length > 0) {
        failed = failed || s.length === 0;
        const c = chunk[0];
        if (c === "[") {
            const r = failed ? "" : s[0];
            if (!failed) s = s.slice(1);
            chunk = chunk.slice(1);
            let negated = false;
            if (chunk.length > 0 && chunk[0] === "^") {
                negated = true;
                chunk = chunk.slice(1);
            }
            let match = false;
            let ranges = 0;
            for (;;) {
                if (chunk.length > 0 && chunk[0] === "]" && ranges > 0) {
                    chunk = chunk.slice(1);
                    break;
                }
                const lo = getEsc(chunk, bad);
                chunk = lo.rest;
                let hi = lo.char;
                if (chunk[0] === "-") {
                    const h = getEsc(chunk.slice(1), bad);
                    chunk = h.rest;
                    hi = h.char;
                }
                if (!failed && lo.char.codePointAt(0)! <= r.codePointAt(0)! && r.codePointAt(0)! <= hi.codePointAt(0)!) match = true;
                ranges++;
            }
            failed = failed || match === negated;
        } else if (c === "?") {
            if (!failed) {
                failed = s[0] === "/";
                s = s.slice(1);
            }
            chunk = chunk.slice(1);
        } else {
            if (c === "\\") {
                chunk = chunk.slice(1);
                if (chunk.length === 0) throw bad();
            }
            if (!failed) {
                failed = chunk[0] !== s[0];
                s = s.slice(1);
            }
            chunk = chunk.slice(1);
        }
    }
    return failed ? undefined : s;
}

function getEsc(chunkIn: Chars, bad: () => Error): { char: string; rest: Chars } {
    let chunk = chunkIn;
    if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") throw bad();
    if (chunk[0] === "\\") {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw bad();
    }
    const rest = chunk.slice(1);
    if (rest.length === 0) throw bad();
    return { char: chunk[0], rest };
}

/** Throws BadPatternError when Go's path.Match would report the pattern malformed. */
export function checkGoPattern(pattern: string): void {
    goPathMatch(pattern, "");
}
