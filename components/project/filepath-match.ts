// Resource filters (group, kind, name in the resource white- and blacklists) are matched with Go's
// filepath.Match, not with Argo CD's glob package (argo-cd pkg/apis/application/v1alpha1/types.go,
// isResourceInList and isNamedResourceInList). Its syntax differs: no `{a,b}`, a class is negated
// with `^` and may hold several ranges, `*` and `?` never cross `/`. A malformed pattern matches
// nothing, as Argo CD ignores a match that returned an error.

class PatternError extends Error {}

const SEPARATOR = "/";

function escapeOutside(c: string): string {
    return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeInClass(c: string): string {
    return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

/** filepath.Match's getEsc: one class character, `\` escaping the next; `-` and `]` are not allowed bare. */
function classChar(chars: string[], at: number): [string, number] {
    let c = chars[at];
    if (c === undefined || c === "-" || c === "]") throw new PatternError("bad pattern");
    if (c === "\\") {
        at++;
        c = chars[at];
        if (c === undefined) throw new PatternError("bad pattern");
    }
    if (at + 1 >= chars.length) throw new PatternError("bad pattern");
    return [c, at + 1];
}

function characterClass(chars: string[], start: number): [string, number] {
    let at = start;
    const negated = chars[at] === "^";
    if (negated) at++;
    const ranges: string[] = [];
    let count = 0;
    while (!(chars[at] === "]" && count > 0)) {
        let lo: string;
        [lo, at] = classChar(chars, at);
        let hi = lo;
        if (chars[at] === "-") [hi, at] = classChar(chars, at + 1);
        // Go accepts a reversed range and it simply matches nothing.
        if (lo <= hi) ranges.push(lo === hi ? escapeInClass(lo) : `${escapeInClass(lo)}-${escapeInClass(hi)}`);
        count++;
    }
    // A class may match the separator: filepath.Match does not exclude it there.
    if (ranges.length === 0) return [negated ? "[^]" : "(?!)", at + 1];
    return [`[${negated ? "^" : ""}${ranges.join("")}]`, at + 1];
}

function toRegExp(pattern: string): RegExp {
    const chars = Array.from(pattern);
    let out = "";
    let at = 0;
    while (at < chars.length) {
        const c = chars[at++];
        if (c === "*") out += `[^${SEPARATOR}]*`;
        else if (c === "?") out += `[^${SEPARATOR}]`;
        else if (c === "[") {
            let cls: string;
            [cls, at] = characterClass(chars, at);
            out += cls;
        } else if (c === "\\") {
            if (at >= chars.length) throw new PatternError("bad pattern");
            out += escapeOutside(chars[at++]);
        } else out += escapeOutside(c);
    }
    return new RegExp(`^${out}$`, "su");
}

const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 2000;

/** Go's filepath.Match(pattern, value) on a Unix system, false where Go returns an error. */
export function filepathMatch(pattern: string, value: string): boolean {
    let re = cache.get(pattern);
    if (re === undefined) {
        try {
            re = toRegExp(pattern);
        } catch {
            re = null;
        }
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(pattern, re);
    }
    return re?.test(value) ?? false;
}
