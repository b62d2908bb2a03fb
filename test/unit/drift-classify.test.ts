// Drift classification fails closed: only declared owners (ignoreDifferences, an autoscaler on
// spec.replicas, the Project's trustedManagers) keep a field out of unauthorised drift.
import { describe, expect, it } from "vitest";
import { classifyField, driftedPathsOf, driftedSegmentsOf, type FieldOwners, type LiveObjectWithFields } from "../../cli/commands/drift-classify";
import { roundAction, commitFromLsRemote, type AppRoundState } from "../../cli/commands/reconcile-plan";
import { ignoredPaths } from "../../components/sync/ignore-differences";
import { loadJq } from "../../components/sync/jq-paths";

const deployment = { group: "apps", kind: "Deployment", namespace: "shop", name: "web" };
const imageFields = { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { "f:image": {} } } } } } };
const replicaFields = { "f:spec": { "f:replicas": {} } };
const annotationFields = { "f:metadata": { "f:annotations": { "f:example.com/x": {} } } };
const imagePath = ["spec", "template", "spec", "containers", 0, "image"];

function live(managers: { manager: string; time?: string; fields: Record<string, unknown> }[] | undefined): LiveObjectWithFields {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: "web",
            namespace: "shop",
            annotations: { "example.com/x": "changed" },
            ...(managers ? { managedFields: managers.map((m) => ({ manager: m.manager, operation: "Update", time: m.time ?? "2026-01-02T00:00:00Z", fieldsV1: m.fields })) } : {}),
        },
        spec: { replicas: 3, template: { spec: { containers: [{ name: "web", image: "example.com/web:hotfix" }] } } },
    } as LiveObjectWithFields;
}

const none: FieldOwners = { ignored: [], managedFieldsManagers: [], trustedManagers: [], autoscaled: false };
const own = { manager: "pulumi-kubernetes-1a2b", time: "2026-01-01T00:00:00Z", fields: imageFields };

describe("drift classification fails closed", () => {
    const cases: { name: string; managers: Parameters<typeof live>[0]; path: (string | number)[]; owners?: Partial<FieldOwners>; expected: string; manager?: string; reason?: RegExp }[] = [
        { name: "a person's kubectl edit", managers: [own, { manager: "kubectl-edit", fields: imageFields }], path: imagePath, expected: "unauthorised", manager: "kubectl-edit" },
        // Old code: any manager that did not look like a person was an "owned" controller.
        { name: "an unknown controller", managers: [{ manager: "istio-sidecar-injector", fields: imageFields }], path: imagePath, expected: "unauthorised", manager: "istio-sidecar-injector", reason: /no ignoreDifferences rule or Project trustedManagers/ },
        // Old code: "owned" too, as any manager that did not look like a person.
        { name: "a manager that merely shares the field with SyncWave", managers: [own, { manager: "some-operator", fields: imageFields }], path: imagePath, expected: "unauthorised", manager: "some-operator" },
        // These two were unauthorised before too (an "unknown writer"); now each says why.
        { name: "an object without managedFields", managers: undefined, path: imagePath, expected: "unauthorised", reason: /no managedFields/ },
        { name: "a field no manager entry covers (removed by hand)", managers: [{ manager: "some-operator", fields: replicaFields }], path: imagePath, expected: "unauthorised", reason: /no field manager owns/ },
        { name: "only SyncWave's manager, yet not git's value", managers: [own], path: imagePath, expected: "unauthorised", reason: /only SyncWave's manager/ },
        { name: "a Project-trusted controller", managers: [{ manager: "istio-sidecar-injector", fields: imageFields }], path: imagePath, owners: { trustedManagers: ["istio-sidecar-injector"] }, expected: "owned" },
        // Every co-owner must be declared: one trusted manager does not vouch for another.
        { name: "a trusted and an untrusted co-owner", managers: [{ manager: "istio-sidecar-injector", fields: imageFields }, { manager: "kubectl-patch", fields: imageFields }], path: imagePath, owners: { trustedManagers: ["istio-sidecar-injector"] }, expected: "unauthorised", manager: "istio-sidecar-injector, kubectl-patch" },
        { name: "ignoreDifferences managedFieldsManagers", managers: [{ manager: "kubectl-patch", fields: imageFields }], path: imagePath, owners: { managedFieldsManagers: ["kubectl-patch"] }, expected: "ignored" },
        { name: "replicas under an autoscaler, whoever scaled", managers: [{ manager: "kubectl", fields: replicaFields }], path: ["spec", "replicas"], owners: { autoscaled: true }, expected: "owned" },
        { name: "replicas without an autoscaler", managers: [{ manager: "kubectl", fields: replicaFields }], path: ["spec", "replicas"], expected: "unauthorised" },
        { name: "an autoscaler does not own the image", managers: [{ manager: "kubectl", fields: imageFields }], path: imagePath, owners: { autoscaled: true }, expected: "unauthorised" },
        { name: "an annotation with . and / in its key by an unknown manager", managers: [{ manager: "kubectl-annotate", fields: annotationFields }], path: ["metadata", "annotations", "example.com/x"], expected: "unauthorised", manager: "kubectl-annotate" },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const result = classifyField(deployment, live(c.managers), c.path, { ...none, ...c.owners });
            expect(result.class).toBe(c.expected);
            if (c.manager) expect(result.manager).toBe(c.manager);
            if (c.reason) expect(result.reason).toMatch(c.reason);
        });
    }
});

describe("ignoreDifferences paths in drift", () => {
    const obj = live([{ manager: "kubectl-annotate", fields: annotationFields }]);
    const annotation = ["metadata", "annotations", "example.com/x"];
    const cases: { name: string; rule: Record<string, unknown>; path: (string | number)[]; expected: string }[] = [
        // Old code turned this pointer into `metadata.annotations.example.com/x` and never matched the drifted path.
        { name: "a pointer with ~1 covers an annotation key with . and /", rule: { jsonPointers: ["/metadata/annotations/example.com~1x"] }, path: annotation, expected: "ignored" },
        { name: "a pointer to the annotations map covers its keys", rule: { jsonPointers: ["/metadata/annotations"] }, path: annotation, expected: "ignored" },
        { name: "a pointer to another key does not", rule: { jsonPointers: ["/metadata/annotations/example.com~1y"] }, path: annotation, expected: "unauthorised" },
        { name: "a pointer with an array index", rule: { jsonPointers: ["/spec/template/spec/containers/0/image"] }, path: imagePath, expected: "ignored" },
        { name: "a pointer with another index", rule: { jsonPointers: ["/spec/template/spec/containers/1"] }, path: imagePath, expected: "unauthorised" },
        // Old code ignored jqPathExpressions altogether.
        { name: "a jq expression selecting the container by name", rule: { jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "web") | .image'] }, path: imagePath, expected: "ignored" },
        { name: "a jq expression with a quoted key", rule: { jqPathExpressions: ['.metadata.annotations."example.com/x"'] }, path: annotation, expected: "ignored" },
        { name: "a jq expression selecting another container", rule: { jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar")'] }, path: imagePath, expected: "unauthorised" },
        { name: "a jq expression that fails on this object selects nothing", rule: { jqPathExpressions: [".spec.template.spec.containers.name"] }, path: imagePath, expected: "unauthorised" },
        { name: "a rule of another kind", rule: { kind: "Service", jsonPointers: ["/spec"] }, path: imagePath, expected: "unauthorised" },
    ];
    for (const c of cases) {
        it(c.name, async () => {
            await loadJq();
            const rules = [{ group: "apps", kind: "Deployment", ...c.rule }];
            const ignored = ignoredPaths("shop", rules as never, deployment, [obj, {}]);
            expect(classifyField(deployment, obj, c.path, { ...none, ignored }).class).toBe(c.expected);
        });
    }

    it("evaluates jq on the desired manifest too, as Argo CD normalizes both", async () => {
        await loadJq();
        const desired = { spec: { template: { spec: { containers: [{ name: "web", image: "example.com/web:1.0" }] } } } };
        const liveWithout = { ...obj, spec: { template: { spec: { containers: [] } } } } as LiveObjectWithFields;
        const rules = [{ group: "apps", kind: "Deployment", jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "web")'] }];
        expect(ignoredPaths("shop", rules, deployment, [liveWithout]).length).toBe(0);
        const both = ignoredPaths("shop", rules, deployment, [liveWithout, desired]);
        expect(classifyField(deployment, liveWithout, imagePath, { ...none, ignored: both }).class).toBe("ignored");
    });
});

describe("drifted fields", () => {
    it("compares only what the manifest sets, and names keys with . and / as Pulumi paths", () => {
        const desired = { metadata: { annotations: { "example.com/x": "1" } }, spec: { replicas: 1, template: { spec: { containers: [{ name: "web", image: "example.com/web:1.0" }] } } } };
        const liveObject = { metadata: { annotations: { "example.com/x": "2" } }, spec: { replicas: 1, progressDeadlineSeconds: 600, template: { spec: { containers: [{ name: "web", image: "example.com/web:hotfix", imagePullPolicy: "Always" }] } } } };
        expect(driftedSegmentsOf(desired, liveObject)).toEqual([["metadata", "annotations", "example.com/x"], imagePath]);
        expect(driftedPathsOf(desired, liveObject)).toEqual(['metadata.annotations["example.com/x"]', "spec.template.spec.containers[0].image"]);
    });
});

describe("reconcile round", () => {
    const base: AppRoundState = { pinned: false, automated: true, selfHeal: false, outOfSyncAtNewRevision: false, unauthorisedDrift: false };
    const cases: [string, Partial<AppRoundState>, ReturnType<typeof roundAction>][] = [
        ["in sync", {}, { action: "none" }],
        // Old reconcile synced only on drift with selfHeal.
        ["automated, new revision, no selfHeal: synced", { outOfSyncAtNewRevision: true }, { action: "sync", why: "new revision" }],
        ["automated, drift, no selfHeal: reported", { unauthorisedDrift: true }, { action: "report", why: "selfHeal off" }],
        ["automated, drift, selfHeal: repaired", { unauthorisedDrift: true, selfHeal: true }, { action: "sync", why: "drift" }],
        ["not automated, new revision: reported", { automated: false, outOfSyncAtNewRevision: true }, { action: "report", why: "not automated" }],
        ["not automated, drift: reported", { automated: false, unauthorisedDrift: true }, { action: "report", why: "not automated" }],
        ["pinned, new revision: left alone", { pinned: true, outOfSyncAtNewRevision: true, selfHeal: true }, { action: "report", why: "pinned" }],
        ["pinned, drift: left alone", { pinned: true, unauthorisedDrift: true, selfHeal: true }, { action: "report", why: "pinned" }],
    ];
    for (const [name, state, expected] of cases) it(name, () => expect(roundAction({ ...base, ...state })).toEqual(expected));

    it("reads a branch, a peeled tag, HEAD and a fixed commit from ls-remote", () => {
        const out = ["a".repeat(40) + "\tHEAD", "b".repeat(40) + "\trefs/heads/main", "c".repeat(40) + "\trefs/tags/v1", "d".repeat(40) + "\trefs/tags/v1^{}"].join("\n");
        expect(commitFromLsRemote(out, "main")).toBe("b".repeat(40));
        expect(commitFromLsRemote(out, "v1")).toBe("d".repeat(40));
        expect(commitFromLsRemote(out, "HEAD")).toBe("a".repeat(40));
        expect(commitFromLsRemote(out, undefined)).toBe("a".repeat(40));
        expect(commitFromLsRemote(out, "e".repeat(40))).toBe("e".repeat(40));
        expect(commitFromLsRemote(out, "gone")).toBeUndefined();
    });
});
