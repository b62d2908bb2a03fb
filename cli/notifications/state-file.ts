// The notifications' own state for a stack, kept in its backend beside SyncWave's sync lock
// (.pulumi/syncwave-locks/<org>/<project>/<stack>.notifications.json in a file:// backend), and read and
// written only while that lock is held, so a reconcile loop or two runners never send twice. Per
// Application: what was sent (dedup.ts) and the facts of its last sync, which a drift check, a repair
// or a removal (whose Application is no longer declared) notifies with. Never holds a secret.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
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

/** Beside the sync lock file (sync-lock.ts syncLockPath). */
export function notificationsStatePath(lockPath: string): string {
    return lockPath.replace(/\.json$/, ".notifications.json");
}

export function readNotificationsState(path: string): NotificationsState {
    if (!existsSync(path)) return { applications: {} };
    try {
        const parsed = JSON.parse(readFileSync(path, "utf8")) as NotificationsState;
        return parsed && typeof parsed.applications === "object" ? parsed : { applications: {} };
    } catch {
        // Argo CD too starts afresh from an unreadable notified annotation (state.go NewState).
        return { applications: {} };
    }
}

export function writeNotificationsState(path: string, state: NotificationsState): void {
    for (const app of Object.values(state.applications)) truncateState(app.notified);
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(state, null, 2));
    renameSync(partial, path);
}
