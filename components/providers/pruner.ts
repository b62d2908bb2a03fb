// Pruner: the one place where a sync deletes objects from the cluster. Every managed object is
// declared with retainOnDelete, so the engine itself never deletes one: an object that leaves the
// program (it left git, its Application failed or was removed) only leaves the state. The Pruner keeps
// the Application's inventory in its state; its diff sees the last inventory and the desired one, so it
// knows what left git. It deletes that only when pruning was asked for, and, when the Application
// itself is deleted, everything it manages only if the Application carried the cascade finalizer.
// Its cluster is a ClusterRef resolved in the provider's process: no kubeconfig in its state, except a
// cluster's inline content, kept secret.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../cluster/connection-ref";
import { planCascade, planPrune, previousInventory, type InventoryEntry } from "../sync/prune";
import type { PruneOutcome } from "./pruner-runtime";
import type { SyncFailHook } from "./health-gate-runtime";
import { loadProviderRuntime, storedWithCheckoutPaths } from "./runtime-loader";

export interface PrunerArgs {
    cluster: ClusterRef;
    /** Only for a cluster configured with inline kubeconfig content (pass it as a secret). */
    kubeconfig?: pulumi.Input<string>;
    application: string;
    installation: string;
    /** What the Application manages after this sync. */
    desired: InventoryEntry[];
    /**
     * Objects the stack's state holds for this Application that the inventory lacks: a sync that failed
     * applied them before it reached the Pruner (components/sync/strays.ts). Candidates like the inventory.
     */
    strays?: InventoryEntry[];
    /** automated.prune on an automated sync, or --prune. */
    pruneEnabled: boolean;
    /** Ids another Application of this run declares: moved there, so never pruned or reported here. */
    claimedElsewhere: pulumi.Input<string[]>;
    /** The Application carries resources-finalizer.argocd.argoproj.io: deleting it deletes its objects. */
    cascade: boolean;
    /** Run first when the whole Application is deleted (Argo CD 3.x PreDelete); a failure blocks the deletion. */
    preDeleteHooks?: SyncFailHook[];
    timeoutMs: number;
}

type StoredInputs = Omit<PrunerArgs, "kubeconfig" | "claimedElsewhere"> & { claimedElsewhere?: string[] } & { kubeconfig?: string };
type StoredState = StoredInputs & { inventory?: InventoryEntry[]; requiresPruning?: InventoryEntry[]; lastPruned?: string[] };

/** What this sync prunes and what stays requiring it; objects a sibling took over are no longer ours. */
function pruneFor(olds: StoredState, news: StoredInputs) {
    const moved = new Set(news.claimedElsewhere ?? []);
    return planPrune(
        [...previousInventory(olds), ...(news.strays ?? [])].filter((e) => !moved.has(e.id)),
        new Set(news.desired.map((e) => e.id)),
        news.pruneEnabled,
    );
}

const prunerProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: StoredState, news: StoredInputs) {
        const plan = pruneFor(olds, news);
        const changed =
            plan.prune.length > 0 ||
            JSON.stringify(olds.inventory ?? olds.desired) !== JSON.stringify(news.desired) ||
            JSON.stringify(olds.requiresPruning ?? []) !== JSON.stringify(plan.requiresPruning) ||
            olds.cascade !== news.cascade ||
            JSON.stringify(olds.preDeleteHooks ?? []) !== JSON.stringify(news.preDeleteHooks ?? []) ||
            olds.installation !== news.installation ||
            // Another way to reach the cluster, or state that still holds a kubeconfig or the creating checkout's paths.
            JSON.stringify(olds.cluster) !== JSON.stringify(news.cluster) ||
            olds.kubeconfig !== news.kubeconfig ||
            storedWithCheckoutPaths(olds);
        return { changes: changed };
    },
    async create(inputs: StoredInputs) {
        return { id: `${inputs.application}/prune`, outs: { ...inputs, inventory: inputs.desired, requiresPruning: [], lastPruned: [] } };
    },
    async update(_id: string, olds: StoredState, news: StoredInputs) {
        const plan = pruneFor(olds, news);
        let outcome: PruneOutcome = { pruned: [], skipped: [] };
        if (plan.prune.length > 0) {
            const runtime = loadProviderRuntime<typeof import("./pruner-runtime")>("components/providers/pruner-runtime");
            outcome = await runtime.pruneObjects(news, plan.prune);
        }
        const { strays: _strays, ...kept } = news;
        return { outs: { ...kept, inventory: news.desired, requiresPruning: plan.requiresPruning, lastPruned: outcome.pruned, lastSkipped: outcome.skipped } };
    },
    async delete(_id: string, props: StoredState) {
        // The Application is being deleted (a prune never deletes the Pruner): its PreDelete hooks run
        // first, whether or not its objects are deleted, and a failed one stops the deletion here, with
        // the Pruner and the record still in the state, as Argo CD keeps the Application until they pass.
        if ((props.preDeleteHooks ?? []).length > 0) {
            const hooks = loadProviderRuntime<typeof import("./hook-runtime")>("components/providers/hook-runtime");
            for (const hook of props.preDeleteHooks ?? []) {
                try {
                    await hooks.runHook({
                        ...hook,
                        cluster: props.cluster,
                        kubeconfig: props.kubeconfig,
                        syncId: `${props.application}:pre-delete`,
                        hookKey: `${props.application}:PreDelete:${hook.manifest.kind}/${hook.manifest.metadata.name ?? hook.manifest.metadata.generateName}`,
                    });
                } catch (err) {
                    throw new Error(`application ${props.application} is not deleted: its PreDelete hook failed: ${(err as Error).message}`);
                }
            }
        }
        // Without the cascade finalizer a deleted Application leaves its objects where they are (orphaned).
        if (!props.cascade) return;
        const all = planCascade(previousInventory(props));
        if (all.length === 0) return;
        const runtime = loadProviderRuntime<typeof import("./pruner-runtime")>("components/providers/pruner-runtime");
        await runtime.pruneObjects(props, all);
    },
};

export class Pruner extends pulumi.dynamic.Resource {
    declare public readonly requiresPruning: pulumi.Output<InventoryEntry[]>;
    declare public readonly lastPruned: pulumi.Output<string[]>;

    constructor(name: string, args: PrunerArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            prunerProvider,
            name,
            { ...args, inventory: undefined, requiresPruning: undefined, lastPruned: undefined },
            { ...opts, additionalSecretOutputs: ["kubeconfig"] },
            "syncwave",
            "Pruner",
        );
    }
}
