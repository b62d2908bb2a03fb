// After a failed sync, what Argo CD would put in the operation's syncResult.resources for the failing
// resources and the Application's health: each of its managed objects read live and assessed with
// the built-in health rules, as `syncwave status` reads them (objects the failed update applied are
// in the state). Only those that are not Healthy are listed.
import { resolve } from "node:path";
import { assessHealth } from "../../components/health/assess";
import { worst, type Health, type LiveObject } from "../../components/health/status";
import { connect, readObject } from "../../components/providers/kube-client";
import { appRecords, managedObjects, readState, recordCluster } from "../commands/state";
import type { StackOptions } from "../stack";
import type { ResourceResult } from "./events";

export interface LiveHealth {
    health: Health;
    /** The resources that are not Healthy, as Argo CD's ResourceResult. */
    failing: ResourceResult[];
}

export async function liveHealth(options: StackOptions, applications: readonly string[]): Promise<Map<string, LiveHealth>> {
    const state = readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env);
    const objects = managedObjects(state);
    const result = new Map<string, LiveHealth>();
    for (const record of appRecords(state).filter((r) => applications.includes(r.application))) {
        const conn = connect({ cluster: recordCluster(record) });
        const assessed = await Promise.all(
            objects
                .filter((o) => o.application === record.application)
                .map(async (o) => {
                    const live = await readObject(conn.kc, o).catch(() => undefined);
                    return { o, health: assessHealth(live ? ({ ...live, apiVersion: o.apiVersion, kind: o.kind } as LiveObject) : undefined) };
                }),
        );
        if (assessed.length === 0) continue;
        const failing = assessed
            .filter((a) => a.health.status !== "Healthy")
            .map(({ o, health }): ResourceResult => {
                const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
                return { group, version, kind: o.kind, ...(o.namespace ? { namespace: o.namespace } : {}), name: o.name, status: "Synced", ...(health.message ? { message: health.message } : {}), health };
            });
        result.set(record.application, { health: worst(assessed.map((a) => a.health)), failing });
    }
    return result;
}
