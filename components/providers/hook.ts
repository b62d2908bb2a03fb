// Hook: Argo CD's resource hooks (PreSync, Sync, PostSync, SyncFail, PostDelete). A hook is not a
// managed object: this dynamic resource creates the hook's object through the API once per sync,
// waits until it is Healthy or Degraded (with the same health rules as the gates), keeps its pods'
// logs, and deletes it as its delete policy says. Its cluster is a ClusterRef resolved in the
// provider's process; the logs and the message, which may echo what the hook's containers were given,
// are secret outputs.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../cluster/connection-ref";
import type { Manifest } from "../sync/manifest";
import type { SyncFailHook } from "./health-gate-runtime";
import type { HookRun, RunHookInputs } from "./hook-runtime";
import { loadProviderRuntime, storedWithCheckoutPaths } from "./runtime-loader";

export interface HookArgs {
    cluster: ClusterRef;
    /** Only for a cluster configured with inline kubeconfig content (pass it as a secret). */
    kubeconfig?: pulumi.Input<string>;
    manifest: pulumi.Input<Manifest>;
    generateName?: pulumi.Input<string | undefined>;
    deletePolicies: pulumi.Input<string[]>;
    phase: pulumi.Input<string>;
    wave: pulumi.Input<number>;
    /** Identifies the sync: a new value runs the hook again. */
    syncId: pulumi.Input<string>;
    timeoutMs: pulumi.Input<number>;
    application: string;
    /** Run when this hook fails, before the error is returned. */
    syncFailHooks: SyncFailHook[];
}

/** What the provider stores: the run's inputs, plus what to do when it fails. */
type HookInputs = RunHookInputs & {
    application: string;
    syncFailHooks: SyncFailHook[];
};

const hookProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: HookInputs, news: HookInputs) {
        const rerun = olds.syncId !== news.syncId || JSON.stringify(olds.manifest) !== JSON.stringify(news.manifest);
        // Another way to reach the cluster (or state that still holds a kubeconfig) only rewrites the state.
        const reconnected = JSON.stringify(olds.cluster) !== JSON.stringify(news.cluster) || olds.kubeconfig !== news.kubeconfig;
        // State of an earlier release only rewrites the state, so it no longer names the creating checkout.
        return { changes: rerun || reconnected || storedWithCheckoutPaths(olds), replaces: rerun ? ["syncId"] : [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: HookInputs & HookRun, news: HookInputs) {
        // Reached only when the connection changed: the hook does not run again, its last run is kept.
        const { hookName, namespace, status, message, logs, startedAt, finishedAt } = olds;
        return { outs: { ...news, hookName, namespace, status, message, logs, startedAt, finishedAt } };
    },
    async create(inputs: HookInputs) {
        // Loaded here, not captured: the provider runs in its own process, from the project's directory.
        const runtime = loadProviderRuntime<typeof import("./hook-runtime")>("components/providers/hook-runtime");
        let outcome;
        try {
            outcome = await runtime.runHook(inputs);
        } catch (err) {
            const gate = loadProviderRuntime<typeof import("./health-gate-runtime")>("components/providers/health-gate-runtime");
            const cause = `application ${inputs.application}: ${(err as Error).message}`;
            throw new Error(await gate.runSyncFailHooks(inputs, inputs.syncId, inputs.syncFailHooks, cause));
        }
        return { id: `${outcome.namespace}/${outcome.hookName}@${inputs.syncId.slice(0, 12)}`, outs: { ...inputs, ...outcome } };
    },
    async delete() {
        // A hook's object is not managed: it was already cleaned up as its delete policy said, and a
        // kept one (BeforeHookCreation) is replaced by the next run.
    },
};

export class Hook extends pulumi.dynamic.Resource {
    declare public readonly status: pulumi.Output<string>;
    declare public readonly message: pulumi.Output<string>;
    declare public readonly logs: pulumi.Output<string>;
    declare public readonly hookName: pulumi.Output<string>;

    constructor(name: string, args: HookArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            hookProvider,
            name,
            { ...args, status: undefined, message: undefined, logs: undefined, hookName: undefined },
            { ...opts, additionalSecretOutputs: ["kubeconfig", "logs", "message"] },
            "syncwave",
            "Hook",
        );
    }
}
