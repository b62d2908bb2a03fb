// signatureKeys against real GnuPG and git: keys made in the test, commits signed by the right key, by
// another key, and not at all. The status-line verdict is a table too.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf, parseVerifyOutput, signatureKeyErrors, signatureVerdict } from "../../components/project/signature-keys";
import { requireSignedCommit } from "../../components/source/commit-signature";

const FPR = "0123456789ABCDEF0123456789ABCDEF01234567";

describe("signature verdicts", () => {
    it.each([
        ["unsigned", "", false, /not signed/],
        ["a good signature by a listed key", `[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 89ABCDEF01234567 T\n[GNUPG:] VALIDSIG ${FPR} 2026-01-01 0 0 4 0 22 10 01 ${FPR}`, true, undefined],
        ["a bad signature", "[GNUPG:] NEWSIG\n[GNUPG:] BADSIG 89ABCDEF01234567 T", false, /bad signature/],
        ["a key not among the platform's", "[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG 1111222233334444 22 10 00 1 9 -\n[GNUPG:] NO_PUBKEY 1111222233334444", false, /could not be checked|not among/],
        ["an expired key", `[GNUPG:] NEWSIG\n[GNUPG:] EXPKEYSIG 89ABCDEF01234567 T\n[GNUPG:] VALIDSIG ${FPR} x`, false, /expired key/],
        ["a revoked key", "[GNUPG:] NEWSIG\n[GNUPG:] REVKEYSIG 89ABCDEF01234567 T", false, /revoked/],
    ])("%s", (_name, output, allowed, reason) => {
        const verdict = signatureVerdict(parseVerifyOutput(output), [{ keyID: "89ABCDEF01234567" }]);
        expect(verdict.allowed).toBe(allowed);
        if (!verdict.allowed && reason) expect(verdict.reason).toMatch(reason);
    });

    it("a good signature by a key not in the list is refused", () => {
        const verdict = signatureVerdict(parseVerifyOutput(`[GNUPG:] GOODSIG 89ABCDEF01234567 T\n[GNUPG:] VALIDSIG ${FPR} x`), [{ keyID: "FEDCBA9876543210" }]);
        expect(verdict).toEqual({ allowed: false, reason: expect.stringMatching(/not one of the Project's signatureKeys/) });
    });

    it("reads long key IDs and fingerprints, never short IDs or prefixes", () => {
        expect(keyIdOf(FPR)).toBe("89ABCDEF01234567");
        expect(keyIdOf("89abcdef01234567")).toBe("89ABCDEF01234567");
        expect(keyIdOf("01234567")).toBeUndefined();
        expect(signatureKeyErrors([{ keyID: "01234567" }])[0]).toMatch(/not a GnuPG key ID/);
        expect(signatureKeyErrors([{ keyID: FPR }])).toEqual([]);
        expect(signatureKeyErrors("x")).toEqual(["must be a list of {keyID}"]);
    });
});

describe("signed commits, verified with GnuPG and git", () => {
    const home = mkdtempSync(join(tmpdir(), "syncwave-test-gnupg-"));
    const repo = mkdtempSync(join(tmpdir(), "syncwave-test-signed-"));
    const env = { ...process.env, GNUPGHOME: home, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
    const gpg = (...args: string[]) => execFileSync("gpg", ["--batch", "--no-tty", ...args], { env, encoding: "utf8", timeout: 60_000 });
    const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "gpg.program=gpg", ...args], { cwd: repo, env, encoding: "utf8", timeout: 60_000 }).trim();
    const fingerprint = (uid: string) => gpg("--with-colons", "--list-keys", uid).split("\n").find((l) => l.startsWith("fpr:"))!.split(":")[9];
    let platformKey = "";
    let otherKey = "";
    const commits: Record<string, string> = {};

    beforeAll(() => {
        gpg("--passphrase", "", "--pinentry-mode", "loopback", "--quick-gen-key", "Platform <platform@example.com>", "ed25519", "sign", "never");
        gpg("--passphrase", "", "--pinentry-mode", "loopback", "--quick-gen-key", "Someone <someone@example.com>", "ed25519", "sign", "never");
        platformKey = fingerprint("platform@example.com");
        otherKey = fingerprint("someone@example.com");
        git("init", "-q", "-b", "main");
        writeFileSync(join(repo, "a.yaml"), "a: 1\n");
        git("add", ".");
        git("commit", "-q", `-S${platformKey}`, "-m", "signed by the platform key");
        commits.platform = git("rev-parse", "HEAD");
        git("commit", "-q", "--allow-empty", `-S${otherKey}`, "-m", "signed by another key");
        commits.other = git("rev-parse", "HEAD");
        git("commit", "-q", "--allow-empty", "-m", "unsigned");
        commits.unsigned = git("rev-parse", "HEAD");
    });
    afterAll(() => {
        execFileSync("gpgconf", ["--kill", "all"], { env });
    });

    // Only the platform's public key is given to the check, as syncwave:platform.gpgKeys gives it.
    const check = (commit: string, keyID: string) =>
        requireSignedCommit({ application: "shop", project: "shop", keys: [{ keyID }], publicKeys: [gpg("--armor", "--export", platformKey)], repoDir: repo, commit });

    it("syncs a commit signed by one of the Project's keys", async () => {
        await expect(check(commits.platform, platformKey)).resolves.toBeUndefined();
        await expect(check(commits.platform, platformKey.slice(24))).resolves.toBeUndefined();
    });
    it("refuses an unsigned commit, naming the application, the commit and the keys", async () => {
        await expect(check(commits.unsigned, platformKey)).rejects.toThrow(new RegExp(`application shop.*commit ${commits.unsigned} is refused: the commit is not signed.*${platformKey}`));
    });
    it("refuses a commit signed by a key the platform does not know", async () => {
        await expect(check(commits.other, platformKey)).rejects.toThrow(/is refused: .*not among the platform's public keys|could not be checked/);
    });
    it("refuses a commit signed by a known key the Project does not list", async () => {
        const both = requireSignedCommit({
            application: "shop",
            project: "shop",
            keys: [{ keyID: otherKey }],
            publicKeys: [gpg("--armor", "--export", platformKey)],
            repoDir: repo,
            commit: commits.platform,
        });
        await expect(both).rejects.toThrow(/not one of the Project's signatureKeys/);
    });
});
