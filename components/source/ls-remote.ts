// Reading `git ls-remote` output, pure: which commit a branch, tag or HEAD names on the remote now.

/** The refs of `git ls-remote` output, by name. */
function refsOf(output: string): Map<string, string> {
    return new Map(
        output
            .split("\n")
            .map((l) => l.trim().split(/\s+/))
            .filter((p) => p.length === 2)
            .map(([sha, ref]) => [ref, sha] as const),
    );
}

/**
 * The commit `git ls-remote` gives for a target revision: the branch, else the tag (peeled to its
 * commit), else HEAD for "HEAD" or no revision. A full commit SHA never moves.
 */
export function commitFromLsRemote(output: string, targetRevision: string | undefined): string | undefined {
    const revision = targetRevision && targetRevision !== "" ? targetRevision : "HEAD";
    if (/^[0-9a-f]{40}$/.test(revision)) return revision;
    const refs = refsOf(output);
    // A full ref names exactly that ref (a tag peeled to its commit).
    if (revision.startsWith("refs/")) return refs.get(`${revision}^{}`) ?? refs.get(revision);
    return refs.get(revision === "HEAD" ? "HEAD" : `refs/heads/${revision}`) ?? refs.get(`refs/tags/${revision}^{}`) ?? refs.get(`refs/tags/${revision}`);
}

/**
 * The commit a revision names when that is beyond doubt: HEAD, a full ref, or a name that is a
 * branch or a tag but not both (git's own rev-parse and Argo CD's ls-remote would disagree on a name
 * that is both, so such a name is left to a fetch and rev-parse, as before).
 */
export function unambiguousCommit(output: string, targetRevision: string | undefined): string | undefined {
    const revision = targetRevision && targetRevision !== "" ? targetRevision : "HEAD";
    if (revision === "HEAD" || revision.startsWith("refs/")) return commitFromLsRemote(output, revision);
    const refs = refsOf(output);
    const branch = refs.has(`refs/heads/${revision}`);
    const tag = refs.has(`refs/tags/${revision}`);
    return branch !== tag ? commitFromLsRemote(output, revision) : undefined;
}
