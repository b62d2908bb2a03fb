// Glob matching as Argo CD does it for projects: `*` matches any characters, `/` included (repository
// URLs and namespaces are plain strings, not paths), and a leading `!` makes a pattern a denial.
import picomatch from "picomatch";

const cache = new Map<string, (s: string) => boolean>();

export function globMatch(pattern: string, value: string): boolean {
    // The empty pattern names the core API group: it matches only the empty string.
    if (pattern === "") return value === "";
    let matcher = cache.get(pattern);
    if (!matcher) {
        matcher = picomatch(pattern, { bash: true, dot: true });
        cache.set(pattern, matcher);
    }
    return matcher(value);
}

/**
 * Argo CD's allow/deny lists: a value is allowed when some plain pattern matches it and no `!`
 * pattern matches it. Returns the pattern that decided, for messages.
 */
export function allowedByList(patterns: readonly string[], value: string): { allowed: boolean; by?: string } {
    const deny = patterns.find((p) => p.startsWith("!") && globMatch(p.slice(1), value));
    if (deny) return { allowed: false, by: deny };
    const allow = patterns.find((p) => !p.startsWith("!") && globMatch(p, value));
    return allow ? { allowed: true, by: allow } : { allowed: false };
}
