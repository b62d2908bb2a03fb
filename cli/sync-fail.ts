// SyncFail hooks for every failed sync. Gates and hooks run an Application's SyncFail hooks themselves
// when they fail; any other failed step (an object refused by admission or validation, an immutable
// field, RBAC, a failed prune) fails inside the engine, so the CLI runs them: it finds the failed
// step's Application from the update's events, and the hooks in that Application's record.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { SyncFailHook } from "../components/providers/health-gate-runtime";
import { applicationOfStep } from "./stack";
import { appRecords, recordCluster, type StateResource } from "./commands/state";

/** Step types that run the SyncFail hooks themselves when they fail. */
const HANDLED = ["syncwave:HealthGate", "syncwave:Hook"];

/** Applications whose failed step did not run their SyncFail hooks, from the update's events. */
export function unhandledFailures(events: readonly EngineEvent[]): string[] {
    const appOf = new Map<string, string>();
    for (const e of events) {
        const urn = e.resourcePreEvent?.metadata.urn;
        const app = applicationOfStep(e);
        if (urn && app) appOf.set(urn, app);
    }
    const apps = new Set<string>();
    for (const e of events) {
        const d = e.diagnosticEvent;
        if (d?.severity !== "error" || !d.urn) continue;
        const app = appOf.get(d.urn);
        if (!app) continue;
        const type = d.urn.split("::")[2]?.split("$").pop() ?? "";
        if (!HANDLED.some((t) => type.endsWith(t))) apps.add(app);
    }
    return [...apps];
}

/** Runs each Application's SyncFail hooks; returns one line per hook run (or failure), never throws. */
export async function runSyncFailHooksFor(apps: readonly string[], resources: readonly StateResource[]): Promise<string[]> {
    const lines: string[] = [];
    const records = appRecords(resources);
    for (const app of apps) {
        const state = resources.find((r) => r.type.endsWith("syncwave:ApplicationRecord") && r.outputs?.application === app);
        const hooks = (state?.outputs?.syncFailHooks as SyncFailHook[] | undefined) ?? [];
        const record = records.find((r) => r.application === app);
        if (!record || hooks.length === 0) continue;
        const syncId = `${String(state?.outputs?.desired ?? "")}:${String(state?.outputs?.runKey ?? "")}:syncfail`;
        for (const hook of hooks) {
            try {
                // Loaded only when a SyncFail hook runs: the hook runtime brings the Kubernetes client library.
                const { runHook } = await import("../components/providers/hook-runtime");
                const run = await runHook({ ...hook, cluster: recordCluster(record), syncId, hookKey: `${app}:SyncFail:${hook.manifest.kind}/${hook.manifest.metadata.name ?? hook.manifest.metadata.generateName}` });
                lines.push(`${app}: SyncFail hook ${run.hookName}: ${run.status}`);
            } catch (err) {
                lines.push(`${app}: SyncFail hook failed too: ${(err as Error).message.split("\n")[0]}`);
            }
        }
    }
    return lines;
}
