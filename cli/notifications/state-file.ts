// The notifications' own state for a stack, kept in its backend beside SyncWave's sync lock
// (.pulumi/syncwave-locks/<org>/<project>/<stack>.notifications.json in a folder or a bucket), and read
// and written only while that lock is held, so a reconcile loop or two runners never send twice. Per
// Application: what was sent (dedup.ts) and the facts of its last sync, which a drift check, a repair
// or a removal (whose Application is no longer declared) notifies with. Never holds a secret.
import type { BlobStore } from "../backend/blob-store";
import type { NotificationFacts } from "../../components/notification-facts";
import { truncateState, type NotifiedState } from "./dedup";
import type { HealthStatus } from "./events";

export interface ApplicationNotificationState {
    notified: NotifiedState;
    facts?: NotificationFacts;
    /** The last revision synced and health seen, for events that carry none of their own (drift). */
    revision?: string;
    health?: HealthStatus;
}

export interface NotificationsState {
    applications: Record<string, ApplicationNotificationState>;
}

/**
 * The state in the stack's backend (a folder or a bucket). Read before and written after each
 * dispatch, in the order the dispatches were queued, so a nested sync (the automatic rollback) sees
 * what its failed sync sent; `current()` is the copy read or written last in this process, for the
 * facts an event is built from.
 */
export class NotificationsStateStore {
    private static cache = new Map<string, NotificationsState>();

    constructor(
        private readonly store: BlobStore,
        private readonly key: string,
    ) {}

    private get id(): string {
        return `${this.store.description}\0${this.key}`;
    }

    async read(): Promise<NotificationsState> {
        const state = parseState(await this.store.read(this.key));
        NotificationsStateStore.cache.set(this.id, state);
        return state;
    }

    /** What was read or written last in this process (empty before the first read). */
    current(): NotificationsState {
        return NotificationsStateStore.cache.get(this.id) ?? { applications: {} };
    }

    async write(state: NotificationsState): Promise<void> {
        for (const app of Object.values(state.applications)) truncateState(app.notified);
        NotificationsStateStore.cache.set(this.id, state);
        await this.store.write(this.key, JSON.stringify(state, null, 2));
    }
}

function parseState(data: Buffer | undefined): NotificationsState {
    if (data === undefined) return { applications: {} };
    try {
        const parsed = JSON.parse(data.toString("utf8")) as NotificationsState;
        return parsed && typeof parsed.applications === "object" ? parsed : { applications: {} };
    } catch {
        // Argo CD too starts afresh from an unreadable notified annotation (state.go NewState).
        return { applications: {} };
    }
}
