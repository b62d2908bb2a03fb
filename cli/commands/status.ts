// `syncwave status`: every Application with its sync status (does a preview plan changes?) and its
// health now, as a tree of resources: each gated object as its gate reads it in the preview's refresh
// (with the Application's custom health rules, see status-gate-health.ts); any other managed object
// read live through its Application's ClusterRef, as this process's KUBECONFIG reaches the cluster,
// and assessed with the built-in rules.
import { resolve } from "node:path";
import { assessHealth } from "../../components/health/assess";
import { worst, type Health, type LiveObject } from "../../components/health/status";
import { connect, readObject } from "../../components/providers/kube-client";
import type { StackOptions } from "../stack";
import { diff } from "./diff";
import { gateHealthFromEvents } from "./status-gate-health";
import { appRecords, managedObjects, readState, recordCluster } from "./state";
import { bold, paint } from "../format/colors";

export interface AppStatus {
    application: string;
    project: string;
    revision: string;
    sync: "Synced" | "OutOfSync" | "Unknown";
    health: Health;
    pinned: boolean;
    resources: { resource: string; health: Health }[];
    /** Objects that left git and stay in the cluster until a sync prunes them (OutOfSync, as in Argo CD). */
    requiresPruning: string[];
    /** Why a sync could not include the Application now (source, project, window, takeover). */
    blocked?: string;
}

export async function status(options: StackOptions & { pins?: Record<string, unknown> }): Promise<AppStatus[]> {
    const cwd = resolve(options.cwd ?? process.cwd());
    const state = readState(options.stack, cwd, options.env);
    const planned = await diff(options);
    const failedPreview = planned.events.some((e) => e.diagnosticEvent?.severity === "error");
    const objects = managedObjects(state);
    const gated = gateHealthFromEvents(planned.events);
    const result: AppStatus[] = [];
    for (const record of appRecords(state)) {
        const conn = connect({ cluster: recordCluster(record) });
        const gates = gated.get(record.application);
        const resources = await Promise.all(
            objects
                .filter((o) => o.application === record.application)
                .map(async (o) => {
                    const resource = `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
                    const fromGate = gates?.get(resource);
                    if (fromGate) return { resource, health: fromGate };
                    const live = await readObject(conn.kc, o).catch(() => undefined);
                    const health = assessHealth(live ? ({ ...live, apiVersion: o.apiVersion, kind: o.kind } as LiveObject) : undefined);
                    return { resource, health };
                }),
        );
        const changes = planned.changes.filter((c) => c.application === record.application);
        const prune = planned.prunes.find((p) => p.application === record.application);
        const requiresPruning = [...(prune?.prune ?? []), ...(prune?.requiresPruning ?? [])];
        const blocked = planned.failed.find((f) => f.application === record.application)?.reason;
        result.push({
            application: record.application,
            project: record.project,
            revision: record.revision,
            sync: failedPreview || blocked ? "Unknown" : changes.length > 0 || requiresPruning.length > 0 ? "OutOfSync" : "Synced",
            health: worst(resources.map((r) => r.health)),
            pinned: Boolean(options.pins?.[record.application]),
            resources,
            requiresPruning,
            blocked,
        });
    }
    return result;
}

export function formatStatus(apps: AppStatus[]): string {
    const lines: string[] = [];
    for (const a of apps) {
        lines.push(
            `${bold(a.application)} (project ${a.project})  ${paint(a.sync)}  ${paint(a.health.status)}${a.health.message ? `: ${a.health.message}` : ""}  revision ${a.revision.slice(0, 12)}${a.pinned ? `  ${paint("PINNED")}` : ""}`,
        );
        a.resources.forEach((r, i) => {
            const branch = i === a.resources.length - 1 ? "└─" : "├─";
            lines.push(`  ${branch} ${r.resource}  ${paint(r.health.status)}${r.health.message ? `: ${r.health.message}` : ""}`);
        });
        for (const r of a.requiresPruning) lines.push(`  ·  ${r}  ${paint("OutOfSync")}: requires pruning`);
        if (a.blocked) lines.push(`  !  cannot sync now: ${a.blocked.split("\n")[0]}`);
    }
    return lines.join("\n");
}
