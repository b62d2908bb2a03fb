// `syncwave rollback ID|SHA`: redeploys an earlier revision. Git first: with --revert a revert commit
// in the source repository brings the old state back to the branch, so the next sync keeps it; without
// it the Application is pinned to that commit, and `reconcile` leaves it alone until `syncwave unpin`,
// as Argo CD turns automated sync off on a rollback.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { configObject, readProjectFile, stackConfigFile, stackConfigValues } from "../fast/stack-files";
import { simpleGit } from "simple-git";
import { normalizeRepoURL } from "../../components/source/git";
import { openStack, type StackOptions } from "../stack";
import { stackConfigJson } from "../stack-config-value";
import { history } from "./history";
import { appRecords, readState } from "./state";
import { sync, SyncError, type SyncResult } from "./sync";

export interface Pin {
    revision: string;
    pinnedAt: string;
    reason: string;
}

export async function readPins(options: StackOptions): Promise<Record<string, Pin>> {
    // The stack's configuration file, read as Pulumi reads it, without starting the Pulumi CLI.
    const cwd = resolve(options.cwd ?? process.cwd());
    const project = readProjectFile(cwd);
    const file = stackConfigFile(cwd, project, options.stack);
    if (file.text) return configObject<Record<string, Pin>>(stackConfigValues(file.text), "syncwave:pins") ?? {};
    return ((await stackConfigJson(options, "syncwave:pins")) as Record<string, Pin> | undefined) ?? {};
}

export async function writePins(options: StackOptions, pins: Record<string, Pin>): Promise<void> {
    const stack = await openStack(options);
    if (Object.keys(pins).length === 0) await stack.removeConfig("syncwave:pins");
    else await stack.setConfig("syncwave:pins", { value: JSON.stringify(pins) });
}

/** Which commit each Application goes back to: from a history entry, or one commit for one app. */
async function targetsFor(target: string, options: StackOptions & { app?: string }): Promise<Record<string, string>> {
    const isCommit = /^[0-9a-f]{7,40}$/.test(target);
    if (/^\d+$/.test(target)) {
        const entry = (await history(options)).find((e) => e.id === Number(target));
        if (entry) {
            const revisions = entry.revisions;
            if (Object.keys(revisions).length === 0) {
                throw new SyncError(
                    `update ${target} records no revisions (it was not made by 'syncwave sync'): roll back to a commit instead, 'syncwave rollback SHA --app NAME'`,
                );
            }
            if (!options.app) return revisions;
            if (!revisions[options.app]) {
                throw new SyncError(`update ${target} did not sync application ${options.app} (it synced ${Object.keys(revisions).join(", ")})`);
            }
            return { [options.app]: revisions[options.app] };
        }
        // A short commit SHA can be all digits: with --app, a number that is no update is a commit.
        if (!(isCommit && options.app)) {
            throw new SyncError(`there is no update ${target} in the history of stack ${options.stack}: 'syncwave history' lists the IDs`);
        }
    }
    if (!isCommit) throw new SyncError(`"${target}" is neither a history ID nor a commit SHA: 'syncwave history' lists both`);
    if (!options.app) throw new SyncError("rolling back to a commit needs --app: which application?");
    return { [options.app]: target };
}

/**
 * The revert commit: the Application's source path put back as it was at `to`, in a local working
 * copy, as one new commit on the branch. Only that path changes, so other applications sharing the
 * repository keep their state. Returns undefined when the path already matches `to`.
 */
async function revertInRepository(repoDir: string, branch: string, path: string, to: string, app: string): Promise<string | undefined> {
    const git = simpleGit(repoDir);
    const current = (await git.revparse(["--abbrev-ref", "HEAD"])).trim();
    if (current === "HEAD") throw new SyncError(`the source repository ${repoDir} is on a detached HEAD: check out the branch to revert on`);
    // targetRevision HEAD follows whatever branch the working copy has checked out.
    if (branch !== "HEAD" && current !== branch) {
        throw new SyncError(`the source repository ${repoDir} has ${current} checked out, not ${branch}: check out ${branch} to revert there`);
    }
    const status = await git.status();
    if (!status.isClean()) throw new SyncError(`the source repository ${repoDir} has uncommitted changes: commit or stash them first`);
    try {
        await git.raw(["cat-file", "-e", `${to}^{commit}`]);
    } catch {
        throw new SyncError(`commit ${to} is not in ${repoDir}: fetch it first`);
    }
    // Files added after `to` go too: clear the path, then take it from `to`.
    await git.raw(["rm", "-r", "-q", "--ignore-unmatch", "--", path]);
    await git.raw(["checkout", to, "--", path]).catch((err: Error) => {
        // The path did not exist at `to`: removing it is the revert.
        if (!/did not match/.test(err.message)) throw err;
    });
    const staged = (await git.raw(["diff", "--cached", "--name-only"])).trim();
    if (!staged) return undefined;
    await git.commit(`Revert ${app} to ${to.slice(0, 12)}\n\nRolled back with syncwave rollback: ${path} is back as it was at ${to}.`);
    return (await git.revparse(["HEAD"])).trim();
}

export async function rollback(
    target: string,
    options: StackOptions & { app?: string; revert?: boolean; progress?: (line: string) => void },
): Promise<SyncResult> {
    const progress = options.progress ?? (() => undefined);
    const goals = await targetsFor(target, options);
    if (options.revert) {
        const cwd = options.cwd ?? process.cwd();
        const records = appRecords(readState(options.stack, cwd, options.env));
        for (const [app, sha] of Object.entries(goals)) {
            const record = records.find((r) => r.application === app);
            if (!record) throw new SyncError(`application ${app} has not been synced in stack ${options.stack}`);
            const dir = normalizeRepoURL(record.repoURL, cwd);
            if (!existsSync(dir)) {
                throw new SyncError(`--revert works on a local working copy of the source; ${record.repoURL} is remote: revert in your clone and push, then sync`);
            }
            const commit = await revertInRepository(dir, record.targetRevision, record.path, sha, app);
            progress(
                commit
                    ? `${app}: revert commit ${commit} in ${record.repoURL} (${record.targetRevision})`
                    : `${app}: ${record.path} in ${record.repoURL} already matches ${sha.slice(0, 12)}: no commit needed`,
            );
        }
    }
    // Without --revert the Application is pinned; with it, git holds the rolled-back state, and a pin
    // would keep the branch's new commit from deploying.
    const pins = await readPins(options);
    let changed = false;
    for (const [app, sha] of Object.entries(goals)) {
        if (!options.revert) {
            pins[app] = { revision: sha, pinnedAt: new Date().toISOString(), reason: `rollback to ${target}` };
            progress(`${app}: pinned to ${sha} (reconcile leaves it alone until 'syncwave unpin ${app}')`);
            changed = true;
        } else if (pins[app]) {
            delete pins[app];
            progress(`${app}: unpinned; the branch is the source of truth again`);
            changed = true;
        }
    }
    if (changed) await writePins(options, pins);
    const apps = Object.keys(goals);
    return sync({ ...options, kind: "rollback", app: apps.length === 1 ? apps[0] : undefined });
}

export async function unpin(app: string, options: StackOptions): Promise<void> {
    const pins = await readPins(options);
    if (!pins[app]) throw new SyncError(`application ${app} is not pinned`);
    delete pins[app];
    await writePins(options, pins);
}
