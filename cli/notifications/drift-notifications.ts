// `syncwave drift` and each reconcile round tell the notifications what they found: an Application
// with unauthorised drift is OutOfSync (on-drift-detected), one without is Synced again, which lets a
// trigger without oncePer send the next time it drifts (dedup.ts). Takes the stack's sync lock for
// the read and write of the de-duplication state; if a sync holds it, nothing is sent this time (a
// reconcile round must not wait for a person's sync), with a warning.
import { resolve } from "node:path";
import { readProjectFile } from "../fast/stack-files";
import type { StackOptions } from "../stack";
import { acquireSyncLock, syncLockOf } from "../sync-lock";
import { dispatchNotifications } from "./dispatch";
import type { ApplicationEvent } from "./events";
import { loadNotifications } from "./load";
import { driftEvents } from "./sync-notifications";

export interface FoundDrift {
    application: string;
    fields: { resource: string; path: string; class: string }[];
}

/** Never throws: every problem is a warning line. */
export async function notifyDrift(options: StackOptions, reports: readonly FoundDrift[], log: (line: string) => void): Promise<void> {
    try {
        const loaded = await loadNotifications(options);
        if (!loaded) return;
        const project = readProjectFile(resolve(options.cwd ?? process.cwd())).name;
        const lock = syncLockOf(options.env, project, options.stack)!;
        const release = await acquireSyncLock({ lock, stack: options.stack, timeoutMs: 0, progress: () => undefined, refuse: () => new Error("drift not told this time: a sync of the stack holds its lock; the next drift check tells it") });
        try {
            const drifted = reports.flatMap((r) => r.fields.filter((f) => f.class === "unauthorised").map((f) => ({ application: r.application, resource: f.resource, path: f.path })));
            const state = await loaded.state.read();
            const clean = reports.filter((r) => !drifted.some((d) => d.application === r.application));
            const events: ApplicationEvent[] = [
                ...driftEvents(drifted, loaded),
                ...clean.map((r): ApplicationEvent => ({
                    application: r.application,
                    type: "observed",
                    at: new Date().toISOString(),
                    syncStatus: "Synced",
                    health: { status: state.applications[r.application]?.health ?? "Unknown" },
                    revision: state.applications[r.application]?.revision,
                })),
            ];
            const lines = await dispatchNotifications({ config: loaded.config, secrets: loaded.secretValues, stack: options.stack, events, state });
            await loaded.state.write(state);
            for (const line of lines) log(line);
        } finally {
            await release();
        }
    } catch (err) {
        log(`warning: notifications: ${(err as Error).message}`);
    }
}
