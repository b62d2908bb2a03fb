// What a sync, a rollback, a reconcile or `syncwave drift` tells the notifications about one
// Application: its operation (running, then succeeded or failed), its removal, or drift found. Each
// becomes an Argo CD-shaped Application (app-object.ts) on which every subscribed trigger is evaluated.

export type OperationPhase = "Running" | "Succeeded" | "Failed" | "Error";

/** Argo CD's health statuses. */
export type HealthStatus = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";

export interface ResourceResult {
    kind: string;
    namespace?: string;
    name: string;
    group?: string;
    version?: string;
    /** Argo CD's ResultCode: Synced, SyncFailed, Pruned, PruneSkipped. */
    status: string;
    message?: string;
    hookPhase?: string;
    syncPhase?: string;
    health?: { status: HealthStatus; message?: string };
}

export interface OperationFacts {
    phase: OperationPhase;
    message?: string;
    startedAt: string;
    finishedAt?: string;
    /** The commit (or chart version) synced; per source for a multi-source Application. */
    revision: string;
    revisions?: string[];
    /** The kind of sync that ran it: sync, reconcile, rollback, auto-rollback (Argo CD's operation info `reason`). */
    reason: string;
    /** Why a rollback ran, for this Application ("rolled back web to SHA: web was Degraded at SHA"): operation info `rollback`. */
    rollback?: string;
    username: string;
    automated: boolean;
    resources: ResourceResult[];
}

export interface ApplicationEvent {
    application: string;
    /** "observed": a look at the live objects found nothing drifted (Synced, no operation). */
    type: "operation" | "deleted" | "drift" | "observed";
    at: string;
    syncStatus: "Synced" | "OutOfSync" | "Unknown";
    health: { status: HealthStatus; message?: string; lastTransitionTime?: string };
    /** The revision the Application is at (status.sync.revision). */
    revision?: string;
    operation?: OperationFacts;
    /** For drift: what drifted, one line. */
    message?: string;
}
