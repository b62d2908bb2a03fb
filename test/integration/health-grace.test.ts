// On the local cluster: a pod's passing ErrImagePull does not fail a wave, one that outlasts its grace
// period (syncwave.dev/degraded-grace) does; and `syncwave status` assesses with the Project's custom
// health rule, as the gates do. The kwok nodes have no image pulls, so the test plays the kubelet:
// it writes ErrImagePull into the status of each pod labelled sim=pull-error, and kwok's pod-ready
// stage later writes the pod Running and Ready (after syncwave.dev/ready-after).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { status } from "../../cli/commands/status";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const run = Date.now().toString(36);
const ns = `grace-${run}`;

const project = {
    sourceRepos: ["file:///tmp/*"],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: "grace-*" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
};

const wave = (n: number) => ({ "argocd.argoproj.io/sync-wave": String(n) });
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

function deployment(name: string, annotations: Record<string, string>, podAnnotations: Record<string, string>) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, annotations },
        spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name, sim: "pull-error" }, annotations: podAnnotations },
                spec: { containers: [{ name: "app", image: `registry.example.com/${name}:1` }] },
            },
        },
    };
}

// The CRD the fixture's custom rule ("example.com/Database": Healthy once Online) is for, as the sync
// test declares it; created here only when absent and then removed again.
const databaseCrd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "databases.example.com" },
    spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { kind: "Database", plural: "databases", singular: "database" },
        versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays the kubelet until `stop()`: each new pod labelled sim=pull-error gets ErrImagePull written into
 * its status once, and the Database its "operator" reports Online. Returns when each pod was failed.
 */
function simulate(namespace: string): { stop: () => Promise<Map<string, number>> } {
    const failedAt = new Map<string, number>();
    let databaseOnline = false;
    let running = true;
    const loop = (async () => {
        // Bounded: the sync it runs beside has its own timeouts, and this stops with it (or after 5 minutes).
        const deadline = Date.now() + 300_000;
        while (running && Date.now() < deadline) {
            const pods = await kTry("get", "pods", "-n", namespace, "-l", "sim=pull-error", "-o", "json");
            if (pods.ok) {
                const items = (JSON.parse(pods.output) as { items: { metadata: { name: string }; spec: { containers: { name: string; image: string }[] }; status?: { phase?: string } }[] }).items;
                for (const pod of items) {
                    if (failedAt.has(pod.metadata.name) || (pod.status?.phase && pod.status.phase !== "Pending")) continue;
                    const status = {
                        phase: "Pending",
                        conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False", reason: "ContainersNotReady" }],
                        containerStatuses: pod.spec.containers.map((c) => ({
                            name: c.name,
                            image: c.image,
                            imageID: "",
                            ready: false,
                            restartCount: 0,
                            started: false,
                            state: { waiting: { reason: "ErrImagePull", message: `failed to pull image "${c.image}": dial tcp: i/o timeout` } },
                        })),
                    };
                    const patched = await kTry("patch", "pod", pod.metadata.name, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status }));
                    if (patched.ok) failedAt.set(pod.metadata.name, Date.now());
                }
            }
            if (!databaseOnline && (await kTry("get", "database", "orders", "-n", namespace)).ok) {
                databaseOnline = (await kTry("patch", "database", "orders", "-n", namespace, "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Online"}}')).ok;
            }
            await sleep(250);
        }
    })();
    return {
        stop: async () => {
            running = false;
            await loop;
            return failedAt;
        },
    };
}

describe("Degraded pods and their grace period, on the local cluster", () => {
    let stack: SyncStack | undefined;
    let createdCrd = false;
    beforeAll(async () => {
        await ensureCluster();
        if (!(await kTry("get", "crd", "databases.example.com")).ok) {
            await apply(databaseCrd);
            createdCrd = true;
        }
        await k("wait", "--for=condition=Established", "crd/databases.example.com", "--timeout=60s");
    });
    afterAll(async () => {
        await stack?.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
        if (createdCrd) await kTry("delete", "crd", "databases.example.com", "--wait=false");
    });

    it("waits out a passing ErrImagePull, fails one that outlasts its grace, and shows custom health in status", async () => {
        const repo = new TestRepo();
        repo.commit({
            "app/db.yaml": yaml({ apiVersion: "example.com/v1", kind: "Database", metadata: { name: "orders", annotations: wave(0) }, spec: { size: "small" } }),
            // Fails its first pull, then starts (Ready 6 s after kwok sees it): within the default grace.
            "app/pulls-late.yaml": yaml(deployment("pulls-late", wave(0), { "syncwave.dev/ready-after": "6s" })),
            // A Pod the gate waits on itself gets the same grace.
            "app/lone-pod.yaml": yaml({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: "lone-pod", labels: { sim: "pull-error" }, annotations: { ...wave(0), "syncwave.dev/ready-after": "6s" } },
                spec: { containers: [{ name: "app", image: "registry.example.com/lone:1" }] },
            }),
            // Never starts: Degraded past its 2 s grace, well before its health timeout.
            "app/never-pulls.yaml": yaml(
                deployment("never-pulls", { ...wave(1), "syncwave.dev/degraded-grace": "2s", "syncwave.dev/health-timeout": "90s" }, { "syncwave.dev/ready-after": "10m" }),
            ),
            "app/after.yaml": yaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after", annotations: wave(2) }, data: { key: "value" } }),
        });
        stack = await SyncStack.create("grace", {
            project,
            applications: { grace: { source: { repoURL: repo.url, targetRevision: "main", path: "app" }, destination: { server: "https://kubernetes.default.svc", namespace: ns }, syncPolicy: { syncOptions: ["CreateNamespace=true"] } } },
        });

        const kubelet = simulate(ns);
        const up = await stack.up();
        const failedAt = await kubelet.stop();
        const output = up.stdout + up.stderr;

        // Wave 0 passed although its pod was Degraded (ErrImagePull) while the gate watched it.
        const [lateName, lateFailedAt] = [...failedAt].find(([name]) => name.startsWith("pulls-late-")) ?? [];
        expect(lateName, output).toBeDefined();
        const latePod = JSON.parse(await k("get", "pod", lateName!, "-n", ns, "-o", "json")) as { status: { conditions: { type: string; status: string; lastTransitionTime: string }[] } };
        const ready = latePod.status.conditions.find((c) => c.type === "Ready");
        expect(ready?.status).toBe("True");
        // Timestamps have one-second resolution.
        expect(Date.parse(ready!.lastTransitionTime)).toBeGreaterThanOrEqual(Math.floor(lateFailedAt! / 1000) * 1000);
        expect(await k("get", "deployment", "pulls-late", "-n", ns, "-o", "jsonpath={.status.readyReplicas}")).toBe("1");
        expect(failedAt.has("lone-pod"), output).toBe(true);
        expect(await k("get", "pod", "lone-pod", "-n", ns, "-o", "jsonpath={.status.phase}")).toBe("Running");

        // Wave 1 failed once its pod had been Degraded for the 2 s grace, not at the first sight and not at the timeout.
        expect(up.code).not.toBe(0);
        const failure = output.match(new RegExp(`Deployment ${ns}/never-pulls is Degraded: pod never-pulls-\\S+ has been Degraded for (\\d+)s \\(grace 2s\\): container app: ErrImagePull`));
        expect(failure, output).not.toBeNull();
        expect(Number(failure![1])).toBeLessThan(10);
        expect((await kTry("get", "configmap", "after", "-n", ns)).ok).toBe(false);

        // The Database's operator reports it Offline: the Project's rule calls that Progressing, where
        // the generic rule would call a status without conditions Healthy.
        await k("patch", "database", "orders", "-n", ns, "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Offline"}}');
        const apps = await status({ stack: stack.name, cwd: stack.projectDir, env: stack.env });
        const app = apps.find((a) => a.application === "grace");
        expect(app?.resources.find((r) => r.resource === `Database ${ns}/orders`)?.health, JSON.stringify(app)).toEqual({ status: "Progressing", message: "database is Offline" });
        expect(app?.resources.find((r) => r.resource === `Deployment ${ns}/pulls-late`)?.health.status).toBe("Healthy");
    });
});
