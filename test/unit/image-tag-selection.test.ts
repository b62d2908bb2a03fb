// Choosing a version from a registry's tags, strategy by strategy, as Argo CD Image Updater chooses.
import { describe, expect, it } from "vitest";
import type { ImageConfig } from "../../cli/images/annotations";
import { candidateTags, filterTags, globMatches, needsUpdate, newestTag, tagVersion } from "../../cli/images/tag-selection";

const TAGS = ["1.2.0", "1.3.0", "1.3.1-rc.1", "2.0.0", "v1.4", "latest", "main-abc123", "1.10.0-beta", "0.9.9"];

function choose(config: Partial<ImageConfig>, infos?: Record<string, { digest?: string; created?: Date }>) {
    const full = { strategy: "semver", ignoreTags: [], ...config } as ImageConfig;
    const names = candidateTags(filterTags(TAGS, full), full);
    return newestTag(names.map((name) => ({ name, ...(infos?.[name] ?? {}) })), full.strategy)?.name;
}

describe("tag selection", () => {
    it.each([
        [undefined, "2.0.0"],
        ["~1", "v1.4"],
        ["~1.2", "1.2.0"],
        ["^1.2", "v1.4"],
        ["1.3.x", "1.3.0"],
        [">=1.0, <1.4", "1.3.0"],
        [">=1.0 <1.4", "1.3.0"],
        ["<1 || >=2", "2.0.0"],
        [">=1.3.1-rc.0 <1.3.2", "1.3.1-rc.1"],
        ["~3", undefined],
    ])("semver with constraint %s chooses %s (pre-releases only when the constraint asks)", (constraint, tag) => {
        expect(choose({ constraint })).toBe(tag);
    });

    it("reads tags as Masterminds semver does: a v prefix and missing parts", () => {
        expect(tagVersion("v1.4")?.version).toBe("1.4.0");
        expect(tagVersion("2")?.version).toBe("2.0.0");
        expect(tagVersion("latest")).toBeUndefined();
        expect(tagVersion("1.2.3.4")).toBeUndefined();
        expect(choose({ constraint: "~1" })).toBe("v1.4");
    });

    it("applies allow-tags (unanchored, as Go's MatchString) and ignore-tags globs before the strategy", () => {
        expect(choose({ allowTags: /^1\.3/ })).toBe("1.3.0");
        expect(choose({ ignoreTags: ["2.*", "v*"] })).toBe("1.3.0");
        expect(filterTags(TAGS, { allowTags: /abc/, ignoreTags: [] })).toEqual(["main-abc123"]);
        expect(globMatches("main-*", "main-abc123")).toBe(true);
        expect(globMatches("1.?.0", "1.3.0")).toBe(true);
        expect(globMatches("1.[23].0", "1.3.0")).toBe(true);
        expect(globMatches("1.[!23].0", "1.3.0")).toBe(false);
        expect(globMatches("1.*", "1.3.0")).toBe(true);
        expect(globMatches("1.3", "1.3.0")).toBe(false);
    });

    it("alphabetical takes the last name", () => {
        expect(choose({ strategy: "alphabetical" })).toBe("v1.4");
        expect(choose({ strategy: "alphabetical", allowTags: /^main-/ })).toBe("main-abc123");
    });

    it("newest-build takes the latest created date, ties by name", () => {
        const at = (d: string) => ({ created: new Date(d) });
        expect(choose({ strategy: "newest-build" }, { "1.2.0": at("2026-03-01"), "2.0.0": at("2026-01-01"), "main-abc123": at("2026-02-01") })).toBe("1.2.0");
        expect(choose({ strategy: "newest-build", allowTags: /^(1\.2\.0|0\.9\.9)$/ }, { "1.2.0": at("2026-03-01"), "0.9.9": at("2026-03-01") })).toBe("1.2.0");
    });

    it("digest considers only the tracked tag", () => {
        expect(candidateTags(TAGS, { strategy: "digest", constraint: "latest" })).toEqual(["latest"]);
        expect(candidateTags(TAGS, { strategy: "digest", constraint: "stable" })).toEqual([]);
    });

    it("decides whether the live version must change", () => {
        expect(needsUpdate({ tag: "1.2.0" }, { name: "1.3.0" }, "semver")).toBe(true);
        expect(needsUpdate({ tag: "1.3.0" }, { name: "1.3.0" }, "semver")).toBe(false);
        // The digest strategy updates an image running by tag alone, and one whose digest moved.
        expect(needsUpdate({ tag: "latest" }, { name: "latest", digest: "sha256:a" }, "digest")).toBe(true);
        expect(needsUpdate({ tag: "latest", digest: "sha256:a" }, { name: "latest", digest: "sha256:b" }, "digest")).toBe(true);
        expect(needsUpdate({ tag: "latest", digest: "sha256:b" }, { name: "latest", digest: "sha256:b" }, "digest")).toBe(false);
    });
});
