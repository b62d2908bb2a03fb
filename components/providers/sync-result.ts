// SyncResult: the last step of an Application's sync, after every gate, hook and the Pruner. It exists
// in the state only for syncs that completed, so the record (the first step) and this result disagree
// exactly when the Application's last sync failed or was interrupted: the CLI then runs its hooks
// again (see providers/hook.ts). It also keeps the health each completed sync measured at its end,
// for `syncwave history`. No cluster I/O, nothing to load: its provider is plain code.
import * as pulumi from "@pulumi/pulumi";
import type { ResourceHealth } from "./health-gate-runtime";

export interface SyncResultArgs {
    application: string;
    revision: string;
    /** The desired state's digest and the run key the hooks ran with (as the record holds them). */
    desired: string;
    runKey: string;
    /** What decided the sync (cli/fast/fingerprint.ts): "in sync" without an update needs the same again. */
    fingerprint: string;
    /** The health every gate of the sync measured. */
    health: pulumi.Input<ResourceHealth[]>;
}

export interface CompletedSync {
    revision: string;
    desired: string;
    /** The Application's health at the end of the sync (its worst resource's). */
    health: string;
    message: string;
    finishedAt: string;
}

type Inputs = Omit<SyncResultArgs, "health"> & { health: ResourceHealth[] };
type State = Inputs & { completed?: CompletedSync[] };

const KEPT = 50;

const syncResultProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: State, news: Inputs) {
        const changed =
            olds.revision !== news.revision ||
            olds.desired !== news.desired ||
            olds.runKey !== news.runKey ||
            (olds.fingerprint ?? "") !== news.fingerprint ||
            JSON.stringify(olds.health) !== JSON.stringify(news.health);
        return { changes: changed };
    },
    async create(inputs: Inputs) {
        return { id: `${inputs.application}/synced`, outs: withEntry(inputs, []) };
    },
    async update(_id: string, olds: State, news: Inputs) {
        return { outs: withEntry(news, olds.completed ?? []) };

    },
    async delete() {
        // Nothing in the cluster.
    },
};

// Serialized with the provider: Argo CD's health order, worst last (Unknown is worst).
function withEntry(inputs: Inputs, earlier: CompletedSync[]): State {
    const order = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];
    let worst = { status: "Healthy", message: "" };
    for (const h of inputs.health ?? []) {
        if (order.indexOf(h.status) > order.indexOf(worst.status)) worst = { status: h.status, message: `${h.resource}: ${h.message}` };
    }
    const entry: CompletedSync = { revision: inputs.revision, desired: inputs.desired, health: worst.status, message: worst.message, finishedAt: new Date().toISOString() };
    return { ...inputs, completed: [...earlier, entry].slice(-KEPT) };
}

export class SyncResult extends pulumi.dynamic.Resource {
    constructor(name: string, args: SyncResultArgs, opts?: pulumi.CustomResourceOptions) {
        super(syncResultProvider, name, { ...args, completed: undefined }, opts, "syncwave", "SyncResult");
    }
}
