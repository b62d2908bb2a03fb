// The gate between two stages of a sync: what the next stage's resources depend on. One seam, so the
// way readiness is proven can change without touching the graph.
import type * as pulumi from "@pulumi/pulumi";

/**
 * Returns the resources the next stage depends on. The Kubernetes provider's await logic already
 * holds each resource until it is ready (Deployments rolled out, Services with endpoints, Ingresses
 * with an address), so depending on the stage's members gates the next stage.
 */
export function stageGate(_parent: pulumi.ComponentResource, _stage: string, _index: number, members: pulumi.Resource[]): pulumi.Resource[] {
    return members;
}
