// Repository URLs: how they are normalised and compared (argo-cd util/git NormalizeGitURL and
// SameURL), and which repository credentials apply to a URL.
import { describe, expect, it } from "vitest";
import { normalizeRepoURL, repoIdentity, sameRepoURL } from "../../components/project/repo-url";
import { credentialsFor } from "../../components/source/credentials";

describe("normalised repository URLs", () => {
    it.each([
        // argo-cd util/git TestSameURL
        ["git@GITHUB.com:argoproj/test", "git@github.com:argoproj/test.git"],
        ["git@GITHUB.com:test.git", "git@github.com:test.git"],
        ["https://GITHUB.com/argoproj/test", "https://github.com/argoproj/test.git"],
        ["https://github.com/FOO", "https://github.com/foo"],
        ["https://github.com:4443/TEST", "https://github.com:4443/TEST.git"],
        ["ssh://git@GITHUB.com/argoproj/test", "git@github.com:argoproj/test.git"],
        ["ssh://git@github.com/test", "git@github.com:test.git"],
        [" https://github.com/argoproj/test ", "https://github.com/argoproj/test.git"],
        ["\thttps://github.com/argoproj/test\n", "https://github.com/argoproj/test.git"],
        ["https://dev.azure.com/1234/myproj/_git/myrepo", "https://dev.azure.com/1234/myproj/_git/myrepo"],
        // SyncWave also drops trailing slashes.
        ["https://git.example.com/shop/secrets/", "https://git.example.com/shop/secrets"],
        ["https://git.example.com/shop/secrets.git/", "https://git.example.com/shop/secrets"],
        ["./", "."],
        // A scheme with the scp form: a port is digits only.
        ["ssh://git@github.com:argoproj/test", "git@github.com:argoproj/test"],
    ])("%s is the same repository as %s", (a, b) => {
        expect(sameRepoURL(a, b)).toBe(true);
    });

    it.each([
        ["https://github.com/argoproj/test", "git@github.com:argoproj/test"],
        ["https://github.com:4443/test", "https://github.com/test"],
        ["ssh://git@github.com:2222/test", "git@github.com:test"],
        ["https://github.com/argoproj/test", "https://github.com/argoproj/test2"],
        ["", ""],
    ])("%s is not the same URL as %s", (a, b) => {
        expect(sameRepoURL(a, b)).toBe(false);
    });

    it.each([
        ["git@github.com:argoproj/test.git", "git@github.com/argoproj/test"],
        ["ssh://git@github.com:2222/test", "git@github.com:2222/test"],
        ["HTTPS://Git.Example.com/Shop/", "https://git.example.com/shop"],
        ["file:///tmp/Repo/", "file:///tmp/repo"],
        ["file:///", "file:///"],
        ["/", "/"],
    ])("%s normalises to %s", (url, normal) => {
        expect(normalizeRepoURL(url)).toBe(normal);
    });

    it.each([
        ["https://git.example.com/shop/secrets", "git.example.com/shop/secrets"],
        ["git@git.example.com/shop/secrets", "git.example.com/shop/secrets"],
        ["https://user:token@git.example.com:8443/shop", "git.example.com/shop"],
        ["git@github.com:2222/test", "github.com/test"],
        ["file:///tmp/repo", undefined],
        [".", undefined],
    ])("%s is the repository %s whatever the transport", (normalized, identity) => {
        expect(repoIdentity(normalized)).toBe(identity);
    });
});

describe("repository credentials by URL prefix", () => {
    const table = {
        "https://git.example.com": "host",
        "https://git.example.com/team/": "team",
        "HTTPS://GIT.example.com/team/special.git": "special",
        "git@git.example.com:": "ssh",
    };
    it.each([
        ["https://git.example.com/x/y.git", "host"],
        ["https://git.example.com", "host"],
        ["https://git.example.com.evil.io/x", undefined],
        ["https://git.example.comx/y", undefined],
        ["https://git.example.com:8443/x", undefined],
        ["https://git.example.com/team/app", "team"],
        ["https://git.example.com/team-other/x", "host"],
        ["https://git.example.com/team/special", "special"],
        ["https://git.example.com/team/special.git", "special"],
        ["https://git.example.com/team/special-two", "team"],
        ["https://GIT.EXAMPLE.COM/team/app/", "team"],
        ["git@git.example.com:team/app.git", "ssh"],
        ["ssh://git@git.example.com/team/app.git", "ssh"],
        ["https://other.example.com/x", undefined],
    ])("%s uses %s", (repoURL, expected) => {
        expect(credentialsFor(repoURL, table)).toBe(expected);
    });

    it.each([
        [{ "https://git.example.com/": "host" }, "https://git.example.com/x/y.git", "host"],
        [{ "https://git.example.com/": "host" }, "https://git.example.com.evil.io/x", undefined],
        [{ "https://git.example.com/team": "team" }, "https://git.example.com/team-other/x", undefined],
        [{ "https://git.example.com/team": "team" }, "https://git.example.com/team/x", "team"],
        [{ "./": "local" }, "./", "local"],
        [{}, "https://git.example.com/x", undefined],
    ])("%o: %s uses %s", (t: Record<string, string>, repoURL, expected) => {
        expect(credentialsFor(repoURL, t)).toBe(expected);
    });

    it("has no credentials without a table", () => {
        expect(credentialsFor("https://git.example.com/x", undefined)).toBeUndefined();
    });
});
