// ReplacedObject: a managed object synced with Argo CD's Replace=true, i.e. `kubectl replace` (a PUT of
// the whole object at its live resourceVersion, a create when it is absent), and with Force=true
// `kubectl replace --force` (delete until gone, then create). The Kubernetes provider cannot do this:
// its replacement is always delete-and-create, which for Replace=true alone would change the object's
// uid, drop its history and, for a CRD, delete every custom resource.
//
// Credentials never enter the state: a resource names its cluster with a ClusterRef, which the
// provider's process resolves from its environment (components/cluster/connection-ref.ts); only a
// cluster configured with inline kubeconfig content passes that content, as a secret.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../cluster/connection-ref";
import type { Manifest } from "../sync/manifest";
import type { PropagationPolicy, ReplacedObjectInputs, ReplacedObjectState } from "./replaced-object-runtime";
import { loadProviderRuntime, storedWithCheckoutPaths } from "./runtime-loader";

export interface ReplacedObjectArgs {
    manifest: Manifest;
    /** Force=true: delete and create instead of replacing in place (refused for CRDs and Namespaces). */
    force?: pulumi.Input<boolean>;
    /** How deleting the object cascades (PrunePropagationPolicy); foreground by default. */
    propagationPolicy?: pulumi.Input<PropagationPolicy>;
    /** Prune=false or Delete=false: removing the resource leaves the object in the cluster. */
    retain?: pulumi.Input<boolean>;
    /** The destination cluster, and the user to act as there (the Project's destination ServiceAccount). */
    cluster: ClusterRef;
    /** Only for a cluster configured with inline kubeconfig content (pass it as a secret). */
    kubeconfig?: pulumi.Input<string>;
    /** Longest wait for a deletion (Force=true, or removal), in milliseconds; 5 minutes by default, as kubectl's. */
    timeoutMs?: pulumi.Input<number>;
}

function runtime(): typeof import("./replaced-object-runtime") {
    // Loaded here, not captured: the provider runs in its own process, from the project's directory.
    return loadProviderRuntime<typeof import("./replaced-object-runtime")>("components/providers/replaced-object-runtime");
}

const replacedObjectProvider: pulumi.dynamic.ResourceProvider<ReplacedObjectInputs, ReplacedObjectState> = {
    async check(_olds, news) {
        const r = runtime();
        const inputs = r.withDefaults(news);
        return { inputs, failures: r.checkInputs(inputs) };
    },
    async diff(_id, olds, news) {
        const diff = runtime().diffInputs(olds, news);
        // State of an earlier release names the creating checkout in its provider: an update stores
        // the portable one (and writes to the cluster only if the object needs it).
        return storedWithCheckoutPaths(olds) ? { ...diff, changes: true } : diff;
    },
    async create(inputs) {
        const outs = await runtime().createReplaced(inputs);
        return { id: runtime().objectId(inputs.manifest), outs };
    },
    async read(id, props) {
        if (!props) throw new Error(`ReplacedObject ${id} cannot be imported: declare it and let a sync replace it`);
        return { id, props: await runtime().readReplaced(props) };
    },
    async update(_id, olds, news) {
        return { outs: await runtime().updateReplaced(olds, news) };
    },
    async delete(_id, props) {
        await runtime().deleteReplaced(props);
    },
};

export class ReplacedObject extends pulumi.dynamic.Resource {
    /** The object's uid: the same after a replace, new after a forced one. */
    declare public readonly uid: pulumi.Output<string>;
    /** The object as last written or refreshed; null when a refresh found it gone. */
    declare public readonly live: pulumi.Output<Record<string, unknown> | null>;

    constructor(name: string, args: ReplacedObjectArgs, opts?: pulumi.CustomResourceOptions) {
        // A Secret's data must not sit in the state in plain text.
        const secret = args.manifest.kind === "Secret" && !args.manifest.apiVersion.includes("/");
        super(
            replacedObjectProvider,
            name,
            {
                ...args,
                manifest: secret ? pulumi.secret(args.manifest) : args.manifest,
                uid: undefined,
                live: undefined,
                appliedDigest: undefined,
                liveDigest: undefined,
            },
            { ...opts, additionalSecretOutputs: ["kubeconfig", ...(secret ? ["live", "manifest"] : []), ...(opts?.additionalSecretOutputs ?? [])] },
            "syncwave",
            "ReplacedObject",
        );
    }
}
