// Hook: Argo CD's resource hooks (PreSync, Sync, PostSync; SyncFail, PreDelete and PostDelete run
// from the gates, the Pruner and the record). A hook is not a managed object: this dynamic resource
// creates the hook's object through the API, waits until it is Healthy or Degraded (with the same
// health rules as the gates, custom ones included), keeps its pods' logs, and deletes it as its delete
// policy says. Its cluster is a ClusterRef resolved in the provider's process; the logs and the
// message, which may echo what the hook's containers were given, are secret outputs.
//
// When a hook runs (deliberately narrower than Argo CD, which runs every hook on every sync operation):
// when the Application's desired state (its rendered manifests and sync options) changed since the
// hook last ran, or with a run key: a retry after a failed or interrupted sync, or --force-hooks. A
// commit elsewhere in the repository or a drift repair changes neither, so no hook runs for them.
import * as pulumi from "@pulumi/pulumi";
import { providerPerRules } from "./provider-per-rules";
import type { ClusterRef } from "../cluster/connection-ref";
import type { CustomHealthRules } from "../health/assess";
import type { Manifest } from "../sync/manifest";
import type { SyncFailHook } from "./health-gate-runtime";
import type { HookRun, RunHookInputs } from "./hook-runtime";
import { hookMustRun, hookSyncId } from "../sync/hook-runs";
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
    /** Digest of the Application's desired state: a new value runs the hook again. */
    desired: string;
    /** "" normally; a retry or a forced run sets a new key, which runs the hook again once. */
    runKey: string;
    /** The hook's identity in its Application (finds its earlier runs in the cluster). */
    hookKey: string;
    timeoutMs: pulumi.Input<number>;
    application: string;
    /** Run when this hook fails, before the error is returned. */
    syncFailHooks: SyncFailHook[];
}

/** What the provider stores: the run's inputs, plus what to do when it fails. */
type HookInputs = Omit<RunHookInputs, "syncId"> & {
    desired: string;
    runKey: string;
    syncId?: string;
    application: string;
    syncFailHooks: SyncFailHook[];
};

// One provider object per set of rules (see provider-per-rules.ts).
const hookProviderFor = providerPerRules((rules) => hookProvider(rules));

function hookProvider(customRules: CustomHealthRules): pulumi.dynamic.ResourceProvider {
    return {
        async diff(_id: string, olds: HookInputs & HookRun, news: HookInputs) {
            const rerun = hookMustRun(olds, news);
            // Another way to reach the cluster, a new run key after a run that stays valid, or state
            // that still holds a kubeconfig only rewrites the state.
            // State of an earlier release is rewritten too, so it no longer names the creating checkout.
            const rewritten =
                JSON.stringify(olds.cluster) !== JSON.stringify(news.cluster) ||
                olds.kubeconfig !== news.kubeconfig ||
                olds.runKey !== news.runKey ||
                storedWithCheckoutPaths(olds);
            return { changes: rerun || rewritten, replaces: rerun ? ["desired"] : [], deleteBeforeReplace: false };
        },
        async update(_id: string, olds: HookInputs & HookRun, news: HookInputs) {
            // Reached only when the hook does not run again: its last run is kept.
            const { hookName, namespace, status, message, logs, startedAt, finishedAt } = olds;
            return { outs: { ...news, hookName, namespace, status, message, logs, startedAt, finishedAt } };
        },
        async create(inputs: HookInputs) {
            // Loaded here, not captured: the provider runs in its own process, from the project's directory.
            const runtime = loadProviderRuntime<typeof import("./hook-runtime")>("components/providers/hook-runtime");
            const syncId = hookSyncId(inputs.desired, inputs.runKey);
            let outcome;
            try {
                outcome = await runtime.runHook({ ...inputs, syncId, desired: inputs.desired }, customRules);
            } catch (err) {
                const gate = loadProviderRuntime<typeof import("./health-gate-runtime")>("components/providers/health-gate-runtime");
                const cause = `application ${inputs.application}: ${(err as Error).message}`;
                throw new Error(await gate.runSyncFailHooks(inputs, syncId, inputs.syncFailHooks, cause, customRules));
            }
            return { id: `${outcome.namespace}/${outcome.hookName}@${syncId.slice(0, 12)}`, outs: { ...inputs, syncId, ...outcome } };
        },
        async delete() {
            // A hook's object is not managed: it was already cleaned up as its delete policy said, and a
            // kept one (BeforeHookCreation) is replaced by the next run.
        },
    };
}

export class Hook extends pulumi.dynamic.Resource {
    declare public readonly status: pulumi.Output<string>;
    declare public readonly message: pulumi.Output<string>;
    declare public readonly logs: pulumi.Output<string>;
    declare public readonly hookName: pulumi.Output<string>;

    constructor(name: string, args: HookArgs, customRules: CustomHealthRules, opts?: pulumi.CustomResourceOptions) {
        super(
            hookProviderFor(customRules),
            name,
            { ...args, syncId: undefined, status: undefined, message: undefined, logs: undefined, hookName: undefined },
            { ...opts, additionalSecretOutputs: ["kubeconfig", "logs", "message"] },
            "syncwave",
            "Hook",
        );
    }
}
