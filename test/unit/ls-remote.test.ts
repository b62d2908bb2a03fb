// Which commit a revision names on the remote, from `git ls-remote` output; used to skip a fetch
// when the mirror already has it, only where git's rev-parse would name the same commit.
import { describe, expect, it } from "vitest";
import { commitFromLsRemote, unambiguousCommit } from "../../components/source/ls-remote";

const out = [
    `${"a".repeat(40)}\tHEAD`,
    `${"b".repeat(40)}\trefs/heads/main`,
    `${"c".repeat(40)}\trefs/heads/both`,
    `${"d".repeat(40)}\trefs/tags/both`,
    `${"e".repeat(40)}\trefs/tags/v1`,
    `${"f".repeat(40)}\trefs/tags/v1^{}`,
].join("\n");

describe("ls-remote", () => {
    it("names a branch, a peeled tag, HEAD, a full ref; a SHA is itself", () => {
        expect(commitFromLsRemote(out, "main")).toBe("b".repeat(40));
        expect(commitFromLsRemote(out, "v1")).toBe("f".repeat(40));
        expect(commitFromLsRemote(out, "HEAD")).toBe("a".repeat(40));
        expect(commitFromLsRemote(out, "refs/heads/main")).toBe("b".repeat(40));
        expect(commitFromLsRemote(out, "1".repeat(40))).toBe("1".repeat(40));
        expect(commitFromLsRemote(out, "nope")).toBeUndefined();
    });

    it("leaves a name that is both a branch and a tag to a fetch", () => {
        expect(commitFromLsRemote(out, "both")).toBe("c".repeat(40));
        expect(unambiguousCommit(out, "both")).toBeUndefined();
        expect(unambiguousCommit(out, "main")).toBe("b".repeat(40));
        expect(unambiguousCommit(out, "v1")).toBe("f".repeat(40));
        expect(unambiguousCommit(out, undefined)).toBe("a".repeat(40));
        expect(unambiguousCommit(out, "refs/tags/both")).toBe("d".repeat(40));
        expect(unambiguousCommit(out, "nope")).toBeUndefined();
        expect(unambiguousCommit(out, "abc1234")).toBeUndefined();
    });
});

describe("currentCommit", () => {
    it("asks the remote for a branch or HEAD, answers a full SHA without asking, and undefined when unreachable", async () => {
        const { TestRepo } = await import("../helpers/git");
        const { currentCommit } = await import("../../components/source/git");
        const repo = new TestRepo();
        const first = repo.commit({ "a.txt": "1" });
        expect(await currentCommit(repo.url, "main", {})).toBe(first);
        expect(await currentCommit(repo.url, undefined, {})).toBe(first);
        const second = repo.commit({ "a.txt": "2" });
        // Asked again after the first answer settled: the remote is asked again.
        expect(await currentCommit(repo.url, "main", {})).toBe(second);
        expect(await currentCommit("file:///nonexistent/repo", "main", {})).toBeUndefined();
        expect(await currentCommit("file:///nonexistent/repo", "a".repeat(40), {})).toBe("a".repeat(40));
        expect(await currentCommit(repo.url, "no-such-branch", {})).toBeUndefined();
    });
});
