// The CLI's part in when hooks run: before a sync it reads each Application's record (first step) and
// result (last step) from the state, and gives an Application whose last sync did not complete a new
// hook run key (components/sync/hook-runs.ts); `--force-hooks` gives every synced Application one.
import { randomUUID } from "node:crypto";
import { hookRunKey, type LastSync } from "../components/sync/hook-runs";
import { plainValues, type StateResource } from "./commands/state";

/** Each Application's last record and result, from exported state. */
export function lastSyncs(resources: readonly StateResource[]): Map<string, LastSync> {
    const byApp = new Map<string, LastSync>();
    const entry = (app: string) => {
        let last = byApp.get(app);
        if (!last) byApp.set(app, (last = {}));
        return last;
    };
    for (const r of resources) {
        const outputs = plainValues(r.outputs) as Record<string, unknown> | undefined;
        const app = typeof outputs?.application === "string" ? outputs.application : undefined;
        if (!app) continue;
        if (r.type.endsWith("syncwave:ApplicationRecord")) {
            entry(app).record = { desired: outputs?.desired as string | undefined, runKey: outputs?.runKey as string | undefined, revision: outputs?.revision as string | undefined };
        }
        if (r.type.endsWith("syncwave:SyncResult")) {
            entry(app).result = {
                desired: outputs?.desired as string | undefined,
                runKey: outputs?.runKey as string | undefined,
                fingerprint: outputs?.fingerprint as string | undefined,
            };
        }
    }
    return byApp;
}

/** The run keys for this sync: one per Application that retries an incomplete sync, or every forced one. */
export function hookRunKeys(last: Map<string, LastSync>, force: { apps: "all" | string[] } | undefined): Record<string, string> {
    const nonce = randomUUID();
    const keys: Record<string, string> = {};
    const apps = new Set([...last.keys(), ...(force && force.apps !== "all" ? force.apps : [])]);
    for (const app of apps) {
        const forced = force && (force.apps === "all" || force.apps.includes(app)) ? { nonce: `${nonce}:${app}` } : undefined;
        const key = hookRunKey(last.get(app) ?? {}, forced);
        if (key) keys[app] = key;
    }
    return keys;
}

