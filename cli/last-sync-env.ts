// What the CLI tells the program of the last sync, read from the state, through the environment: the
// objects a failed sync applied that its Pruner does not list (cli/strays.ts), what each ApplicationSet
// generated at its last sync (its FleetMembers' state: applicationsSync keeps or leaves those), the
// children each parent declared (a parent that does not prune keeps those that left its render), whether
// this sync may delete most of a fleet (--allow-fleet-deletion), and one run id shared by a sync's
// preview and update (the live health gates of Applications others wait on measure once per sync).
import { randomUUID } from "node:crypto";
import type { StateResource } from "./commands/state";
import { strayObjects } from "./strays";
import { applicationOfUrn } from "./application-urn";

/** For each resource of a type in the state, `outputs[value]` keyed by `outputs[key]` (entries lacking either are left out). */
function outputsByName(state: readonly StateResource[], type: string, key: string, value: string): Record<string, Record<string, unknown>> {
    const result: Record<string, Record<string, unknown>> = {};
    for (const r of state) {
        if (!r.type.endsWith(type)) continue;
        const o = (r.outputs ?? {}) as Record<string, unknown>;
        if (typeof o[key] === "string" && o[value] && typeof o[value] === "object") result[o[key] as string] = o[value] as Record<string, unknown>;
    }
    return result;
}

/** What each ApplicationSet generated at its last sync (its FleetMembers' specs), by set. */
export function previousFleet(state: readonly StateResource[]): Record<string, Record<string, unknown>> {
    return outputsByName(state, "syncwave:FleetMembers", "applicationSet", "specs");
}

/** The children each parent's last sync declared (its ApplicationRecord), by parent. */
export function previousChildren(state: readonly StateResource[]): Record<string, Record<string, unknown>> {
    return outputsByName(state, "syncwave:ApplicationRecord", "application", "childSpecs");
}

/** Whether the stack holds fleet members (children of a parent, generated Applications): the fast path does not know them. */
export function hasFleet(state: readonly StateResource[]): boolean {
    return state.some((r) => r.type.endsWith("syncwave:FleetMembers") || (r.type.endsWith("syncwave:ApplicationRecord") && Boolean((r.inputs ?? {}).children ?? (r.inputs ?? {}).parent)));
}

export function lastSyncEnv(state: readonly StateResource[], options: { allowFleetDeletion?: boolean }): Record<string, string> {
    return {
        SYNCWAVE_FLEET_PREVIOUS: JSON.stringify(previousFleet(state)),
        SYNCWAVE_FLEET_PREVIOUS_CHILDREN: JSON.stringify(previousChildren(state)),
        SYNCWAVE_STRAYS: JSON.stringify(strayObjects(state)),
        SYNCWAVE_ALLOW_FLEET_DELETION: options.allowFleetDeletion ? "true" : "false",
        SYNCWAVE_RUN_ID: randomUUID(),
    };
}

/**
 * The parent Applications (app of apps) above the given ones, from the state: a child is declared by
 * its parent, so `syncwave sync --app CHILD` declares the parents too (their resources are not
 * targeted: only the child's are updated).
 */
export function ancestorsOf(state: readonly StateResource[], applications: readonly string[]): string[] {
    const parentOf = new Map<string, string | undefined>();
    for (const r of state) {
        if (r.type === "syncwave:index:Application") parentOf.set(r.urn, r.parent);
    }
    const found = new Set<string>();
    for (const r of state) {
        if (r.type !== "syncwave:index:Application" || !applications.includes(applicationOfUrn(r.urn) ?? "")) continue;
        for (let p = r.parent, depth = 0; p && depth < 64; p = parentOf.get(p), depth++) {
            const app = applicationOfUrn(p);
            if (app !== undefined && !applications.includes(app)) found.add(app);
        }
    }
    return [...found];
}
