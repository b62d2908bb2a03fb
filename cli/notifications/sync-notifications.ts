// The one hook a sync (and so reconcile, rollback and the automatic rollback, which call it) gives
// notifications: what the preview learnt of each Application, when the update starts, what drift a
// repair puts back, and how the sync ended. Each becomes events (events.ts), dispatched at once
// (dispatch.ts) under the sync lock the sync holds, with the de-duplication state read and written
// around each dispatch (a nested sync, the automatic rollback, writes its own in between).
import { userInfo } from "node:os";
import type { ProgramReport } from "../../components/report";
import { applicationOfUrn } from "../application-urn";
import type { PruneReport } from "../prune-report";
import type { ResolvedRevision, StackOptions } from "../stack";
import { dispatchNotifications } from "./dispatch";
import type { ApplicationEvent, HealthStatus } from "./events";
import { healthOfFailure } from "./failure-health";
import { liveHealth, type LiveHealth } from "./live-resources";
import { loadNotifications, type LoadedNotifications } from "./load";
import type { NotificationsState } from "./state-file";

export interface SyncNotificationOptions extends StackOptions {
    kind?: string;
    syncKind?: string;
    /** An automatic rollback: the Applications it takes back, each with why (told to on-rolled-back); the others it only holds. */
    rolledBack?: Record<string, string>;
}

/** What the sync's outcome says of its Applications; a thrown error has `failedApplications` and `partial` when it is a SyncError. */
interface SyncOutcome {
    revisions: ResolvedRevision[];
    failed: { application: string; reason: string }[];
}

interface FailedSync extends Error {
    /** SyncError's: the Applications whose step failed in the update. */
    failedApplications?: string[];
    /** SyncError's: the Applications whose health gate failed, and how. */
    failedGates?: Record<string, "Degraded" | "timeout">;
    partial?: SyncOutcome;
}

/**
 * This process's notification work, one piece after another in the order the syncs told it: a sync
 * never waits on a receiver before its next step (an automatic rollback starts at once), and the
 * rollback's notifications still follow its failed sync's. sync() waits for all of it before it
 * releases the stack's lock, under which the de-duplication state is read and written.
 */
let deliveries: Promise<void> = Promise.resolve();

export function notificationsDelivered(): Promise<void> {
    return deliveries;
}

export class SyncNotifications {
    private synced: ResolvedRevision[] = [];
    private removed: string[] = [];
    private startedAt = "";
    private loaded: LoadedNotifications | undefined;

    constructor(
        private readonly options: SyncNotificationOptions,
        private readonly progress: (line: string) => void,
    ) {}

    /**
     * Reads the configuration (and decrypts its secrets, which starts Pulumi) only once the sync has
     * something to notify: a sync answered "in sync" never pays for it. A problem throws a SyncError
     * ("nothing was synced: notifications configuration ..."), refusing the sync before its update the
     * same way whichever method found it (previewed, repairing).
     */
    private async load(): Promise<void> {
        if (this.loaded) return;
        try {
            this.loaded = await loadNotifications(this.options);
            // Under the sync lock: what earlier syncs sent, for the facts events are built from.
            await this.loaded?.state.read();
        } catch (err) {
            // Imported here: commands/sync imports this module.
            const { SyncError } = await import("../commands/sync");
            throw new SyncError(`nothing was synced: ${(err as Error).message}`);
        }
    }

    /** The preview's report: each Application's subscriptions and spec, kept for later events. */
    async previewed(report: ProgramReport): Promise<void> {
        await this.load();
        if (!this.loaded) return;
        const entries = Object.values(report.applications).filter((a) => a.notification);
        if (entries.length === 0) return;
        try {
            this.withState((state) => {
                for (const a of entries) (state.applications[a.application] ??= { notified: {} }).facts = a.notification;
            });
        } catch (err) {
            this.progress(`warning: notifications: ${(err as Error).message}`);
        }
    }

    /** The update starts for these Applications (on-sync-running); `prunes` say which leave the stack. */
    async updateStarting(revisions: ResolvedRevision[], prunes: readonly PruneReport[] = []): Promise<void> {
        if (!this.loaded) return;
        // An automatic rollback holds every other Application where it is: nothing happens to them to tell.
        const rolledBack = this.options.rolledBack;
        revisions = rolledBack ? revisions.filter((r) => rolledBack[r.application] !== undefined) : revisions;
        this.synced = revisions;
        this.removed = prunes.filter((p) => p.removed).map((p) => p.application);
        this.startedAt = new Date().toISOString();
        await this.dispatch(revisions.map((r) => this.operationEvent(r, "Running")));
    }

    /** A repair puts back drift found in these Applications' objects (on-drift-detected), then syncs them. */
    async repairing(drift: readonly { urn: string; resource: string; path: string }[], revisions: ResolvedRevision[], state: readonly { urn: string; parent?: string }[]): Promise<void> {
        await this.load();
        if (!this.loaded) return;
        const parentOf = new Map(state.map((r) => [r.urn, r.parent]));
        const located = drift.flatMap((d) => {
            const application = applicationOfUrn(parentOf.get(d.urn));
            return application ? [{ ...d, application }] : [];
        });
        await this.dispatch(driftEvents(located, this.loaded));
        await this.updateStarting(revisions);
    }

    /** Waits for the sync and notifies how it ended; its result or error passes through unchanged. */
    async settle<T extends SyncOutcome>(run: Promise<T>): Promise<T> {
        let result: T;
        try {
            result = await run;
        } catch (err) {
            const failure = err as FailedSync;
            // A sync whose update went through but left Applications out fails with its result.
            const told = failure.partial ? this.completed(failure.partial) : this.updateFailed(failure);
            await told.catch((e: Error) => this.progress(`warning: notifications: ${e.message}`));
            throw err;
        }
        await this.completed(result).catch((e: Error) => this.progress(`warning: notifications: ${e.message}`));
        return result;
    }

    /** The update went through: its Applications succeeded, those the preview left out failed, the removed ones are deleted. */
    private async completed(outcome: SyncOutcome): Promise<void> {
        if (!this.loaded) return;
        const failed = new Set(outcome.failed.map((f) => f.application));
        await this.dispatch([
            // An "in sync" answer started no operation: nothing to tell of its Applications.
            ...(this.startedAt ? this.synced.filter((r) => !failed.has(r.application) && outcome.revisions.some((o) => o.application === r.application)).map((r) => this.operationEvent(r, "Succeeded")) : []),
            ...outcome.failed.map((f) => this.failedEvent(f.application, f.reason, undefined)),
            ...this.removed.map((application): ApplicationEvent => ({ application, type: "deleted", at: now(), syncStatus: "Synced", health: { status: "Missing" }, revision: this.lastRevision(application) })),
        ]);
    }

    /** The update failed: the Applications it names failed; when it names none, every one of it did. */
    private async updateFailed(err: FailedSync): Promise<void> {
        // Nothing started (refused, the preview failed): nothing to tell.
        if (!this.loaded || !this.startedAt) return;
        const named = err.failedApplications ?? [];
        const failing = named.length ? this.synced.filter((r) => named.includes(r.application)) : this.synced;
        // A gate that found the Application Degraded or not Healthy in time, as the gate itself recorded it.
        const classes: Record<string, string> = err.failedGates ?? {};
        const live = await liveHealth(this.options, failing.map((r) => r.application)).catch(() => new Map<string, LiveHealth>());
        const reason = err.message.split("\n").slice(0, 6).join("\n");
        await this.dispatch(failing.map((r) => this.failedEvent(r.application, reason, classes[r.application], r, live.get(r.application))));
    }

    private operationEvent(r: ResolvedRevision, phase: "Running" | "Succeeded"): ApplicationEvent {
        const at = now();
        const revision = r.sources?.[0] ?? r.commit;
        const last = this.lastHealth(r.application);
        return {
            application: r.application,
            type: "operation",
            at,
            syncStatus: phase === "Succeeded" ? "Synced" : "OutOfSync",
            // The health gates waited for Healthy: it turned Healthy during this sync.
            health: phase === "Succeeded" ? { status: "Healthy", lastTransitionTime: at } : { status: last, lastTransitionTime: this.startedAt },
            revision,
            operation: {
                phase,
                startedAt: this.startedAt,
                ...(phase === "Succeeded" ? { finishedAt: at } : {}),
                revision,
                ...(r.sources ? { revisions: r.sources } : {}),
                reason: this.options.kind ?? "sync",
                ...(this.options.rolledBack?.[r.application] ? { rollback: this.options.rolledBack[r.application] } : {}),
                username: userInfo().username,
                automated: (this.options.syncKind ?? "automated") === "automated",
                resources: [],
            },
        };
    }

    private failedEvent(application: string, reason: string, failureClass: string | undefined, r?: ResolvedRevision, live?: LiveHealth): ApplicationEvent {
        const at = now();
        const revision = r ? (r.sources?.[0] ?? r.commit) : (this.lastRevision(application) ?? "");
        // A failed health gate says Degraded (it also judges the pods, where Argo CD's rule for a
        // Deployment still says Progressing); else the objects as they are now; else the last known.
        const health = healthOfFailure(failureClass) ?? live?.health.status ?? this.lastHealth(application);
        return {
            application,
            type: "operation",
            at,
            syncStatus: "OutOfSync",
            health: { status: health, ...(live?.health.message ? { message: live.health.message } : {}), lastTransitionTime: at },
            revision,
            operation: {
                phase: "Failed",
                message: reason,
                startedAt: this.startedAt || at,
                finishedAt: at,
                revision,
                ...(r?.sources ? { revisions: r.sources } : {}),
                reason: this.options.kind ?? "sync",
                username: userInfo().username,
                automated: (this.options.syncKind ?? "automated") === "automated",
                resources: live?.failing ?? [],
            },
        };
    }

    private lastHealth(application: string): HealthStatus {
        if (!this.loaded) return "Unknown";
        return this.loaded.state.current().applications[application]?.health ?? "Missing";
    }

    private lastRevision(application: string): string | undefined {
        if (!this.loaded) return undefined;
        return this.loaded.state.current().applications[application]?.revision;
    }

    /** A change of the de-duplication state, in turn with the deliveries (they read and write it too). */
    private withState(change: (state: NotificationsState) => void): void {
        const store = this.loaded!.state;
        this.enqueue(async () => {
            const state = await store.read();
            change(state);
            await store.write(state);
        });
    }

    /**
     * Queued, not awaited: the sync goes on while a receiver answers (or does not: up to four tries of
     * 10 s each). Never throws: a notification problem (the Go helper, the state file) is a warning line.
     */
    private dispatch(events: ApplicationEvent[]): Promise<void> {
        if (this.loaded && events.length > 0) this.enqueue(() => this.dispatchOrThrow(events));
        return Promise.resolve();
    }

    private enqueue(work: () => Promise<void>): void {
        deliveries = deliveries.then(work).catch((e: Error) => this.progress(`warning: notifications: ${e.message}`));
    }

    private async dispatchOrThrow(events: ApplicationEvent[]): Promise<void> {
        if (!this.loaded || events.length === 0) return;
        const loaded = this.loaded;
        const state = await loaded.state.read();
        const lines = await dispatchNotifications({ config: loaded.config, secrets: loaded.secretValues, stack: this.options.stack, events, state });
        for (const e of events) {
            const app = (state.applications[e.application] ??= { notified: {} });
            if (e.type === "deleted") delete state.applications[e.application];
            else {
                app.health = e.health.status;
                if (e.revision) app.revision = e.revision;
            }
        }
        await loaded.state.write(state);
        for (const line of lines) this.progress(line);
    }
}

function now(): string {
    return new Date().toISOString();
}

/** One drift event per Application with drifted fields, at the revision and health its last sync left. */
export function driftEvents(drift: readonly { application: string; resource: string; path: string }[], loaded: LoadedNotifications): ApplicationEvent[] {
    const state = loaded.state.current();
    const byApp = new Map<string, string[]>();
    for (const d of drift) byApp.set(d.application, [...(byApp.get(d.application) ?? []), `${d.resource} ${d.path}`]);
    return [...byApp].map(([application, fields]) => ({
        application,
        type: "drift",
        at: now(),
        syncStatus: "OutOfSync",
        health: { status: state.applications[application]?.health ?? "Unknown" },
        revision: state.applications[application]?.revision,
        message: `${fields.length} drifted field(s): ${fields.slice(0, 5).join(", ")}${fields.length > 5 ? ", …" : ""}`,
    }));
}
