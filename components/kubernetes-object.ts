// Any Kubernetes object as a resource of the Kubernetes provider, with the provider's own type token
// (kubernetes:apps/v1:Deployment, kubernetes:core/v1:ConfigMap, kubernetes:example.com/v1:Widget), so
// the provider applies, diffs, reads and deletes it as it would its typed class.
import * as pulumi from "@pulumi/pulumi";
import type { Manifest } from "./sync/manifest";

export function kubernetesTypeToken(apiVersion: string, kind: string): string {
    const version = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${version}:${kind}`;
}

export class KubernetesObject extends pulumi.CustomResource {
    declare public readonly metadata: pulumi.Output<Manifest["metadata"]>;

    constructor(name: string, manifest: Manifest, opts: pulumi.CustomResourceOptions) {
        super(kubernetesTypeToken(manifest.apiVersion, manifest.kind), name, { ...manifest, metadata: manifest.metadata }, opts);
    }
}
