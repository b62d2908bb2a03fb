// Git sources: fetched with simple-git into a cache of bare mirrors, the target revision resolved to a
// commit SHA, and that commit checked out once into a worktree that later syncs reuse.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { parseDuration } from "../duration";
import { CacheLockTimeout, withCacheLock } from "./cache-lock";
import { commitFromLsRemote, unambiguousCommit } from "./ls-remote";

export interface GitCredentials {
    username?: string;
    password?: string;
}

export interface GitFetchOptions {
    /** Where mirrors and checkouts are kept. */
    cacheDir: string;
    /** Relative local paths in repoURL resolve against this folder (the Pulumi project). */
    baseDir?: string;
    credentials?: GitCredentials;
    /** Give up on a git command that shows no progress for this long. */
    timeoutMs?: number;
}

export interface FetchedRevision {
    repoURL: string;
    /** The revision as asked for: branch, tag, SHA or HEAD. */
    targetRevision: string;
    /** The commit it resolved to. */
    commit: string;
    /** A checkout of the whole repository at that commit. */
    checkoutDir: string;
}

export class GitSourceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GitSourceError";
    }
}

/** The URL git is given: relative local paths become absolute so the cache key is stable. */
export function normalizeRepoURL(repoURL: string, baseDir = process.cwd()): string {
    if (repoURL.startsWith("./") || repoURL.startsWith("../") || repoURL === ".") return resolve(baseDir, repoURL);
    if (repoURL.startsWith("file://")) {
        const path = repoURL.slice("file://".length);
        return isAbsolute(path) ? path : resolve(baseDir, path);
    }
    return repoURL;
}

function hashOf(s: string): string {
    return createHash("sha256").update(s).digest("hex").slice(0, 16);
}

/** Where the cache keeps the bare mirror of a repository (it may not exist yet). */
export function mirrorPath(repoURL: string, cacheDir: string, baseDir?: string): string {
    return mirrorOf(normalizeRepoURL(repoURL, baseDir), cacheDir);
}

/** The bare mirror of an already normalized URL. */
function mirrorOf(url: string, cacheDir: string): string {
    return join(cacheDir, "mirrors", `${hashOf(url)}.git`);
}

/** The git cache of the project in `projectDir`: SYNCWAVE_CACHE, else the project's `.syncwave`. */
export function gitCacheDir(projectDir: string): string {
    return join(process.env.SYNCWAVE_CACHE ?? join(projectDir, ".syncwave"), "git");
}

/** The Basic authorization value git sends: the form of the token that would show in a header dump. */
function basicAuth(credentials: GitCredentials | undefined): string | undefined {
    const { username, password } = credentials ?? {};
    return password ? Buffer.from(`${username ?? "git"}:${password}`).toString("base64") : undefined;
}

const DEFAULT_GIT_TIMEOUT_MS = 120_000;

/**
 * How long a git command may show no progress before it is stopped: the option, else
 * SYNCWAVE_GIT_TIMEOUT (a duration: 30s, 2m), else 2 minutes. A server that accepts a connection and
 * never answers would otherwise hold a sync for good.
 */
export function gitTimeoutMs(options: { timeoutMs?: number } = {}): number {
    if (options.timeoutMs) return options.timeoutMs;
    const env = process.env.SYNCWAVE_GIT_TIMEOUT;
    const parsed = env ? parseDuration(env) : undefined;
    if (env && !parsed) throw new GitSourceError(`SYNCWAVE_GIT_TIMEOUT=${env} is not a duration (30s, 2m, 1h)`);
    return parsed ?? DEFAULT_GIT_TIMEOUT_MS;
}

/** A git failure as a person reads it: a stall says how long was waited and how to change that. */
function failureOf(err: unknown, options: GitFetchOptions): string {
    if ((err as { plugin?: string }).plugin === "timeout") {
        return `no progress within ${gitTimeoutMs(options) / 1000}s, so git was stopped (SYNCWAVE_GIT_TIMEOUT sets how long a git command may stall)`;
    }
    return scrub((err as Error).message, options);
}

/** git for one folder (or none), with SyncWave's environment and a stall timeout. */
function gitFor(dir: string | undefined, options: GitFetchOptions): SimpleGit {
    return simpleGit({
        baseDir: dir,
        timeout: { block: gitTimeoutMs(options) },
        // simple-git refuses git configuration from the environment unless told: the credentials below
        // are the only configuration SyncWave puts there.
        unsafe: { allowUnsafeConfigEnvCount: true },
        allowEnvironment: ["GIT_TERMINAL_PROMPT", "GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"],
    }).env(gitEnvironment(options.credentials));
}

/**
 * The environment git runs with: what it needs to find itself, SSH agents and proxies; never a prompt.
 * Credentials travel as an HTTP header set through git's environment configuration (GIT_CONFIG_COUNT,
 * git 2.31 and later): not on the command line, where `ps` shows them to every user of the machine, not
 * in the URL, and not in any config file. git hands it on to its HTTP helper through the environment.
 */
function gitEnvironment(credentials: GitCredentials | undefined): Record<string, string> {
    const keep = ["PATH", "HOME", "LANG", "TMPDIR", "SSH_AUTH_SOCK", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"];
    // Git must never wait for a person typing a password.
    const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0" };
    for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    const basic = basicAuth(credentials);
    if (basic) {
        env.GIT_CONFIG_COUNT = "1";
        env.GIT_CONFIG_KEY_0 = "http.extraHeader";
        env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
    }
    return env;
}

/** Error text with every credential removed: git errors may echo a header or a URL with a password. */
function scrub(message: string, options: GitFetchOptions): string {
    let text = message.replace(/Authorization: Basic [A-Za-z0-9+/=]+/g, "Authorization: Basic ***");
    for (const secret of [options.credentials?.password, basicAuth(options.credentials)]) {
        if (secret) text = text.split(secret).join("***");
    }
    return text.trim().split("\n").slice(0, 6).join("\n");
}

/**
 * `git ls-remote` of a repository (a URL or a path relative to `baseDir`): the refs it has now, in one
 * cheap query, with the same safe environment and credentials as a fetch.
 */
export async function lsRemote(repoURL: string, options: Omit<GitFetchOptions, "cacheDir">): Promise<string> {
    const url = normalizeRepoURL(repoURL, options.baseDir);
    try {
        return await gitFor(options.baseDir, { ...options, cacheDir: "" }).listRemote([url]);
    } catch (err) {
        throw new GitSourceError(`git ls-remote of ${url} failed: ${failureOf(err, { ...options, cacheDir: "" })}`);
    }
}

/**
 * The commit a revision names on the remote now, for callers that must not fetch: a full SHA is
 * itself (no query), a branch, tag or HEAD one `ls-remote`; undefined when the remote cannot be
 * reached or does not have it. Several callers asking the same (repository, revision) share one query.
 */
export function currentCommit(repoURL: string, targetRevision: string | undefined, options: { baseDir?: string; timeoutMs?: number }): Promise<string | undefined> {
    if (targetRevision && /^[0-9a-f]{40}$/.test(targetRevision)) return Promise.resolve(targetRevision);
    const key = `${options.baseDir ?? ""}\0${repoURL}\0${targetRevision ?? ""}`;
    let pending = commitQueries.get(key);
    if (!pending) {
        pending = lsRemote(repoURL, options).then(
            (out) => commitFromLsRemote(out, targetRevision),
            () => undefined,
        );
        commitQueries.set(key, pending);
        // Asked again later (the next reconcile round), the remote is asked again.
        void pending.finally(() => commitQueries.delete(key));
    }
    return pending;
}

const commitQueries = new Map<string, Promise<string | undefined>>();

/**
 * How long a process waits for another one's fetch or checkout in the same mirror. Each git command
 * of the holder is bounded by the stall timeout; a first clone of a large repository may take long.
 */
const MIRROR_LOCK_WAIT_MS = 15 * 60_000;

/**
 * The mirror's lock, held while it is fetched, cloned or checked out from: parallel syncs of
 * different stacks of one project share the project's cache, and two fetches into one mirror fail on
 * git's ref locks, two clones race to rename into one folder, and two checkouts of one commit remove
 * each other's files.
 */
function withMirrorLock<T>(mirror: string, url: string, work: () => Promise<T>): Promise<T> {
    return withCacheLock(`${mirror}.syncwave-lock`, { waitMs: MIRROR_LOCK_WAIT_MS, what: `the cached mirror of ${url}` }, work).catch((err: unknown) => {
        // A source that cannot be had now, like any other: its Application is reported, not the whole run.
        throw err instanceof CacheLockTimeout ? new GitSourceError(err.message) : err;
    });
}

/** Fetches the repository into its mirror (cloning it the first time) and returns the mirror path. */
async function updateMirror(url: string, options: GitFetchOptions): Promise<string> {
    const mirror = mirrorOf(url, options.cacheDir);
    mkdirSync(dirname(mirror), { recursive: true });
    return withMirrorLock(mirror, url, () => updateMirrorLocked(url, mirror, options));
}

async function updateMirrorLocked(url: string, mirror: string, options: GitFetchOptions): Promise<string> {
    const clone = async () => {
        const partial = `${mirror}.partial-${process.pid}`;
        rmSync(partial, { recursive: true, force: true });
        await gitFor(undefined, options).clone(url, partial, ["--mirror"]);
        renameSync(partial, mirror);
    };
    try {
        if (!existsSync(join(mirror, "HEAD"))) {
            await clone();
            return mirror;
        }
        try {
            await gitFor(mirror, options).raw(["fetch", "--prune", "--tags", "origin", "+refs/heads/*:refs/heads/*"]);
        } catch (err) {
            // A mirror a killed git left locked, or one whose objects are gone, is only a cache: when
            // the remote answers, it is cloned again. A lock younger than the git timeout may belong to
            // a fetch that is still running (another sync on this machine): that one is reported.
            if ((err as { plugin?: string }).plugin === "timeout") throw err;
            const busy = freshLocks(mirror, gitTimeoutMs(options));
            if (busy.length > 0) {
                throw new GitSourceError(`git fetch of ${url} failed: another git command is working in its cache (${busy.join(", ")}); try again when it is done`);
            }
            await gitFor(undefined, options).listRemote([url]);
            const damaged = `${mirror}.damaged-${Date.now()}`;
            renameSync(mirror, damaged);
            process.stderr.write(`warning: the cached mirror of ${url} could not be fetched into (${scrub((err as Error).message, options).split("\n")[0]}); cloned it again\n`);
            await clone();
            rmSync(damaged, { recursive: true, force: true });
        }
    } catch (err) {
        if (err instanceof GitSourceError) throw err;
        throw new GitSourceError(`git fetch of ${url} failed: ${failureOf(err, options)}`);
    }
    return mirror;
}

/** The `*.lock` files in a git folder changed less than `maxAgeMs` ago: a git command may hold them. */
function freshLocks(dir: string, maxAgeMs: number): string[] {
    const now = Date.now();
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(".lock"))
        .map((e) => join(e.parentPath, e.name))
        .filter((path) => now - statSync(path).mtimeMs < maxAgeMs);
}

/** Resolves a branch, tag, SHA or HEAD to a commit in the mirror. */
async function resolveRevision(mirror: string, url: string, revision: string, options: GitFetchOptions): Promise<string> {
    const git = gitFor(mirror, options);
    const rev = revision === "" || revision === "HEAD" ? "HEAD" : revision;
    for (const candidate of [rev, `refs/heads/${rev}`, `refs/tags/${rev}`]) {
        try {
            // --quiet fails with no message, which simple-git does not take for an error: an empty
            // answer is a miss too.
            const commit = (await git.raw(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`])).trim();
            if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return commit;
        } catch {
            // not this form; try the next
        }
    }
    throw new GitSourceError(`revision "${revision}" does not exist in ${url} (not a branch, tag or commit)`);
}

/** `url`: the repository the mirror holds, named in a lock wait's error (the mirror's path says little). */
async function checkout(mirror: string, url: string, commit: string, options: GitFetchOptions): Promise<string> {
    const dir = join(options.cacheDir, "checkouts", `${hashOf(mirror)}-${commit}`);
    // Only a checkout that finished is used: one a killed git left half written would render an
    // Application without some of its files, and what is missing would look deleted from git.
    const complete = `${dir}.complete`;
    if (existsSync(complete) && existsSync(join(dir, ".git"))) return dir;
    // Checked again under the lock: another process may have just checked the same commit out.
    return withMirrorLock(mirror, url, async () => (existsSync(complete) && existsSync(join(dir, ".git")) ? dir : checkoutLocked(mirror, commit, dir, complete, options)));
}

async function checkoutLocked(mirror: string, commit: string, dir: string, complete: string, options: GitFetchOptions): Promise<string> {
    mkdirSync(join(options.cacheDir, "checkouts"), { recursive: true });
    rmSync(complete, { force: true });
    rmSync(dir, { recursive: true, force: true });
    const git = gitFor(mirror, options);
    try {
        await git.raw(["worktree", "prune"]);
        await git.raw(["worktree", "add", "--detach", "--force", dir, commit]);
    } catch (err) {
        throw new GitSourceError(`checking out ${commit} of ${mirror} failed: ${failureOf(err, options)}`);
    }
    writeFileSync(complete, `${commit}\n`);
    return dir;
}

/**
 * The commit a revision names, without a fetch, when the mirror already holds it: a full SHA it has,
 * or a branch, tag or HEAD that one `git ls-remote` names unambiguously. Undefined otherwise (no
 * mirror yet, a commit it lacks, an unreachable remote): then the mirror is fetched, as always.
 */
async function knownCommit(url: string, revision: string, options: GitFetchOptions): Promise<{ mirror: string; commit: string } | undefined> {
    const mirror = mirrorOf(url, options.cacheDir);
    if (!existsSync(join(mirror, "HEAD"))) return undefined;
    const git = gitFor(mirror, options);
    const has = (commit: string) =>
        git.raw(["cat-file", "-e", `${commit}^{commit}`]).then(
            () => true,
            () => false,
        );
    if (/^[0-9a-f]{40}$/.test(revision)) return (await has(revision)) ? { mirror, commit: revision } : undefined;
    const listed = await git.raw(["ls-remote", "origin"]).catch(() => undefined);
    const commit = listed === undefined ? undefined : unambiguousCommit(listed, revision);
    return commit && (await has(commit)) ? { mirror, commit } : undefined;
}

// Applications of one program that share a repository and a cache fetch it once, not concurrently.
const mirrorsInFlight = new Map<string, Promise<string>>();
const checkoutsInFlight = new Map<string, Promise<string>>();

/** Fetches `repoURL`, resolves `targetRevision` and checks that commit out (cached by commit). */
export async function fetchRevision(repoURL: string, targetRevision: string | undefined, options: GitFetchOptions): Promise<FetchedRevision> {
    const url = normalizeRepoURL(repoURL, options.baseDir);
    // One mirror per cache and URL: two caches never share a fetch.
    const mirrorKey = `${resolve(options.cacheDir)}\n${url}`;
    const revision = targetRevision ?? "HEAD";
    // Never fetch when the mirror already holds the commit the revision names now.
    const known = mirrorsInFlight.has(mirrorKey) ? undefined : await knownCommit(url, revision, options);
    if (known) return { repoURL, targetRevision: revision, commit: known.commit, checkoutDir: await checkedOut(known.mirror, url, known.commit, options) };
    let pending = mirrorsInFlight.get(mirrorKey);
    if (!pending) {
        pending = updateMirror(url, options);
        mirrorsInFlight.set(mirrorKey, pending);
        // Shared while it runs; a later call (the next reconcile round) fetches again.
        void pending.then(
            () => mirrorsInFlight.delete(mirrorKey),
            () => mirrorsInFlight.delete(mirrorKey),
        );
    }
    const mirror = await pending;
    const commit = await resolveRevision(mirror, repoURL, revision, options);
    return { repoURL, targetRevision: revision, commit, checkoutDir: await checkedOut(mirror, url, commit, options) };
}

/** The worktree of one commit, checked out once per program even when several sources share it. */
function checkedOut(mirror: string, url: string, commit: string, options: GitFetchOptions): Promise<string> {
    const key = `${mirror}@${commit}`;
    let pending = checkoutsInFlight.get(key);
    if (!pending) {
        pending = checkout(mirror, url, commit, options);
        checkoutsInFlight.set(key, pending);
        void pending.then(
            () => checkoutsInFlight.delete(key),
            () => checkoutsInFlight.delete(key),
        );
    }
    return pending;
}
