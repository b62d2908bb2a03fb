// The local cluster is a real control plane: these tests start it from nothing and check that
// workloads go through realistic lifecycles on the kwok nodes, and that RBAC is enforced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterDown, clusterPaths, clusterProcesses, clusterStatus, clusterUp } from "../../cli/cluster/local-cluster";
import { apply, k, kTry } from "../helpers/cluster";

const ns = `lifecycle-${Date.now().toString(36)}`;

function deployment(name: string, replicas: number, annotations: Record<string, string> = {}) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: ns },
        spec: {
            replicas,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name }, annotations },
                spec: { containers: [{ name: "app", image: "example.com/app:1.0" }] },
            },
        },
    };
}

function job(name: string, annotations: Record<string, string> = {}) {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name, namespace: ns },
        spec: {
            backoffLimit: 0,
            template: {
                metadata: { annotations },
                spec: { restartPolicy: "Never", containers: [{ name: "task", image: "example.com/task:1.0" }] },
            },
        },
    };
}

describe("local cluster", () => {
    beforeAll(async () => {
        await clusterDown();
        const started = Date.now();
        const status = await clusterUp();
        console.log(`cluster up from nothing in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        expect(status.running).toBe(true);
        await k("create", "namespace", ns);
    });

    afterAll(async () => {
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("runs the built Kubernetes version with one Ready fake node", async () => {
        const status = await clusterStatus();
        expect(status.version).toBe(process.env.SYNCWAVE_EXPECTED_KUBERNETES_VERSION ?? "v1.36.3");
        expect(status.nodes).toHaveLength(1);
        expect(status.nodes[0].ready).toBe(true);
        expect(status.apiServer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it("is quick to 'up' when it already runs", async () => {
        const started = Date.now();
        await clusterUp();
        expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("makes a Deployment of 3 replicas Available", async () => {
        await apply(deployment("web", 3));
        await k("wait", "-n", ns, "--for=condition=Available", "deployment/web", "--timeout=60s");
        const ready = await k("get", "-n", ns, "deployment/web", "-o", "jsonpath={.status.readyReplicas}");
        expect(ready).toBe("3");
    });

    it("completes a Job", async () => {
        await apply(job("migrate"));
        await k("wait", "-n", ns, "--for=condition=Complete", "job/migrate", "--timeout=60s");
    });

    it("fails a Job whose pod is annotated to fail, with the reason", async () => {
        await apply(job("broken", { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "schema v7 missing" }));
        await k("wait", "-n", ns, "--for=condition=Failed", "job/broken", "--timeout=60s");
        const pod = JSON.parse(await k("get", "pods", "-n", ns, "-l", "job-name=broken", "-o", "json")) as {
            items: { status: { phase: string; containerStatuses: { state: { terminated?: { reason: string; message: string } } }[] } }[];
        };
        expect(pod.items[0].status.phase).toBe("Failed");
        expect(pod.items[0].status.containerStatuses[0].state.terminated).toMatchObject({
            reason: "Error",
            message: "schema v7 missing",
        });
    });

    it("keeps a failing Deployment pod unready in CrashLoopBackOff", async () => {
        await apply(deployment("crashing", 1, { "syncwave.dev/fail": "true" }));
        await k(
            "wait", "-n", ns, "pods", "-l", "app=crashing", "--timeout=60s",
            "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=CrashLoopBackOff",
        );
        const available = await k("get", "-n", ns, "deployment/crashing", "-o", "jsonpath={.status.availableReplicas}");
        expect(available).toBe("");
    });

    it("makes a delayed pod Ready after its delay and not before", async () => {
        await apply({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "slow", namespace: ns, annotations: { "syncwave.dev/ready-after": "5s" } },
            spec: { containers: [{ name: "app", image: "example.com/app:1.0" }] },
        });
        const early = await kTry("wait", "-n", ns, "--for=condition=Ready", "pod/slow", "--timeout=3s");
        expect(early.ok).toBe(false);
        await k("wait", "-n", ns, "--for=condition=Ready", "pod/slow", "--timeout=30s");
        const pod = JSON.parse(await k("get", "-n", ns, "pod/slow", "-o", "json")) as {
            metadata: { creationTimestamp: string };
            status: { conditions: { type: string; lastTransitionTime: string }[] };
        };
        const readyAt = Date.parse(pod.status.conditions.find((c) => c.type === "Ready")!.lastTransitionTime);
        expect(readyAt - Date.parse(pod.metadata.creationTimestamp)).toBeGreaterThanOrEqual(5_000);
    });

    it("gives a LoadBalancer Service an address", async () => {
        await apply({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "public", namespace: ns },
            spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80 }] },
        });
        await k(
            "wait", "-n", ns, "service/public", "--timeout=30s",
            "--for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.0.2.10",
        );
    });

    it("gives an Ingress an address and binds a PersistentVolumeClaim", async () => {
        await apply(
            {
                apiVersion: "networking.k8s.io/v1",
                kind: "Ingress",
                metadata: { name: "web", namespace: ns },
                spec: { rules: [{ host: "web.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "public", port: { number: 80 } } } }] } }] },
            },
            {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: "data", namespace: ns },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
        );
        await k("wait", "-n", ns, "ingress/web", "--timeout=30s", "--for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.0.2.20");
        await k("wait", "-n", ns, "pvc/data", "--timeout=30s", "--for=jsonpath={.status.phase}=Bound");
    });

    it("enforces RBAC: a ServiceAccount bound in one namespace is refused in another", async () => {
        const other = `${ns}-other`;
        await k("create", "namespace", other);
        await k("create", "serviceaccount", "deployer", "-n", ns);
        await k("create", "rolebinding", "deployer-edit", "-n", ns, "--clusterrole=edit", `--serviceaccount=${ns}:deployer`);
        const as = `--as=system:serviceaccount:${ns}:deployer`;
        await k(as, "create", "configmap", "allowed", "-n", ns);
        const refused = await kTry(as, "create", "configmap", "refused", "-n", other);
        expect(refused.ok).toBe(false);
        expect(refused.output).toContain("forbidden");
        await kTry("delete", "namespace", other, "--wait=false");
    });

    it("leaves no process behind after down", async () => {
        const processes = clusterProcesses(clusterPaths());
        expect(processes.map((p) => p.component).sort()).toEqual(
            expect.arrayContaining(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"]),
        );
        expect(processes.every((p) => p.alive)).toBe(true);
        await clusterDown();
        for (const p of processes) {
            expect(() => process.kill(p.pid, 0), `${p.component} (pid ${p.pid}) still runs`).toThrow();
        }
        expect((await clusterStatus()).running).toBe(false);
    });
});
