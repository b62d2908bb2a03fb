// Repository URLs compared as Argo CD compares them (argo-cd util/git/git.go, NormalizeGitURL and
// SameURL): lower case, whitespace trimmed, the scp form `git@host:path` read as
// `ssh://git@host/path`, the `ssh://` prefix and a `.git` suffix dropped. SyncWave also drops
// trailing slashes, which Argo CD keeps, so `https://host/repo/` is the same repository as
// `https://host/repo`. Patterns (sourceRepos, credential prefixes) go through the same function.

// Argo CD's IsSSHURL: a user before `@`, no `/` or `:` in it, and no second `@` after it.
const SSH_URL = /^(ssh:\/\/)?[^/:]*?@[^@]+$/;

function dropTrailingSlashes(url: string): string {
    const dropped = url.replace(/\/+$/, "");
    // "/" and "file:///" keep their slashes: nothing would be left of the path.
    return dropped === "" || dropped.endsWith(":") ? url : dropped;
}

export function normalizeRepoURL(repoURL: string): string {
    let url = repoURL.trim().toLowerCase();
    if (SSH_URL.test(url)) {
        if (!url.startsWith("ssh://")) {
            url = `ssh://${url.replace(":", "/")}`;
        } else {
            // `ssh://git@host:org/repo` is the scp form with a scheme: a port is digits only. Argo CD
            // fails to parse it; reading it as a path keeps it comparable with its other spellings.
            url = url.replace(/^(ssh:\/\/[^/@]*@[^/:]+):(?!\d*(?:\/|$))/, "$1/");
        }
    }
    url = dropTrailingSlashes(url);
    if (url.endsWith(".git")) url = dropTrailingSlashes(url.slice(0, -".git".length));
    return url.replace(/^ssh:\/\//, "");
}

/** Argo CD's SameURL: both normalise to the same non-empty URL. */
export function sameRepoURL(a: string, b: string): boolean {
    const left = normalizeRepoURL(a);
    return left !== "" && left === normalizeRepoURL(b);
}

const NETWORK_SCHEME = /^(?:https?|ssh|git|git\+ssh|ssh\+git):\/\//;

/**
 * A normalised network URL without its transport: host and path, no scheme, user or port. Both
 * `https://host/org/repo` and `git@host:org/repo.git` give `host/org/repo`. Local sources (paths,
 * `file://`) have none. Used so that a `!` sourceRepos entry denies a repository whatever transport
 * an Application names it by.
 */
export function repoIdentity(normalized: string): string | undefined {
    let rest: string;
    if (NETWORK_SCHEME.test(normalized)) rest = normalized.replace(NETWORK_SCHEME, "");
    else if (/^[^/:@]+@[^/]/.test(normalized)) rest = normalized;
    else return undefined;
    rest = rest.replace(/^[^/@]*@/, "");
    return rest.replace(/^([^/:]*):\d*(?=\/|$)/, "$1");
}
