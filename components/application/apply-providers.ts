// The Kubernetes providers an Application applies its objects with: server-side apply (SyncWave's
// default) and, only when an object asks for ServerSideApply=false, a second provider for the same
// destination with client-side apply. An object moving between them is updated in place, never
// replaced: the engine replaces a resource on a provider change only when the new provider's
// DiffConfig says so (pulumi pkg/resource/deploy/step_generator.go, providerChanged), and the
// Kubernetes provider's does only when the cluster changes, not for enableServerSideApply.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Manifest } from "../sync/manifest";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Creates the client-side provider the first time an object needs it, so other stacks' state is unchanged. */
export function clientSideApplyProvider(
    application: string,
    kubeconfig: pulumi.Input<string>,
    parent: pulumi.Resource,
): () => k8s.Provider {
    let provider: k8s.Provider | undefined;
    return () =>
        (provider ??= new k8s.Provider(
            `${application}-destination-client-side`,
            {
                kubeconfig,
                enableServerSideApply: false,
                // A changed ConfigMap or Secret is patched, as `kubectl apply` patches it. Otherwise the
                // provider plans a replacement, whose create fails on the existing object: with
                // client-side apply a create is a POST, not the upsert server-side apply makes it.
                enableConfigMapMutable: true,
                enableSecretMutable: true,
            },
            { parent },
        ));
}

/**
 * kubectl's last-applied-configuration, which `kubectl apply` writes and reads for its three-way merge.
 * The provider's client-side apply merges against its own state instead and does not write it (it even
 * removes it when it is not declared), so it is declared: a later `kubectl apply` of the same file
 * then merges as it would after Argo CD's client-side sync.
 */
export function lastAppliedConfiguration(manifest: Manifest): string {
    const annotations = { ...(manifest.metadata.annotations ?? {}) };
    delete annotations[LAST_APPLIED_ANNOTATION];
    return `${JSON.stringify({ ...manifest, metadata: { ...manifest.metadata, annotations } })}\n`;
}

/** A core Secret's data must not sit in the state in plain text, so neither may its last-applied copy. */
export function holdsSecretData(manifest: Manifest): boolean {
    return manifest.kind === "Secret" && manifest.apiVersion === "v1";
}
