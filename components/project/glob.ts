// Globs as Argo CD matches them (argo-cd util/glob/glob.go, which compiles github.com/gobwas/glob):
//   `*`      any run of characters except the separators
//   `**`     any run of characters, separators included
//   `?`      one character except a separator
//   `[abc]`, `[a-z]`, `[!abc]`, `[!a-z]`   one character of (or not of) a list or a single range
//   `{a,b}`  alternatives, which may nest and hold globs
//   `\c`     the character c itself
// Argo CD passes no separator for destinations, names and sync windows, so there `*` crosses `/`;
// sourceRepos pass "/" (IsSourcePermitted), so there `*` stays inside one path segment. A pattern
// that does not compile matches nothing, as Argo CD's glob.Match.

class GlobSyntaxError extends Error {}

function escapeOutside(c: string): string {
    return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeInClass(c: string): string {
    return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

/** Translates one glob into a regular expression source, following gobwas/glob's lexer and parser. */
class GlobCompiler {
    private pos = 0;
    private readonly chars: string[];
    private readonly notSeparator: string;

    constructor(pattern: string, separators: string) {
        this.chars = Array.from(pattern);
        this.notSeparator = separators ? `[^${Array.from(separators).map(escapeInClass).join("")}]` : ".";
    }

    compile(): string {
        return `^${this.sequence(false)}$`;
    }

    private sequence(inAlternatives: boolean): string {
        let out = "";
        while (this.pos < this.chars.length) {
            const c = this.chars[this.pos];
            // `,` and `}` are plain text outside braces, as in gobwas/glob.
            if (inAlternatives && (c === "," || c === "}")) break;
            this.pos++;
            if (c === "*") {
                if (this.chars[this.pos] === "*") {
                    this.pos++;
                    out += ".*";
                } else {
                    out += `${this.notSeparator}*`;
                }
            } else if (c === "?") {
                out += this.notSeparator;
            } else if (c === "[") {
                out += this.characterClass();
            } else if (c === "{") {
                out += this.alternatives();
            } else if (c === "\\") {
                // A trailing backslash escapes nothing and is dropped, as gobwas/glob does.
                if (this.pos < this.chars.length) out += escapeOutside(this.chars[this.pos++]);
            } else {
                out += escapeOutside(c);
            }
        }
        return out;
    }

    private alternatives(): string {
        const options = [this.sequence(true)];
        while (this.chars[this.pos] === ",") {
            this.pos++;
            options.push(this.sequence(true));
        }
        // An unclosed `{` ends with the pattern: gobwas/glob accepts it.
        if (this.chars[this.pos] === "}") this.pos++;
        return `(?:${options.join("|")})`;
    }

    private characterClass(): string {
        let negated = false;
        if (this.chars[this.pos] === "!") {
            negated = true;
            this.pos++;
        }
        const open = negated ? "[^" : "[";
        if (this.pos >= this.chars.length) throw new GlobSyntaxError("unexpected end of input");
        // A single range `lo-hi`: the low end is read as is, escapes included.
        if (this.chars[this.pos + 1] === "-") {
            const lo = this.chars[this.pos];
            const hi = this.chars[this.pos + 2];
            if (hi === undefined) throw new GlobSyntaxError("unexpected end of input");
            if (this.chars[this.pos + 3] !== "]") throw new GlobSyntaxError("expected close range character");
            if (hi < lo) throw new GlobSyntaxError(`hi character '${hi}' should be greater than lo '${lo}'`);
            this.pos += 4;
            return `${open}${escapeInClass(lo)}-${escapeInClass(hi)}]`;
        }
        // Otherwise a list of characters up to the first unescaped `]`.
        let list = "";
        while (this.pos < this.chars.length && this.chars[this.pos] !== "]") {
            let c = this.chars[this.pos++];
            if (c === "\\") {
                if (this.pos >= this.chars.length) break;
                c = this.chars[this.pos++];
            }
            list += escapeInClass(c);
        }
        if (this.chars[this.pos] !== "]") throw new GlobSyntaxError("unexpected end of input");
        if (list === "") throw new GlobSyntaxError("could not parse range");
        this.pos++;
        return `${open}${list}]`;
    }
}

const cache = new Map<string, RegExp | null>();
// Patterns come from configuration that other teams write: keep the cache bounded.
const CACHE_LIMIT = 2000;

function compiled(pattern: string, separators: string): RegExp | null {
    const key = `${separators}\u0000${pattern}`;
    let re = cache.get(key);
    if (re === undefined) {
        try {
            re = new RegExp(new GlobCompiler(pattern, separators).compile(), "su");
        } catch {
            re = null;
        }
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(key, re);
    }
    return re;
}

/** Whether `value` matches the glob; `separators` are the characters `*` and `?` never cross. */
export function globMatch(pattern: string, value: string, separators = ""): boolean {
    return compiled(pattern, separators)?.test(value) ?? false;
}
