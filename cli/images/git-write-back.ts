// Image Updater's git write-back (pkg/argocd/git.go commitChangesGit): a fresh clone of the
// Application's repository at the branch to write, one file edited, one commit, one push. Credentials
// are git's own (credential helpers, SSH agent, a token in the environment's git configuration).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { normalizeRepoURL } from "../../components/source/git";

const GIT_TIMEOUT_MS = 120_000;

export interface WriteCheckout {
    dir: string;
    branch: string;
    git: SimpleGit;
    dispose(): void;
}

function client(dir: string): SimpleGit {
    return simpleGit({ baseDir: dir, timeout: { block: GIT_TIMEOUT_MS } });
}

/**
 * Clones `repoURL` at `branch` (undefined: the repository's default branch) into a temporary folder.
 * A tag or a commit is refused: a commit can only go onto a branch.
 */
export async function cloneForWriteBack(repoURL: string, branch: string | undefined, baseDir: string): Promise<WriteCheckout> {
    if (branch && /^[0-9a-f]{7,40}$/.test(branch)) throw new Error(`${branch} is a commit, not a branch: name the branch to commit to with argocd-image-updater.argoproj.io/git-branch`);
    const dir = mkdtempSync(join(tmpdir(), "syncwave-images-"));
    const dispose = () => rmSync(dir, { recursive: true, force: true });
    try {
        const url = normalizeRepoURL(repoURL, baseDir);
        await client(tmpdir()).clone(url, dir, ["--quiet", "--single-branch", "--no-tags", ...(branch ? ["--branch", branch] : [])]);
        const git = client(dir);
        const head = (await git.raw(["symbolic-ref", "-q", "--short", "HEAD"]).catch(() => "")).trim();
        if (!head) throw new Error(`${branch} is a tag, not a branch: name the branch to commit to with argocd-image-updater.argoproj.io/git-branch`);
        return { dir, branch: head, git, dispose };
    } catch (err) {
        dispose();
        throw new Error(`git clone of ${repoURL}${branch ? ` at ${branch}` : ""}: ${(err as Error).message.trim()}`);
    }
}

/** The change of `file` as a unified diff (a new file shows as added). */
export async function diffOf(checkout: WriteCheckout, file: string): Promise<string> {
    await checkout.git.raw(["add", "--intent-to-add", "--", file]);
    return checkout.git.raw(["diff", "--", file]);
}

/**
 * Commits `file` and pushes the commit to the branch; returns its SHA. The author is git's configured
 * user, or Image Updater's default identity when none is configured.
 */
export async function commitAndPush(checkout: WriteCheckout, file: string, message: string): Promise<string> {
    const { git } = checkout;
    await git.add(["--", file]);
    const configured = (await git.raw(["config", "--get", "user.email"]).catch(() => "")).trim();
    const identity = configured ? [] : ["-c", "user.name=argocd-image-updater", "-c", "user.email=noreply@argoproj.io"];
    await git.raw([...identity, "commit", "--quiet", "--no-verify", "-m", message]);
    const sha = (await git.revparse(["HEAD"])).trim();
    try {
        await git.raw(["push", "--quiet", "origin", `HEAD:refs/heads/${checkout.branch}`]);
    } catch (err) {
        throw new Error(`git push to ${checkout.branch}: ${(err as Error).message.trim()} (if the branch moved meanwhile, run the update again)`);
    }
    return sha;
}
