// Verifies the commit an Application is about to sync against its Project's signatureKeys, as Argo CD's
// repo server does for the resolved revision (argo-cd util/git/client.go VerifyCommitSignature, then
// util/sourceintegrity/gpg.go VerifyGnuPGSignature): GnuPG and git, in a GNUPGHOME made for this one
// check that holds only the platform's public keys, so neither the machine's keyring nor its trust
// settings decide. Every gpg and git call has a timeout.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SignatureKey } from "../project/project-spec";
import { parseVerifyOutput, signatureVerdict, type SignatureResult } from "../project/signature-keys";
import { SyncWaveInputError } from "../sync/errors";

export interface CommitSignatureCheck {
    application: string;
    project: string;
    /** The Project's signatureKeys; none means no check. */
    keys: readonly SignatureKey[] | undefined;
    /** ASCII-armored public keys from the platform source (syncwave:platform.gpgKeys). */
    publicKeys: readonly string[];
    /** A git work tree (or repository) that holds the commit. */
    repoDir: string;
    commit: string;
    timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 1024 * 1024;

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string | undefined, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        execFile(file, args, { env, cwd, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT, encoding: "utf8" }, (err, stdout, stderr) => {
            if (err && (err as { killed?: boolean }).killed) {
                reject(new Error(`${file} ${args[0]} did not finish within ${Math.round(timeoutMs / 1000)}s`));
                return;
            }
            if (err && typeof (err as { code?: unknown }).code !== "number") {
                reject(new Error(`${file} could not run: ${err.message}`));
                return;
            }
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
    });
}

/** The status lines of `git verify-commit --raw` for one commit, with only `publicKeys` in the keyring. */
export async function verifyCommit(repoDir: string, commit: string, publicKeys: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SignatureResult> {
    const home = await mkdtemp(join(tmpdir(), "syncwave-gnupg-"));
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        GNUPGHOME: home,
        LANG: "C",
        LC_ALL: "C",
        // The machine's git configuration must not choose another gpg program or format.
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
    };
    try {
        const keyFile = join(home, "platform-keys.asc");
        await writeFile(keyFile, publicKeys.join("\n"), { mode: 0o600 });
        const imported = await run("gpg", ["--batch", "--no-tty", "--quiet", "--import", keyFile], env, undefined, timeoutMs);
        if (imported.code !== 0) throw new Error(`importing the platform's public keys failed: ${imported.stderr.trim().split("\n").slice(-3).join("; ")}`);
        const verified = await run(
            "git",
            ["-c", "gpg.format=openpgp", "-c", "gpg.program=gpg", "verify-commit", "--raw", commit],
            env,
            repoDir,
            timeoutMs,
        );
        // git exits 1 for an unsigned or bad signature: the status lines decide, not the exit code.
        if (verified.code !== 0 && !verified.stderr.includes("[GNUPG:]") && verified.stderr.trim() !== "") {
            // No status lines: git printed why (unsigned commits print nothing).
            if (!/no signature|not signed/i.test(verified.stderr)) throw new Error(`git verify-commit failed: ${verified.stderr.trim().split("\n")[0]}`);
        }
        return parseVerifyOutput(verified.stderr);
    } finally {
        // Importing may have started an agent for this home; it must not outlive the check.
        await run("gpgconf", ["--kill", "all"], env, undefined, 5_000).catch(() => undefined);
        await rm(home, { recursive: true, force: true });
    }
}

/**
 * Refuses (SyncWaveInputError naming the Application, the commit and the Project's keys) a commit that
 * is unsigned or not signed by one of the Project's keys. Nothing is applied before this passes.
 */
export async function requireSignedCommit(check: CommitSignatureCheck): Promise<void> {
    const keys = check.keys ?? [];
    if (keys.length === 0) return;
    const keyList = keys.map((k) => k.keyID).join(", ");
    const where = { application: check.application, field: `project ${check.project} signatureKeys` };
    if (check.publicKeys.length === 0) {
        throw new SyncWaveInputError(
            `project ${check.project} requires commits signed by ${keyList}, but the platform source gives no public keys (syncwave:platform.gpgKeys); commit ${check.commit} cannot be verified`,
            where,
        );
    }
    let result: SignatureResult;
    try {
        result = await verifyCommit(check.repoDir, check.commit, check.publicKeys, check.timeoutMs);
    } catch (err) {
        throw new SyncWaveInputError(`verifying the signature of commit ${check.commit} failed: ${(err as Error).message}`, where);
    }
    const verdict = signatureVerdict(result, keys);
    if (!verdict.allowed) {
        throw new SyncWaveInputError(`commit ${check.commit} is refused: ${verdict.reason}; project ${check.project} requires a signature by one of ${keyList}`, where);
    }
}
