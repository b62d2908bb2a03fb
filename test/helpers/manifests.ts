// Manifests the end-to-end tests sync: a ConfigMap in a given wave, and the "web" Deployment in wave 1
// whose pod annotations steer the local cluster's simulated pods (ready-after, fail).

/** A ConfigMap in sync wave `wave`. */
export function waveConfigMap(name: string, wave: number, data: Record<string, string>) {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations: { "argocd.argoproj.io/sync-wave": String(wave) } }, data };
}

/** The Deployment "web" (one replica) in wave 1, running `image`, its pod template annotated. */
export function webDeployment(image: string, podAnnotations: Record<string, string> = {}) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", annotations: { "argocd.argoproj.io/sync-wave": "1" } },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: "web" } },
            template: { metadata: { labels: { app: "web" }, annotations: podAnnotations }, spec: { containers: [{ name: "web", image }] } },
        },
    };
}
