// Table tests of the sync plan: Argo CD's ordering, hooks, hoisting and sync options.
import { describe, expect, it } from "vitest";
import type { Manifest, SourcedManifest } from "../../components/sync/manifest";
import { ignoreChangesFor, jsonPointerToPropertyPath } from "../../components/sync/ignore-differences";
import { planSync } from "../../components/sync/plan";
import type { DiscoveredKinds } from "../../components/sync/scope";

/** What a cluster's discovery serves, as far as these tests need (Widget: a CRD already installed). */
const KINDS: DiscoveredKinds = {
    kinds: Object.fromEntries(
        (
            [
                ["/ConfigMap", "Namespaced", "v1"],
                ["/Service", "Namespaced", "v1"],
                ["/ServiceAccount", "Namespaced", "v1"],
                ["/Namespace", "Cluster", "v1"],
                ["apps/Deployment", "Namespaced", "v1"],
                ["batch/Job", "Namespaced", "v1"],
                ["networking.k8s.io/Ingress", "Namespaced", "v1"],
                ["rbac.authorization.k8s.io/ClusterRole", "Cluster", "v1"],
                ["apiextensions.k8s.io/CustomResourceDefinition", "Cluster", "v1"],
                ["example.com/Widget", "Namespaced", "v1"],
            ] as const
        ).map(([key, scope, version]) => [key, { scope, versions: [version] }]),
    ),
    unavailable: {},
};

function m(kind: string, name: string, annotations: Record<string, string> = {}, extra: Partial<Manifest> = {}): SourcedManifest {
    const apiVersion: Record<string, string> = {
        Deployment: "apps/v1",
        Job: "batch/v1",
        CustomResourceDefinition: "apiextensions.k8s.io/v1",
        ClusterRole: "rbac.authorization.k8s.io/v1",
        Ingress: "networking.k8s.io/v1",
        Widget: "example.com/v1",
    };
    return {
        file: `${kind.toLowerCase()}-${name}.yaml`,
        manifest: { apiVersion: apiVersion[kind] ?? "v1", kind, metadata: { name, annotations }, ...extra },
    };
}

const order = (manifests: SourcedManifest[], namespace = "app") =>
    planSync({ kinds: KINDS,  application: "demo", manifests, namespace }).stages.map(
        (s) => `${s.phase}/${s.wave}: ${[...s.resources, ...s.hooks].map((r) => `${r.key.kind}/${r.key.name}`).join(" ")}`,
    );

describe("planSync ordering", () => {
    it.each([
        {
            name: "kind order inside one wave (Helm's install order)",
            input: [m("Deployment", "api"), m("Service", "api"), m("ConfigMap", "cfg"), m("Namespace", "app"), m("ServiceAccount", "sa")],
            want: ["Sync/0: Namespace/app ServiceAccount/sa ConfigMap/cfg Service/api Deployment/api"],
        },
        {
            name: "waves ascending, negative first, then name",
            input: [
                m("Deployment", "b", { "argocd.argoproj.io/sync-wave": "1" }),
                m("Deployment", "a", { "argocd.argoproj.io/sync-wave": "1" }),
                m("ConfigMap", "early", { "argocd.argoproj.io/sync-wave": "-2" }),
                m("ConfigMap", "zero"),
            ],
            want: ["Sync/-2: ConfigMap/early", "Sync/0: ConfigMap/zero", "Sync/1: Deployment/a Deployment/b"],
        },
        {
            name: "unknown kinds come last",
            input: [m("Widget", "w"), m("Ingress", "web"), m("ConfigMap", "c")],
            want: ["Sync/0: ConfigMap/c Ingress/web Widget/w"],
        },
        {
            name: "phases: PreSync hooks, then Sync, then PostSync",
            input: [
                m("Job", "smoke", { "argocd.argoproj.io/hook": "PostSync" }),
                m("Deployment", "api"),
                m("Job", "migrate", { "argocd.argoproj.io/hook": "PreSync" }),
            ],
            want: ["PreSync/0: Job/migrate", "Sync/0: Deployment/api", "PostSync/0: Job/smoke"],
        },
        {
            name: "a Namespace needed earlier is hoisted to the earliest wave that needs it",
            input: [
                m("Namespace", "team", { "argocd.argoproj.io/sync-wave": "5" }),
                m("ConfigMap", "cfg", { "argocd.argoproj.io/sync-wave": "-1" }, { metadata: { name: "cfg", namespace: "team", annotations: { "argocd.argoproj.io/sync-wave": "-1" } } }),
            ],
            want: ["Sync/-1: Namespace/team ConfigMap/cfg"],
        },
        {
            name: "a CRD needed by a custom resource in an earlier wave is hoisted",
            input: [
                m("CustomResourceDefinition", "widgets.example.com", { "argocd.argoproj.io/sync-wave": "3" }, {
                    spec: { group: "example.com", names: { kind: "Widget" }, scope: "Namespaced" },
                }),
                m("Widget", "w", { "argocd.argoproj.io/sync-wave": "1" }),
            ],
            want: ["Sync/1: CustomResourceDefinition/widgets.example.com Widget/w"],
        },
        {
            name: "a Namespace needed by a PreSync hook moves into PreSync",
            input: [
                m("Namespace", "app"),
                m("Job", "migrate", { "argocd.argoproj.io/hook": "PreSync" }),
            ],
            want: ["PreSync/0: Namespace/app Job/migrate"],
        },
        {
            name: "Helm hooks map to Argo CD phases, hook-weight to wave",
            input: [
                m("Job", "pre", { "helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "-5" }),
                m("Job", "post", { "helm.sh/hook": "post-install" }),
                m("ConfigMap", "c"),
            ],
            want: ["PreSync/-5: Job/pre", "Sync/0: ConfigMap/c", "PostSync/0: Job/post"],
        },
        {
            name: "an Argo CD hook annotation overrides Helm's",
            input: [m("Job", "j", { "argocd.argoproj.io/hook": "Sync", "helm.sh/hook": "pre-install", "helm.sh/hook-weight": "7" })],
            want: ["Sync/0: Job/j"],
        },
    ])("$name", ({ input, want }) => {
        expect(order(input)).toEqual(want);
    });
});

describe("planSync hooks and options", () => {
    it("keeps SyncFail, PreDelete and PostDelete hooks out of the stages and skips Skip", () => {
        const plan = planSync({ kinds: KINDS, 
            application: "demo",
            namespace: "app",
            manifests: [
                m("Job", "cleanup", { "argocd.argoproj.io/hook": "SyncFail" }),
                m("Job", "farewell", { "argocd.argoproj.io/hook": "PostDelete" }),
                m("ConfigMap", "ignored", { "argocd.argoproj.io/hook": "Skip" }),
                m("ConfigMap", "kept"),
            ],
        });
        expect(plan.stages.map((s) => s.phase)).toEqual(["Sync"]);
        expect(plan.syncFailHooks.map((h) => h.key.name)).toEqual(["cleanup"]);
        expect(plan.postDeleteHooks.map((h) => h.key.name)).toEqual(["farewell"]);
        expect(plan.skipped.map((h) => h.key.name)).toEqual(["ignored"]);
        expect(plan.managed.map((h) => h.key.name)).toEqual(["kept"]);
    });

    it("gives hooks BeforeHookCreation by default and reads Helm's policy names", () => {
        const plan = planSync({ kinds: KINDS, 
            application: "demo",
            manifests: [
                m("Job", "a", { "argocd.argoproj.io/hook": "PreSync" }),
                m("Job", "b", { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded,HookFailed" }),
                m("Job", "c", { "helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "hook-succeeded" }),
            ],
        });
        expect(plan.stages[0].hooks.map((h) => h.hook?.deletePolicies)).toEqual([
            ["BeforeHookCreation"],
            ["HookSucceeded", "HookFailed"],
            ["HookSucceeded"],
        ]);
    });

    it("records generateName for unnamed hooks", () => {
        const hook: SourcedManifest = {
            file: "hook.yaml",
            manifest: { apiVersion: "batch/v1", kind: "Job", metadata: { generateName: "migrate-", annotations: { "argocd.argoproj.io/hook": "PreSync" } } },
        };
        const plan = planSync({ kinds: KINDS,  application: "demo", manifests: [hook, m("ConfigMap", "c")] });
        expect(plan.stages[0].hooks[0].hook?.generateName).toBe("migrate-");
    });

    it("layers per-resource sync options over the Application's", () => {
        const plan = planSync({ kinds: KINDS, 
            application: "demo",
            syncOptions: ["PruneLast=true", "ServerSideApply=true"],
            manifests: [m("ConfigMap", "keep", { "argocd.argoproj.io/sync-options": "Prune=false,Delete=false" }), m("ConfigMap", "plain")],
        });
        const [keep, plain] = plan.managed;
        expect(keep.options).toMatchObject({ prune: false, delete: false, pruneLast: true, serverSideApply: true });
        expect(plain.options).toMatchObject({ prune: true, delete: true, pruneLast: true });
    });

    it("puts namespaced resources into the destination namespace and strips cluster-scoped ones", () => {
        const plan = planSync({ kinds: KINDS, 
            application: "demo",
            namespace: "payments",
            manifests: [m("ConfigMap", "c"), { ...m("ClusterRole", "r"), manifest: { ...m("ClusterRole", "r").manifest, metadata: { name: "r", namespace: "x" } } }],
        });
        expect(plan.managed.map((r) => `${r.key.kind}:${r.key.namespace}`)).toEqual(["ConfigMap:payments", "ClusterRole:"]);
    });

    it("changes a stage's digest exactly when its manifests change", () => {
        const base = [m("ConfigMap", "a", { "argocd.argoproj.io/sync-wave": "0" }), m("ConfigMap", "b", { "argocd.argoproj.io/sync-wave": "1" })];
        const before = planSync({ kinds: KINDS,  application: "demo", manifests: base });
        const changed = planSync({ kinds: KINDS, 
            application: "demo",
            manifests: [base[0], { ...base[1], manifest: { ...base[1].manifest, data: { k: "v" } } }],
        });
        expect(changed.stages[0].digest).toBe(before.stages[0].digest);
        expect(changed.stages[1].digest).not.toBe(before.stages[1].digest);
    });
});

describe("planSync refuses bad input with the file, resource and field", () => {
    it.each([
        {
            name: "a non-integer wave",
            manifests: [m("ConfigMap", "c", { "argocd.argoproj.io/sync-wave": "first" })],
            error: /file configmap-c\.yaml, resource ConfigMap app\/c, field metadata\.annotations\["argocd\.argoproj\.io\/sync-wave"\]: "first" is not an integer/,
        },
        {
            name: "an unknown hook",
            manifests: [m("Job", "j", { "argocd.argoproj.io/hook": "BeforeSync" })],
            error: /resource Job app\/j.*unknown hook "BeforeSync"/,
        },
        {
            name: "an unknown delete policy",
            manifests: [m("Job", "j", { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "Never" })],
            error: /hook-delete-policy.*unknown hook delete policy "Never"/,
        },
        {
            name: "an unknown sync option",
            manifests: [m("ConfigMap", "c", { "argocd.argoproj.io/sync-options": "Prune=maybe" })],
            error: /sync-options.*Prune must be true or false/,
        },
        {
            name: "a duplicate resource",
            manifests: [m("ConfigMap", "c"), { ...m("ConfigMap", "c"), file: "other.yaml" }],
            error: /file other\.yaml, resource ConfigMap app\/c: ConfigMap app\/c is declared twice \(also in configmap-c\.yaml\)/,
        },
        {
            name: "a document without kind",
            manifests: [{ file: "bad.yaml", manifest: { apiVersion: "v1", metadata: { name: "x" } } as unknown as Manifest }],
            error: /file bad\.yaml, field kind: kind is missing/,
        },
        {
            name: "an empty render",
            manifests: [],
            error: /application demo: the source rendered no manifests/,
        },
    ])("$name", ({ manifests, error }) => {
        expect(() => planSync({ kinds: KINDS,  application: "demo", namespace: "app", manifests })).toThrow(error);
    });

    it("allows an empty render with allowEmpty", () => {
        expect(planSync({ kinds: KINDS,  application: "demo", manifests: [], allowEmpty: true }).stages).toEqual([]);
    });
});

describe("ignoreDifferences", () => {
    it.each([
        ["/spec/replicas", "spec.replicas"],
        ["/spec/template/spec/containers/0/image", "spec.template.spec.containers[0].image"],
        ["/metadata/annotations/example.com~1owner", 'metadata.annotations["example.com/owner"]'],
    ])("%s becomes %s", (pointer, path) => {
        expect(jsonPointerToPropertyPath(pointer, { field: "f" })).toBe(path);
    });

    it("applies only the rules that match the resource", () => {
        const rules = [
            { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] },
            { group: "apps", kind: "Deployment", name: "other", jsonPointers: ["/spec/paused"] },
            { kind: "ConfigMap", jsonPointers: ["/data"] },
        ];
        expect(ignoreChangesFor("demo", rules, { group: "apps", kind: "Deployment", namespace: "a", name: "api" })).toEqual(["spec.replicas"]);
    });

    it("refuses a pointer without a leading slash", () => {
        expect(() => ignoreChangesFor("demo", [{ kind: "ConfigMap", jsonPointers: ["data"] }], { group: "", kind: "ConfigMap", namespace: "", name: "c" })).toThrow(
            /field ignoreDifferences\[0\]\.jsonPointers\[0\]/,
        );
    });
});

describe("scope from discovery", () => {
    const gadget = (extra: Partial<Manifest> = {}): SourcedManifest => ({
        file: "gadget.yaml",
        manifest: { apiVersion: "example.org/v1", kind: "Gadget", metadata: { name: "g" }, ...extra },
    });

    it("refuses a kind neither discovery nor a CRD of the sync knows, naming the resource and file", () => {
        expect(() => planSync({ kinds: KINDS, application: "demo", namespace: "app", manifests: [gadget()] })).toThrow(/gadget\.yaml.*Gadget/s);
    });

    it("takes a kind's scope from a CRD in the same sync", () => {
        const crd = m("CustomResourceDefinition", "gadgets.example.org", {}, {
            spec: { group: "example.org", names: { kind: "Gadget", plural: "gadgets" }, scope: "Cluster", versions: [{ name: "v1", served: true, storage: true }] },
        } as Partial<Manifest>);
        const plan = planSync({ kinds: KINDS, application: "demo", namespace: "app", manifests: [crd, gadget({ metadata: { name: "g", namespace: "app" } })] });
        const g = plan.managed.find((r) => r.key.kind === "Gadget")!;
        // Cluster-scoped: the namespace it names is dropped, as the API server would.
        expect(g.key.namespace).toBe("");
        expect(plan.kindScopes["example.org/Gadget"]).toBe("Cluster");
        expect(plan.kindScopes["/ConfigMap"]).toBeUndefined();
    });

    it("takes a built-in kind's scope from discovery: a ClusterRole gets no namespace", () => {
        const plan = planSync({ kinds: KINDS, application: "demo", namespace: "app", manifests: [m("ClusterRole", "reader"), m("ConfigMap", "c")] });
        expect(plan.managed.map((r) => `${r.key.kind}:${r.key.namespace}`).sort()).toEqual(["ClusterRole:", "ConfigMap:app"]);
    });
});
