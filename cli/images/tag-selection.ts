// Choosing the version to deploy from a registry's tags, as Argo CD Image Updater does
// (registry-scanner/pkg/image/version.go GetNewestVersionFromTags, registry-scanner/pkg/tag/tag.go
// for the orderings, the registry client for allow-tags and ignore-tags). Pure: the tags and what the
// registry said about them come in, the choice goes out.
import semver from "semver";
import type { ImageConfig, UpdateStrategy } from "./annotations";

export interface TagInfo {
    name: string;
    /** The manifest digest (digest strategy). */
    digest?: string;
    /** The image config's `created` (newest-build). */
    created?: Date;
}

/** Go's filepath.Match on a tag (no `/` in tags, so `*` is any run of characters). */
export function globMatches(pattern: string, text: string): boolean {
    let re = "^";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else if (c === "\\" && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
        else if (c === "[") {
            const end = pattern.indexOf("]", i + 1);
            if (end < 0) return false;
            let body = pattern.slice(i + 1, end);
            if (body.startsWith("^")) body = `\\^${body.slice(1)}`;
            re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
            i = end;
        } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
    }
    return new RegExp(`${re}$`).test(text);
}

/** The tags allow-tags admits and ignore-tags does not exclude (Go's regexp.MatchString: unanchored). */
export function filterTags(names: readonly string[], config: Pick<ImageConfig, "allowTags" | "ignoreTags">): string[] {
    return names.filter((n) => (!config.allowTags || config.allowTags.test(n)) && !config.ignoreTags.some((g) => globMatches(g, n)));
}

/**
 * A tag as github.com/Masterminds/semver/v3's NewVersion reads it: an optional `v`, and a missing
 * minor or patch counts as 0 (`v1.2` is 1.2.0); undefined when it is no version.
 */
export function tagVersion(tag: string): semver.SemVer | undefined {
    const m = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/.exec(tag);
    if (!m) return undefined;
    const text = `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}${m[4] ? `-${m[4]}` : ""}${m[5] ? `+${m[5]}` : ""}`;
    return semver.parse(text) ?? undefined;
}

/**
 * A Masterminds constraint as node-semver reads it: Masterminds separates AND-ed comparators with
 * commas or spaces, node-semver with spaces; both use `||`, `~`, `^`, `x` and hyphen ranges.
 */
export function constraintRange(constraint: string | undefined): semver.Range {
    const text = (constraint ?? "*").replace(/\s*,\s*/g, " ").trim() || "*";
    return new semver.Range(text);
}

/**
 * The tags the strategy considers, before any registry metadata is read: semver keeps the versions
 * inside the constraint, digest only the tracked tag, the others every tag.
 */
export function candidateTags(names: readonly string[], config: Pick<ImageConfig, "strategy" | "constraint">): string[] {
    switch (config.strategy) {
        case "semver": {
            // No constraint means "*", which, as in Image Updater, leaves pre-releases out.
            const range = constraintRange(config.constraint);
            return names.filter((n) => {
                const v = tagVersion(n);
                return v !== undefined && range.test(v);
            });
        }
        case "digest":
            return names.filter((n) => n === config.constraint);
        default:
            return [...names];
    }
}

/** The newest candidate by the strategy's order (Image Updater takes the last of the sorted list); undefined when none. */
export function newestTag(candidates: readonly TagInfo[], strategy: UpdateStrategy): TagInfo | undefined {
    const byName = (a: TagInfo, b: TagInfo) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const sorted = [...candidates];
    switch (strategy) {
        case "semver":
            sorted.sort((a, b) => semver.compare(tagVersion(a.name)!, tagVersion(b.name)!) || byName(a, b));
            break;
        case "newest-build":
            sorted.sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0) || byName(a, b));
            break;
        default:
            sorted.sort(byName);
    }
    return sorted.at(-1);
}

/**
 * Whether the live version differs from the chosen one (Image Updater's needsUpdate in
 * pkg/argocd/update.go): the digest strategy compares digests, a live image without one always
 * updates; the others compare tags (or digests, when either side has one).
 */
export function needsUpdate(live: { tag?: string; digest?: string }, chosen: TagInfo, strategy: UpdateStrategy): boolean {
    if (strategy === "digest") return !live.digest || live.digest !== chosen.digest;
    if (live.digest && chosen.digest) return live.digest !== chosen.digest;
    return (live.tag ?? "") !== chosen.name;
}
