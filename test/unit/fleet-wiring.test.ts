// The pure parts of fleet wiring: child Applications out of a parent's render, dependsOn order and
// cycles, the clusters the clusters generator sees, and which Application a state URN belongs to.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applicationOfUrn } from "../../cli/application-urn";
import { fleetChanges } from "../../cli/commands/diff";
import { childWaves, keptChildren, splitChildApplications } from "../../components/fleet/child-applications";
import { orderByDependencies } from "../../components/fleet/depends-on";
import { fleetClusters } from "../../components/fleet/fleet-clusters";
import { destinationConnection } from "../../components/cluster-connection";
import type { SourcedManifest } from "../../components/sync/manifest";

const child = (name: string, annotations: Record<string, string> = {}, extra: Record<string, unknown> = {}): SourcedManifest => ({
    file: `apps/${name}.yaml`,
    manifest: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name, namespace: "argocd", annotations },
        spec: { project: "team", source: { repoURL: "https://git.example.com/x.git", path: name }, destination: { server: "https://kubernetes.default.svc", namespace: name }, ...extra },
    } as never,
});
const configMap: SourcedManifest = { file: "cm.yaml", manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "own" } } as never };

describe("child Applications (app of apps)", () => {
    it("takes Application objects out of the render, in wave then name order, and leaves the rest", () => {
        const { children, own } = splitChildApplications("root", [
            child("b", { "argocd.argoproj.io/sync-wave": "1" }),
            configMap,
            child("c"),
            child("a", { "argocd.argoproj.io/sync-wave": "1" }),
            child("z", { "argocd.argoproj.io/sync-wave": "-1" }),
        ]);
        expect(own).toEqual([configMap]);
        expect(children.map((c) => [c.name, c.wave])).toEqual([["z", -1], ["c", 0], ["a", 1], ["b", 1]]);
        expect(childWaves(children).map((w) => w.map((c) => c.name))).toEqual([["z"], ["c"], ["a", "b"]]);
    });

    it("reads finalizers and syncwave.dev/depends-on as an Application manifest", () => {
        const m = child("web", { "syncwave.dev/depends-on": "db, cache" });
        (m.manifest.metadata as { finalizers?: string[] }).finalizers = ["resources-finalizer.argocd.argoproj.io"];
        const [web] = splitChildApplications("root", [m]).children;
        expect(web.spec.dependsOn).toEqual(["db", "cache"]);
        expect(web.spec.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
    });

    it.each([
        ["an unknown field", child("x", {}, { bogus: 1 }), /child application: .*spec\.bogus.*unknown field/],
        ["an unknown SyncWave annotation", child("x", { "syncwave.dev/depends": "y" }), /unknown SyncWave annotation/],
        ["a hook annotation", child("x", { "argocd.argoproj.io/hook": "PreSync" }), /cannot be a hook/],
        ["itself", child("root"), /cannot render itself/],
        ["dependsOn as a spec field", child("x", {}, { dependsOn: ["y"] }), /use the annotation syncwave\.dev\/depends-on/],
    ])("refuses %s, naming the parent and the file", (_what, manifest, message) => {
        expect(() => splitChildApplications("root", [manifest])).toThrow(message);
        expect(() => splitChildApplications("root", [manifest])).toThrow(/application root/);
    });

    it("refuses a child rendered twice", () => {
        expect(() => splitChildApplications("root", [child("a"), child("a")])).toThrow(/rendered twice/);
    });
});

describe("dependsOn order", () => {
    const node = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });

    it("puts dependencies first and keeps the declared order otherwise", () => {
        expect(orderByDependencies([node("web", "db"), node("db"), node("cache"), node("api", "web", "cache")], "the stack").map((n) => n.name)).toEqual(["db", "web", "cache", "api"]);
    });

    it.each([
        [[node("a", "b"), node("b", "c"), node("c", "a")], /cycle: a → b → c → a/],
        [[node("a", "a")], /depends on itself/],
        [[node("a", "ghost")], /depends on application ghost, which the stack does not declare \(known: none\)/],
    ])("refuses a cycle, itself and an unknown name (%#)", (nodes, message) => {
        expect(() => orderByDependencies(nodes, "the stack")).toThrow(message);
    });
});

describe("the clusters the clusters generator sees", () => {
    it("lists syncwave:clusters with labels and the default cluster, server read from the kubeconfig", () => {
        const dir = mkdtempSync(join(tmpdir(), "fleet-clusters-"));
        const kubeconfig = join(dir, "kubeconfig");
        writeFileSync(
            kubeconfig,
            "apiVersion: v1\nkind: Config\ncurrent-context: s\ncontexts: [{name: s, context: {cluster: s, user: u}}]\nclusters: [{name: s, cluster: {server: 'https://127.0.0.1:6443'}}]\nusers: [{name: u, user: {}}]\n",
        );
        const clusters = fleetClusters({ staging: { kubeconfig, labels: { env: "staging" } } });
        expect(clusters).toEqual([
            { name: "in-cluster", server: "https://kubernetes.default.svc", labels: {} },
            { name: "staging", server: "https://127.0.0.1:6443", labels: { env: "staging" } },
        ]);
        // An Application may name the server the generator gave it.
        expect(destinationConnection("x", { server: "https://127.0.0.1:6443" }, { staging: { kubeconfig, server: "https://127.0.0.1:6443" } }).id).toBe("staging");
        expect(fleetClusters({ "in-cluster": { labels: { env: "dev" } } })).toEqual([{ name: "in-cluster", server: "https://kubernetes.default.svc", labels: { env: "dev" } }]);
    });

    it("refuses an unknown field and labels that are not strings", () => {
        expect(() => fleetClusters({ a: { server: "https://a", lables: {} } as never })).toThrow(/syncwave:clusters\.a\.lables: unknown field/);
        expect(() => fleetClusters({ a: { server: "https://a", labels: { n: 1 } } as never })).toThrow(/syncwave:clusters\.a\.labels: must be a map of strings/);
    });
});

describe("Applications in the state", () => {
    it.each([
        ["urn:pulumi:dev::syncwave::syncwave:index:Application::shop", "shop"],
        ["urn:pulumi:dev::syncwave::syncwave:index:Application$syncwave:index:Application::child", "child"],
        ["urn:pulumi:dev::syncwave::syncwave:index:ApplicationSet$syncwave:index:Application::guestbook-dev", "guestbook-dev"],
        ["urn:pulumi:dev::syncwave::syncwave:index:ApplicationSet::envs", undefined],
        ["urn:pulumi:dev::syncwave::syncwave:index:Application$kubernetes:core/v1:ConfigMap::x", undefined],
        [undefined, undefined],
    ])("%s belongs to %s", (urn, app) => {
        expect(applicationOfUrn(urn)).toBe(app);
    });

    it("lists the fleet members a preview adds, changes and removes, by owner", () => {
        const set = "urn:pulumi:dev::syncwave::syncwave:index:ApplicationSet::envs";
        const member = (name: string) => `urn:pulumi:dev::syncwave::syncwave:index:ApplicationSet$syncwave:index:Application::${name}`;
        const ev = (urn: string, type: string, op: string, parent: string) => ({ resourcePreEvent: { metadata: { urn, type, op, new: { parent }, old: { parent } } } });
        const events = [
            ev(member("dev"), "syncwave:index:Application", "create", set),
            ev(member("prod"), "syncwave:index:Application", "delete", set),
            ev(member("stage"), "syncwave:index:Application", "same", set),
            ev(`${member("stage")}$syncwave:ApplicationRecord::stage:record`.replace("$syncwave:ApplicationRecord", "$syncwave:ApplicationRecord"), "syncwave:ApplicationRecord", "update", member("stage")),
            ev("urn:pulumi:dev::syncwave::syncwave:index:Application::top", "syncwave:index:Application", "create", "urn:pulumi:dev::syncwave::pulumi:pulumi:Stack::syncwave-dev"),
        ];
        expect(fleetChanges(events as never)).toEqual([{ owner: "ApplicationSet envs", added: ["dev"], changed: ["stage"], removed: ["prod"] }]);
    });
});

describe("children a parent keeps without prune", () => {
    const recorded = (name: string, wave = 0) => ({ spec: { project: "team" } as never, wave, file: `apps/${name}.yaml` });
    it("keeps the children that left the render when the sync does not prune, in wave order", () => {
        const { children } = splitChildApplications("root", [child("a")]);
        const kept = keptChildren(children, { a: recorded("a"), gone: recorded("gone", 2), old: recorded("old", -1) }, false);
        expect(kept.map((c) => [c.name, c.wave])).toEqual([["old", -1], ["gone", 2]]);
    });
    it("keeps none when the sync prunes", () => {
        expect(keptChildren([], { gone: recorded("gone") }, true)).toEqual([]);
    });
});

describe("sync options on child Application manifests", () => {
    it("reads Prune=false: such a child is kept even by a sync that prunes", () => {
        const { children } = splitChildApplications("root", [child("a", { "argocd.argoproj.io/sync-options": "Prune=false" }), child("b")]);
        expect(children.map((c) => [c.name, c.prune])).toEqual([["a", false], ["b", true]]);
        const kept = keptChildren([], { a: { spec: children[0].spec, wave: 0, file: "a.yaml", prune: false }, b: { spec: children[1].spec, wave: 0, file: "b.yaml" } }, true);
        expect(kept.map((c) => c.name)).toEqual(["a"]);
    });
    it("refuses the options it cannot honour, naming the child and the annotation", () => {
        expect(() => splitChildApplications("root", [child("a", { "argocd.argoproj.io/sync-options": "ServerSideApply=true" })])).toThrow(/ServerSideApply=true on a child Application is not supported/);
        expect(() => splitChildApplications("root", [child("a", { "argocd.argoproj.io/sync-options": "Delete=false" })])).toThrow(/Application a/);
        expect(() => splitChildApplications("root", [child("a", { "argocd.argoproj.io/compare-options": "IgnoreExtraneous" })])).toThrow(/compare-options/);
    });
});

describe("Application names", () => {
    it("are Kubernetes object names, as Argo CD's API server requires", () => {
        expect(() => splitChildApplications("root", [child("helm_guestbook")])).toThrow(/"helm_guestbook" is not a valid Application name/);
        expect(() => splitChildApplications("root", [child("Guestbook")])).toThrow(/not a valid Application name/);
        expect(splitChildApplications("root", [child("guestbook.staging-1")]).children.map((c) => c.name)).toEqual(["guestbook.staging-1"]);
    });
});
