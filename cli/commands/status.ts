// `syncwave status`: every Application with its sync status (does a preview plan changes?) and its
// health now (each managed object read live and assessed), as a tree of resources.
import { resolve } from "node:path";
import { assessHealth } from "../../components/health/assess";
import { worst, type Health, type LiveObject } from "../../components/health/status";
import { connect, readObject } from "../../components/providers/kube-client";
import type { StackOptions } from "../stack";
import { diff } from "./diff";
import { appRecords, managedObjects, readState } from "./state";
import { bold, paint } from "../format/colors";

export interface AppStatus {
    application: string;
    project: string;
    revision: string;
    sync: "Synced" | "OutOfSync" | "Unknown";
    health: Health;
    pinned: boolean;
    resources: { resource: string; health: Health }[];
}

export async function status(options: StackOptions & { pins?: Record<string, unknown> }): Promise<AppStatus[]> {
    const cwd = resolve(options.cwd ?? process.cwd());
    const state = readState(options.stack, cwd, options.env);
    const planned = await diff(options);
    const failedPreview = planned.events.some((e) => e.diagnosticEvent?.severity === "error");
    const objects = managedObjects(state);
    const result: AppStatus[] = [];
    for (const record of appRecords(state)) {
        const conn = connect(record.kubeconfig);
        const resources = await Promise.all(
            objects
                .filter((o) => o.application === record.application)
                .map(async (o) => {
                    const live = await readObject(conn.kc, o).catch(() => undefined);
                    const health = assessHealth(live ? ({ ...live, apiVersion: o.apiVersion, kind: o.kind } as LiveObject) : undefined);
                    return { resource: `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`, health };
                }),
        );
        const changes = planned.changes.filter((c) => c.application === record.application);
        result.push({
            application: record.application,
            project: record.project,
            revision: record.revision,
            sync: failedPreview ? "Unknown" : changes.length > 0 ? "OutOfSync" : "Synced",
            health: worst(resources.map((r) => r.health)),
            pinned: Boolean(options.pins?.[record.application]),
            resources,
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
    }
    return lines.join("\n");
}
