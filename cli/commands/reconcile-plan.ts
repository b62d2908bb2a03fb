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

// Read where the sources are fetched too (components/source/ls-remote.ts).
export { commitFromLsRemote } from "../../components/source/ls-remote";
