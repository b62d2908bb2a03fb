// The CLI reads the stack's state exported without its secrets: records name their cluster with a
// ClusterRef, secret values (a hook's logs and message, a cluster's inline kubeconfig) stay unread.
import { describe, expect, it } from "vitest";
import { healthRows } from "../../cli/commands/stack-health";
import { appRecords, plainValues, recordCluster, type StateResource } from "../../cli/commands/state";

// How `pulumi stack export` without --show-secrets writes a secret value.
const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:opaque" };

const APP = "urn:pulumi:dev::syncwave::syncwave:index:Application::shop";

function record(outputs: Record<string, unknown>): StateResource {
    return {
        urn: `${APP}$pulumi-nodejs:dynamic:Resource::shop:record`,
        type: "pulumi-nodejs:dynamic/syncwave:ApplicationRecord",
        parent: APP,
        outputs: { application: "shop", project: "shop", repoURL: "./", targetRevision: "HEAD", revision: "abc", path: ".", syncPolicy: {}, ignoreDifferences: [], ...outputs },
    };
}

describe("reading exported state", () => {
    it("leaves secrets out, wherever they are", () => {
        expect(plainValues({ a: 1, b: secret, c: [secret, { d: secret, e: "x" }] })).toEqual({ a: 1, b: undefined, c: [undefined, { d: undefined, e: "x" }] });
    });

    it("reads a record's ClusterRef", () => {
        const cluster = { cluster: "https://kubernetes.default.svc", impersonate: "system:serviceaccount:shop:deployer" };
        const [shop] = appRecords([record({ cluster, destination: { namespace: "shop" } })]);
        expect(shop.holdsKubeconfig).toBe(false);
        expect(recordCluster(shop)).toEqual(cluster);
    });

    it("cannot reach a cluster configured with inline kubeconfig content: only the secrets hold it", () => {
        const [shop] = appRecords([record({ cluster: { cluster: "edge" }, kubeconfig: secret, destination: { name: "edge" } })]);
        expect(shop.holdsKubeconfig).toBe(true);
        expect(() => recordCluster(shop)).toThrow(/cluster edge is configured with inline kubeconfig content/);
    });

    it("reads a record written before ClusterRefs: the default cluster from KUBECONFIG, any other after the next sync", () => {
        const [onDefault] = appRecords([record({ kubeconfig: secret, destination: { server: "https://kubernetes.default.svc" } })]);
        expect(recordCluster(onDefault)).toEqual({ cluster: "https://kubernetes.default.svc" });
        const [elsewhere] = appRecords([record({ kubeconfig: secret, destination: { name: "prod" } })]);
        expect(() => recordCluster(elsewhere)).toThrow(/run 'syncwave sync' once/);
    });

    it("shows a hook's outcome without its secret message", () => {
        const hook: StateResource = {
            urn: `${APP}$pulumi-nodejs:dynamic:Resource::PreSync:batch/Job/shop/migrate`,
            type: "pulumi-nodejs:dynamic/syncwave:Hook",
            parent: APP,
            outputs: { phase: "PreSync", status: "Healthy", message: secret, logs: secret, hookName: "migrate", namespace: "shop", manifest: { kind: "Job" } },
        };
        expect(healthRows([hook])).toEqual([{ application: "shop", stage: "PreSync hook", resource: "Job shop/migrate", status: "Healthy", message: "" }]);
    });
});
