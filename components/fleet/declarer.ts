// The typed hand-off between the stack program and what declares Applications below it: a parent
// Application (app of apps) and an ApplicationSet declare their Applications through the stack's own
// declarer, so every Application gets the same run settings (pins, reviewed commits, hook run keys,
// which ones this run declares) whoever declares it.
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationSpec } from "../application-spec";
import type { Application } from "../application";
import type { ApplicationOrigin, ProjectAssignments } from "../platform/assignments";
import type { RecordedChild } from "./child-applications";

/** Whether an Application can be waited for, and what to wait on: its last gate and its result. */
export interface Readiness {
    application: string;
    ok: boolean;
    /** Why it cannot sync now, when not ok. */
    reason?: string;
    /** Whether its health is measured in every sync (a live gate), so a wait never rests on an old result. */
    measured?: boolean;
    resources: pulumi.Resource[];
}

export interface DeclareOptions {
    parent: pulumi.Resource;
    origin: ApplicationOrigin;
    after: Promise<Readiness>[];
    measuredLive: boolean;
    /** Where it was declared, for messages. */
    file?: string;
}

export interface FleetDeclarer {
    /** Which Projects parents and ApplicationSets may give their Applications. */
    assignments: ProjectAssignments;
    /** The Application, or undefined when this run does not declare it (`syncwave sync --app`, one left out). */
    declare(name: string, spec: ApplicationSpec, options: DeclareOptions): Application | undefined;
    /** `syncwave sync --allow-fleet-deletion`: the mass-deletion guard lets this sync delete. */
    allowFleetDeletion: boolean;
    /** Whether this run was asked for this Application by name (`syncwave sync --app NAME`): a held rollout step lets it through. */
    requested(name: string): boolean;
    /** The children a parent's last sync declared (its record), for a parent that does not prune. */
    previousChildren(parent: string): Record<string, RecordedChild>;
}

/** A Readiness that is already known (the parent's own sync, for its children). */
export function readyAfter(application: string, resources: pulumi.Resource[]): Promise<Readiness> {
    return Promise.resolve({ application, ok: true, resources });
}

/**
 * What an Application waits for among those declared before it. One this run leaves out (`syncwave
 * sync --app NAME` names only some) is not waited for: a person asked for this one alone, so it
 * syncs without them, and the preview says so rather than ordering on nothing in silence.
 */
export function readinessOf(application: string, waitsFor: readonly string[], declared: ReadonlyMap<string, { ready: Promise<Readiness> }>): Promise<Readiness>[] {
    const missing = waitsFor.filter((d) => !declared.has(d));
    if (missing.length > 0) pulumi.log.warn(`application ${application} syncs without waiting for ${missing.join(", ")}: not part of this sync`);
    return waitsFor.flatMap((d) => declared.get(d)?.ready ?? []);
}
