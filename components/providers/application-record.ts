// ApplicationRecord: what an Application's sync resolved — its project, source, the commit the
// revision resolved to, its destination and sync policy — kept as a resource so the stack's state and
// history hold it, and so the policy pack sees it in previews as well as updates. Every resource of the
// Application depends on it, so deleting the Application deletes it last: then its PostDelete hooks run.
// Its destination cluster is a ClusterRef, which the CLI resolves as the providers do: the record holds
// no kubeconfig, except a cluster's inline content, kept secret.
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationDestination, IgnoreDifference, SyncPolicy } from "../application-spec";
import type { ClusterRef } from "../cluster/connection-ref";
import type { SyncFailHook } from "./health-gate-runtime";
import { loadProviderRuntime } from "./runtime-loader";

export interface ApplicationRecordArgs {
    cluster: ClusterRef;
    /** Only for a cluster configured with inline kubeconfig content (pass it as a secret). */
    kubeconfig?: pulumi.Input<string>;
    application: string;
    project: string;
    repoURL: string;
    targetRevision: string;
    revision: string;
    path: string;
    /** Every source, for an Application with several sources or a Helm repository chart (absent otherwise). */
    sources?: SourceRecord[];
    destination: ApplicationDestination;
    syncPolicy: SyncPolicy;
    ignoreDifferences: IgnoreDifference[];
    postDeleteHooks: SyncFailHook[];
    /** The Application's SyncFail hooks, for the CLI to run when a step without its own SyncFail handling fails. */
    syncFailHooks: SyncFailHook[];
    /** The desired state's digest and the hooks' run key of the sync this record belongs to (see SyncResult). */
    desired: string;
    runKey: string;
    /** The scope of every kind the Application declares, from the destination's discovery: the policy pack's source. */
    kindScopes: Record<string, "Cluster" | "Namespaced">;
    /** The parent Application that renders it (app of apps), for the policy pack's assignment check. */
    parent?: string;
    /** The ApplicationSet that generates it. */
    applicationSet?: string;
    /** The child Applications it renders (app of apps): the mass-deletion guard compares them with the last sync's. */
    children?: string[];
    /** The children's specs, waves and files, for the next sync of a parent that does not prune. */
    childSpecs?: Record<string, { spec: unknown; wave: number; file: string }>;
    /** Children kept though they left the parent's render (its sync did not prune): they require pruning. */
    keptChildren?: string[];
    /** Whether this sync may delete children that left the render; absent when it has and had none. */
    childrenPruned?: boolean;
    /** `syncwave sync --allow-fleet-deletion`. */
    allowFleetDeletion?: boolean;
}

export interface SourceRecord {
    repoURL: string;
    targetRevision: string;
    /** A commit, or a chart version. */
    revision: string;
    path?: string;
    chart?: string;
    ref?: string;
}

type StoredInputs = Omit<ApplicationRecordArgs, "kubeconfig"> & { kubeconfig?: string };

const recordProvider: pulumi.dynamic.ResourceProvider = {
    // The mass-deletion guard of a parent (app of apps): a render that drops most of the children the
    // last sync had (all of them, or more than half) is refused before anything is deleted, unless
    // the sync allows it. Here because only the record sees both the last sync's children and these.
    async check(olds: Partial<StoredInputs> | undefined, news: StoredInputs) {
        const owned = olds?.children ?? [];
        if (owned.length === 0) return { inputs: news };
        // A child that left the render is deleted only by a sync that prunes; `syncwave sync` keeps
        // it declared otherwise, but a run without the last sync's children (a plain `pulumi up`)
        // cannot, so it is refused rather than deleted.
        const dropped = owned.filter((c) => !(news.children ?? []).includes(c));
        if (dropped.length > 0 && news.childrenPruned !== true) {
            return {
                inputs: news,
                failures: [{ property: "children", reason: `application ${news.application}: child applications ${dropped.join(", ")} left its manifests and this sync does not prune, so they stay; this run does not know their last specs (run syncwave sync, which keeps them declared)` }],
            };
        }
        const guard = loadProviderRuntime<typeof import("../fleet/fleet-guard")>("components/fleet/fleet-guard");
        const verdict = guard.fleetDeletionVerdict({ owned, generated: news.children ?? [], allowed: news.allowFleetDeletion === true });
        if (!verdict.refused) return { inputs: news };
        return {
            inputs: news,
            failures: [{ property: "children", reason: `application ${news.application}: ${verdict.reason}; nothing was changed (syncwave sync --allow-fleet-deletion deletes them)` }],
        };
    },
    async create(inputs: StoredInputs) {
        return { id: inputs.application, outs: inputs };
    },
    async diff(_id: string, olds: StoredInputs, news: StoredInputs) {
        // Everything counts, the cluster too: state that still holds a kubeconfig, or the creating
        // checkout's paths (an earlier release), is rewritten without them.
        return { changes: JSON.stringify(olds) !== JSON.stringify(news) };
    },
    async update(_id: string, _olds: StoredInputs, news: StoredInputs) {
        return { outs: news };
    },
    async delete(_id: string, props: StoredInputs) {
        if (props.postDeleteHooks.length === 0) return;
        const runtime = loadProviderRuntime<typeof import("./hook-runtime")>("components/providers/hook-runtime");
        for (const hook of props.postDeleteHooks) {
            await runtime.runHook({ ...hook, cluster: props.cluster, kubeconfig: props.kubeconfig, syncId: `${props.application}:post-delete:${props.revision}` });
        }
    },
};

export class ApplicationRecord extends pulumi.dynamic.Resource {
    constructor(name: string, args: ApplicationRecordArgs, opts?: pulumi.CustomResourceOptions) {
        super(recordProvider, name, args, { ...opts, additionalSecretOutputs: ["kubeconfig"] }, "syncwave", "ApplicationRecord");
    }
}
