// What one reconcile round does with each Application, pure: Argo CD's automated sync
// (controller/appcontroller.go, autoSync) syncs an automated Application that is OutOfSync at a
// revision it has not synced yet, whether or not selfHeal is on; drift at the revision already synced
// is repaired only with selfHeal; an Application without automated is only reported. A pinned
// Application (after a rollback) is never moved.

export type RoundAction =
    | { action: "sync"; why: "new revision" | "drift" }
    | { action: "report"; why: "pinned" | "not automated" | "selfHeal off" }
    | { action: "none" };

export interface AppRoundState {
    pinned: boolean;
    automated: boolean;
    selfHeal: boolean;
    /** The source resolved to a commit other than the one last synced, and a sync would change objects. */
    outOfSyncAtNewRevision: boolean;
    /** Unauthorised drift at the revision already synced. */
    unauthorisedDrift: boolean;
}

export function roundAction(s: AppRoundState): RoundAction {
    if (!s.outOfSyncAtNewRevision && !s.unauthorisedDrift) return { action: "none" };
    if (s.pinned) return { action: "report", why: "pinned" };
    if (!s.automated) return { action: "report", why: "not automated" };
    if (s.outOfSyncAtNewRevision) return { action: "sync", why: "new revision" };
    return s.selfHeal ? { action: "sync", why: "drift" } : { action: "report", why: "selfHeal off" };
}

/**
 * The commit `git ls-remote` gives for a target revision: the branch, else the tag (peeled to its
 * commit), else HEAD for "HEAD" or no revision. A full commit SHA never moves.
 */
export function commitFromLsRemote(output: string, targetRevision: string | undefined): string | undefined {
    const revision = targetRevision && targetRevision !== "" ? targetRevision : "HEAD";
    if (/^[0-9a-f]{40}$/.test(revision)) return revision;
    const refs = new Map(
        output
            .split("\n")
            .map((l) => l.trim().split(/\s+/))
            .filter((p) => p.length === 2)
            .map(([sha, ref]) => [ref, sha] as const),
    );
    const name = revision.replace(/^refs\/(heads|tags)\//, "");
    return (
        refs.get(revision === "HEAD" ? "HEAD" : `refs/heads/${name}`) ??
        refs.get(`refs/tags/${name}^{}`) ??
        refs.get(`refs/tags/${name}`) ??
        (revision.startsWith("refs/") ? refs.get(revision) : undefined)
    );
}
