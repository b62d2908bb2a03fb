// A destination cluster is named by a ClusterRef (no credentials) and resolved into a kubeconfig by the
// process that connects, from its own environment: the same kubeconfig the program builds for itself.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { clusterRef, inlineKubeconfig, resolveKubeconfig } from "../../components/cluster/connection-ref";
import { destinationKubeconfig, type ClusterConnection } from "../../components/cluster-connection";

const KEY_DATA = "a2V5LWRhdGEtdGhhdC1tdXN0LXN0YXktcHJpdmF0ZQ==";

function kubeconfig(current: string, contexts: { name: string; server: string; namespace?: string }[]): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": current,
        contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-admin`, ...(c.namespace ? { namespace: c.namespace } : {}) } })),
        clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server } })),
        users: contexts.map((c) => ({ name: `${c.name}-admin`, user: { "client-key-data": KEY_DATA, "client-certificate-data": "Y2VydA==" } })),
    });
}

const dir = mkdtempSync(join(tmpdir(), "syncwave-cluster-ref-"));
const ambient = join(dir, "ambient");
const prodFile = join(dir, "prod");
const inline = kubeconfig("edge", [{ name: "edge", server: "https://edge.example.com:6443" }]);
const clusters: Record<string, ClusterConnection> = {
    "https://prod.example.com:6443": { kubeconfig: prodFile, context: "deployer" },
    staging: { context: "staging" },
    edge: { kubeconfig: inline },
};
const originalKubeconfig = process.env.KUBECONFIG;

beforeAll(() => {
    writeFileSync(
        ambient,
        kubeconfig("local", [
            { name: "local", server: "https://127.0.0.1:6443", namespace: "team" },
            { name: "staging", server: "https://staging.example.com:6443" },
        ]),
    );
    writeFileSync(prodFile, kubeconfig("viewer", [{ name: "viewer", server: "https://prod.example.com:6443" }, { name: "deployer", server: "https://prod.example.com:6443" }]));
    process.env.KUBECONFIG = ambient;
});

afterAll(() => {
    if (originalKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = originalKubeconfig;
});

const server = (kc: string) => (parse(kc) as { clusters: { cluster: { server: string } }[] }).clusters[0].cluster.server;
const actingAs = (kc: string) => (parse(kc) as { users: { user: { as?: string } }[] }).users[0].user.as;

describe("clusterRef", () => {
    it.each([
        ["no destination cluster", {}, { cluster: "https://kubernetes.default.svc" }],
        ["the default server", { server: "https://kubernetes.default.svc" }, { cluster: "https://kubernetes.default.svc" }],
        ["in-cluster by name", { name: "in-cluster" }, { cluster: "in-cluster" }],
        ["a cluster with a kubeconfig file", { server: "https://prod.example.com:6443" }, { cluster: "https://prod.example.com:6443", kubeconfigPath: prodFile, context: "deployer" }],
        ["a context of the environment's kubeconfig", { name: "staging" }, { cluster: "staging", context: "staging" }],
        ["a cluster with inline content (the content is not in the ref)", { name: "edge" }, { cluster: "edge" }],
    ])("%s", (_what, destination, expected) => {
        expect(clusterRef("shop", destination, clusters)).toEqual(expected);
    });

    it("names the user to act as", () => {
        expect(clusterRef("shop", { namespace: "shop" }, clusters, "system:serviceaccount:shop:deployer")).toEqual({
            cluster: "https://kubernetes.default.svc",
            impersonate: "system:serviceaccount:shop:deployer",
        });
    });

    it("fails for an unknown cluster as destinationKubeconfig does", () => {
        const destination = { server: "https://unknown.example.com" };
        const expected = "application shop, field destination.server: no connection for destination cluster https://unknown.example.com: add it to stack configuration syncwave:clusters (known: https://prod.example.com:6443, staging, edge)";
        expect(() => clusterRef("shop", destination, clusters)).toThrow(expected);
        expect(() => destinationKubeconfig("shop", destination, clusters)).toThrow(expected);
    });

    it("holds no credentials", () => {
        for (const destination of [{}, { server: "https://prod.example.com:6443" }, { name: "edge" }]) {
            expect(JSON.stringify(clusterRef("shop", destination, clusters, "system:serviceaccount:shop:deployer"))).not.toContain(KEY_DATA);
        }
    });

    it("gives inline content only for a cluster configured with it", () => {
        expect(inlineKubeconfig(clusterRef("shop", { name: "edge" }, clusters), clusters)).toBe(inline);
        expect(inlineKubeconfig(clusterRef("shop", { server: "https://prod.example.com:6443" }, clusters), clusters)).toBeUndefined();
        expect(inlineKubeconfig(clusterRef("shop", {}, clusters), clusters)).toBeUndefined();
    });
});

describe("resolveKubeconfig", () => {
    it.each([
        ["the default cluster: KUBECONFIG's current context", {}, "https://127.0.0.1:6443"],
        ["a configured file and context", { server: "https://prod.example.com:6443" }, "https://prod.example.com:6443"],
        ["a context of KUBECONFIG", { name: "staging" }, "https://staging.example.com:6443"],
    ])("%s, as the program builds it", (_what, destination, expectedServer) => {
        const impersonate = "system:serviceaccount:shop:deployer";
        const resolved = resolveKubeconfig({ cluster: clusterRef("shop", destination, clusters, impersonate) });
        expect(resolved).toBe(destinationKubeconfig("shop", destination, clusters, impersonate));
        expect(server(resolved)).toBe(expectedServer);
        expect(actingAs(resolved)).toBe(impersonate);
    });

    it("reads KUBECONFIG when it resolves, not when the ref was made", () => {
        const ref = clusterRef("shop", {}, clusters);
        const moved = join(dir, "moved");
        writeFileSync(moved, kubeconfig("elsewhere", [{ name: "elsewhere", server: "https://elsewhere.example.com" }]));
        process.env.KUBECONFIG = moved;
        try {
            expect(server(resolveKubeconfig({ cluster: ref }))).toBe("https://elsewhere.example.com");
        } finally {
            process.env.KUBECONFIG = ambient;
        }
    });

    it("keeps the context's namespace, where kubectl puts an object that names none", () => {
        const resolved = parse(resolveKubeconfig({ cluster: clusterRef("shop", {}, clusters) })) as { contexts: { context: { namespace?: string } }[] };
        expect(resolved.contexts[0].context.namespace).toBe("team");
    });

    it("uses inline content given with the ref, with the ref's user", () => {
        const ref = clusterRef("shop", { name: "edge" }, clusters, "system:serviceaccount:shop:deployer");
        const resolved = resolveKubeconfig({ cluster: ref, kubeconfig: inlineKubeconfig(ref, clusters) });
        expect(server(resolved)).toBe("https://edge.example.com:6443");
        expect(actingAs(resolved)).toBe("system:serviceaccount:shop:deployer");
    });

    it("takes a kubeconfig without a ref as it is (state written before ClusterRefs)", () => {
        const legacy = destinationKubeconfig("shop", {}, clusters, "system:serviceaccount:shop:old");
        expect(resolveKubeconfig({ kubeconfig: legacy })).toBe(legacy);
    });

    it("fails with the missing context or file", () => {
        expect(() => resolveKubeconfig({ cluster: { cluster: "staging", context: "gone" } }, "shop")).toThrow(
            'application shop, field syncwave:clusters.staging.context: kubeconfig has no context "gone"',
        );
        expect(() => resolveKubeconfig({ cluster: { cluster: "lost", kubeconfigPath: join(dir, "none") } })).toThrow(`kubeconfig ${join(dir, "none")} does not exist`);
    });
});
