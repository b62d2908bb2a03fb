// HealthGate: the gate between two waves. Its inputs are its stage's resource references and a digest
// of their desired manifests, so it runs again exactly when its stage changed; `up` with nothing
// changed runs no gate. Create and update watch until every resource is Healthy; read reports the
// current health, so `pulumi refresh` shows health changes. The gate names its cluster with a
// ClusterRef that its provider's process resolves (components/cluster/connection-ref.ts): no
// kubeconfig in its state, except a cluster's inline content, kept secret.
import * as pulumi from "@pulumi/pulumi";
import { providerPerRules } from "./provider-per-rules";
import type { ClusterRef } from "../cluster/connection-ref";
import type { CustomHealthRules } from "../health/assess";
import type { GateInputs, GateResource, ResourceHealth, SyncFailHook } from "./health-gate-runtime";
import { loadProviderRuntime, storedWithCheckoutPaths } from "./runtime-loader";

export interface HealthGateArgs {
    cluster: ClusterRef;
    /** Only for a cluster configured with inline kubeconfig content (pass it as a secret). */
    kubeconfig?: pulumi.Input<string>;
    application: string;
    stage: string;
    resources: GateResource[];
    /** Digest of the stage's desired manifests. */
    digest: string;
    timeoutMs: number;
    /** How long a pod may stay Degraded (not backing off) before the gate fails; 30 s when not given. */
    degradedGraceMs?: number;
    syncId: string;
    syncFailHooks: SyncFailHook[];
}

type StoredInputs = GateInputs & { digest: string };
type StoredState = StoredInputs & { health?: ResourceHealth[] };

// One provider object per set of rules (see provider-per-rules.ts).
const healthGateProviderFor = providerPerRules((rules) => healthGateProvider(rules));

/** One provider per Application: its custom health rules travel in the provider's closure. */
function healthGateProvider(customRules: CustomHealthRules): pulumi.dynamic.ResourceProvider {
    // Loaded here, not captured: the provider runs in its own process, from the project's directory.
    const load = () => loadProviderRuntime<typeof import("./health-gate-runtime")>("components/providers/health-gate-runtime");
    const mustWait = (olds: StoredState, news: StoredInputs) => {
        const changed =
            olds.digest !== news.digest || JSON.stringify(olds.resources) !== JSON.stringify(news.resources) || olds.timeoutMs !== news.timeoutMs;
        // A refresh that found the stage unhealthy (a resource deleted or broken behind our back)
        // makes the gate wait again once the sync has put things back.
        const unhealthy = (olds.health ?? []).some((h) => h.status !== "Healthy" && h.status !== "Suspended");
        return changed || unhealthy;
    };
    return {
        async diff(_id: string, olds: StoredState, news: StoredInputs) {
            // Another way to reach the cluster (or state that still holds a kubeconfig, or the creating
            // checkout's paths) rewrites the gate's state without waiting again.
            const reconnected = JSON.stringify(olds.cluster) !== JSON.stringify(news.cluster) || olds.kubeconfig !== news.kubeconfig;
            return { changes: mustWait(olds, news) || reconnected || storedWithCheckoutPaths(olds) };
        },
        async create(inputs: StoredInputs) {
            const health = await load().runGate(inputs, customRules);
            return { id: `${inputs.application}/${inputs.stage}`, outs: { ...inputs, health } };
        },
        async update(_id: string, olds: StoredState, news: StoredInputs) {
            if (!mustWait(olds, news)) return { outs: { ...news, health: olds.health } };
            const health = await load().runGate(news, customRules);
            return { outs: { ...news, health } };
        },
        async read(id: string, props: StoredState) {
            const health = await load().currentHealth(props, customRules);
            return { id, props: { ...props, health } };
        },
        async delete() {
            // A gate owns nothing in the cluster.
        },
    };
}

export class HealthGate extends pulumi.dynamic.Resource {
    declare public readonly health: pulumi.Output<ResourceHealth[]>;

    constructor(name: string, args: HealthGateArgs, customRules: CustomHealthRules, opts?: pulumi.CustomResourceOptions) {
        super(
            healthGateProviderFor(customRules),
            name,
            { ...args, health: undefined },
            { ...opts, additionalSecretOutputs: ["kubeconfig"] },
            "syncwave",
            "HealthGate",
        );
    }
}
