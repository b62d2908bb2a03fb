// Argo CD's Helm and Kustomize source fields, end to end: a chart and a kustomize base from a real git
// repository, synced by one `pulumi up` on the local cluster, with the live objects showing each field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const helmNs = `fields-${run}-helm`;
const kustomizeNs = `fields-${run}-kustomize`;
const crdGroup = `fields${run}.example.com`;

const project = {
    sourceRepos: ["file:///tmp/*"],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: `fields-${run}-*` }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }, { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }],
};

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

const chartTemplate = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: {{ .Release.Name }}-settings",
    "data:",
    "  greeting: {{ .Values.greeting | quote }}",
    "  tier: {{ .Values.tier | quote }}",
    "  port: {{ (index .Values.servers 1).port | quote }}",
    "  replicas: {{ .Values.replicas | quote }}",
    "  replicasKind: {{ kindOf .Values.replicas | quote }}",
    "  flagKind: {{ kindOf .Values.flag | quote }}",
    "  config: {{ .Values.config | quote }}",
    "  revision: {{ .Values.revision | quote }}",
    "  releaseNamespace: {{ .Release.Namespace | quote }}",
    "  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}",
    '  hasWidgets: {{ .Capabilities.APIVersions.Has "example.com/v1/Widget" | quote }}',
].join("\n");

const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${crdGroup}` },
    spec: {
        group: crdGroup,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
};

const web = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "main", image: "nginx:1.25" }] } },
    },
};

describe("Helm and Kustomize source fields on the local cluster", () => {
    let stack: SyncStack | undefined;
    let commit = "";
    beforeAll(async () => {
        await ensureCluster();
        const repo = new TestRepo();
        commit = repo.commit({
            "chart/Chart.yaml": yaml({ apiVersion: "v2", name: "fields", version: "0.1.0" }),
            "chart/values.yaml": yaml({ greeting: "default", tier: "default", servers: [{ port: 1 }, { port: 2 }], replicas: 1, flag: false }),
            "chart/values-prod.yaml": yaml({ greeting: "from the value file", tier: "from the value file" }),
            "chart/config.txt": "from a file parameter",
            "chart/crds/widgets.yaml": yaml(crd),
            "chart/templates/settings.yaml": chartTemplate,
            "base/kustomization.yaml": yaml({ resources: ["web.yaml"] }),
            "base/web.yaml": yaml(web),
            "components/extra/kustomization.yaml": yaml({ apiVersion: "kustomize.config.k8s.io/v1alpha1", kind: "Component", resources: ["extra.yaml"] }),
            "components/extra/extra.yaml": yaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra" }, data: { from: "component" } }),
        });
        stack = await SyncStack.create("source-fields", {
            project,
            applications: {
                charted: {
                    source: {
                        repoURL: repo.url,
                        targetRevision: "main",
                        path: "chart",
                        helm: {
                            releaseName: "web",
                            valueFiles: ["values-prod.yaml", "missing.yaml"],
                            ignoreMissingValueFiles: true,
                            valuesObject: { tier: "from valuesObject" },
                            parameters: [
                                { name: "servers[1].port", value: "8080" },
                                { name: "replicas", value: "3", forceString: true },
                                { name: "flag", value: "true" },
                                { name: "revision", value: "$ARGOCD_APP_REVISION_SHORT" },
                            ],
                            fileParameters: [{ name: "config", path: "config.txt" }],
                            namespace: helmNs,
                            kubeVersion: "1.29.0",
                            apiVersions: ["example.com/v1/Widget", "v1"],
                            skipCrds: true,
                            version: "v3",
                        },
                    },
                    destination: { server: "https://kubernetes.default.svc", namespace: helmNs },
                    syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                },
                kustomized: {
                    source: {
                        repoURL: repo.url,
                        targetRevision: "main",
                        path: "base",
                        kustomize: {
                            namePrefix: "pre-",
                            nameSuffix: "-suf",
                            images: ["nginx=registry.example/nginx:1.27"],
                            replicas: [{ name: "web", count: 2 }],
                            commonLabels: { team: "shop" },
                            labelWithoutSelector: true,
                            commonAnnotations: { "example.com/app": "$ARGOCD_APP_NAME" },
                            commonAnnotationsEnvsubst: true,
                            patches: [{ target: { kind: "Deployment" }, patch: "- op: add\n  path: /metadata/annotations/patched\n  value: \"yes\"\n" }],
                            components: ["../components/extra"],
                        },
                    },
                    destination: { server: "https://kubernetes.default.svc", namespace: kustomizeNs },
                    syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                },
            },
        });
        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);
    });
    afterAll(async () => {
        await stack?.destroy();
        await kTry("delete", "namespace", helmNs, kustomizeNs, "--wait=false");
        await kTry("delete", "crd", `widgets.${crdGroup}`, "--wait=false");
    });

    it("renders the chart with every value source in Helm's order and the template options", async () => {
        const data = JSON.parse(await k("get", "configmap", "web-settings", "-n", helmNs, "-o", "jsonpath={.data}")) as Record<string, string>;
        expect(data).toEqual({
            greeting: "from the value file",
            tier: "from valuesObject",
            port: "8080",
            replicas: "3",
            replicasKind: "string",
            flagKind: "bool",
            config: "from a file parameter",
            revision: commit.slice(0, 7),
            releaseNamespace: helmNs,
            kubeVersion: "v1.29.0",
            hasWidgets: "true",
        });
        // skipCrds: the chart's CRD was not rendered, so not applied.
        const crdLookup = await kTry("get", "crd", `widgets.${crdGroup}`);
        expect(crdLookup.ok, crdLookup.output).toBe(false);
        expect(crdLookup.output).toMatch(/NotFound|not found/);
    });

    it("applies Argo CD's kustomize edits", async () => {
        const deployment = JSON.parse(await k("get", "deployment", "pre-web-suf", "-n", kustomizeNs, "-o", "json")) as {
            metadata: { labels: Record<string, string>; annotations: Record<string, string> };
            spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { spec: { containers: { image: string }[] } } };
        };
        expect(deployment.spec.replicas).toBe(2);
        expect(deployment.spec.template.spec.containers[0].image).toBe("registry.example/nginx:1.27");
        expect(deployment.metadata.labels.team).toBe("shop");
        expect(deployment.spec.selector.matchLabels).toEqual({ app: "web" });
        expect(deployment.metadata.annotations["example.com/app"]).toBe("kustomized");
        expect(deployment.metadata.annotations.patched).toBe("yes");
        expect(await k("get", "configmap", "pre-extra-suf", "-n", kustomizeNs, "-o", "jsonpath={.data.from}")).toBe("component");
    });
});
