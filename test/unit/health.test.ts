// Table tests of the health rules, from live objects as the API server returns them.
import { describe, expect, it } from "vitest";
import { assessHealth } from "../../components/health/assess";
import type { LiveObject } from "../../components/health/status";
import { worst } from "../../components/health/status";

const meta = (name: string, generation = 1) => ({ name, namespace: "shop", generation });

const deployment = (spec: object, status: object, generation = 2): LiveObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("api", generation),
    spec: { replicas: 3, ...spec },
    status,
});

describe("built-in health rules", () => {
    it.each<[string, LiveObject | undefined, string, RegExp?]>([
        ["a missing object", undefined, "Missing"],
        [
            "Deployment rolled out",
            deployment({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
            "Healthy",
        ],
        [
            "Deployment not yet observed",
            deployment({}, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
            "Progressing",
            /observed deployment generation/,
        ],
        [
            "Deployment half updated",
            deployment({}, { observedGeneration: 2, replicas: 4, updatedReplicas: 2, availableReplicas: 2 }),
            "Progressing",
            /2 out of 3 new replicas/,
        ],
        [
            "Deployment past its progress deadline",
            deployment({}, {
                observedGeneration: 2,
                replicas: 3,
                updatedReplicas: 1,
                conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
            }),
            "Degraded",
            /exceeded its progress deadline/,
        ],
        ["paused Deployment", deployment({ paused: true }, {}), "Suspended"],
        [
            "StatefulSet mid-update",
            {
                apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta("db"), spec: { replicas: 2 },
                status: { observedGeneration: 1, readyReplicas: 2, currentRevision: "db-1", updateRevision: "db-2" },
            },
            "Progressing",
        ],
        [
            "DaemonSet available everywhere",
            {
                apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta("agent"), spec: {},
                status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 },
            },
            "Healthy",
        ],
        [
            "ReplicaSet with a replica failure",
            {
                apiVersion: "apps/v1", kind: "ReplicaSet", metadata: meta("api-1"), spec: { replicas: 1 },
                status: { observedGeneration: 1, conditions: [{ type: "ReplicaFailure", status: "True", message: "quota exceeded" }] },
            },
            "Degraded",
            /quota exceeded/,
        ],
        [
            "Pod crash-looping",
            {
                apiVersion: "v1", kind: "Pod", metadata: meta("api-x"), spec: { restartPolicy: "Always" },
                status: { phase: "Running", containerStatuses: [{ name: "api", state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } } }] },
            },
            "Degraded",
            /container api: CrashLoopBackOff/,
        ],
        [
            "Pod running and ready",
            {
                apiVersion: "v1", kind: "Pod", metadata: meta("api-y"), spec: { restartPolicy: "Always" },
                status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
            },
            "Healthy",
        ],
        [
            "Job failed",
            {
                apiVersion: "batch/v1", kind: "Job", metadata: meta("migrate"), spec: {},
                status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] },
            },
            "Degraded",
            /backoff limit/,
        ],
        ["Job complete", { apiVersion: "batch/v1", kind: "Job", metadata: meta("migrate"), spec: {}, status: { conditions: [{ type: "Complete", status: "True" }] } }, "Healthy"],
        ["Job running", { apiVersion: "batch/v1", kind: "Job", metadata: meta("migrate"), spec: {}, status: { active: 1 } }, "Progressing"],
        ["suspended CronJob", { apiVersion: "batch/v1", kind: "CronJob", metadata: meta("nightly"), spec: { suspend: true } }, "Suspended"],
        ["PVC bound", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta("data"), status: { phase: "Bound" } }, "Healthy"],
        ["PVC pending", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta("data"), status: { phase: "Pending" } }, "Progressing"],
        ["ClusterIP Service", { apiVersion: "v1", kind: "Service", metadata: meta("api"), spec: { type: "ClusterIP" }, status: { loadBalancer: {} } }, "Healthy"],
        ["LoadBalancer waiting for an address", { apiVersion: "v1", kind: "Service", metadata: meta("lb"), spec: { type: "LoadBalancer" }, status: { loadBalancer: {} } }, "Progressing"],
        [
            "LoadBalancer with an address",
            { apiVersion: "v1", kind: "Service", metadata: meta("lb"), spec: { type: "LoadBalancer" }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.10" }] } } },
            "Healthy",
        ],
        ["Ingress without an address", { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: meta("web"), spec: {}, status: { loadBalancer: {} } }, "Progressing"],
        [
            "APIService unavailable",
            {
                apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: meta("v1beta1.metrics.k8s.io"),
                status: { conditions: [{ type: "Available", status: "False", reason: "MissingEndpoints", message: "endpoints for service/metrics-server have no addresses" }] },
            },
            "Progressing",
            /no addresses/,
        ],
        [
            "CRD established",
            { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: meta("widgets.example.com"), status: { conditions: [{ type: "Established", status: "True" }] } },
            "Healthy",
        ],
        ["terminating Namespace", { apiVersion: "v1", kind: "Namespace", metadata: meta("old"), status: { phase: "Terminating" } }, "Progressing"],
        ["ConfigMap (no health check)", { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cfg") }, "Healthy"],
    ])("%s is %s", (_name, obj, status, message) => {
        const health = assessHealth(obj);
        expect(health.status).toBe(status);
        if (message) expect(health.message).toMatch(message);
    });
});

describe("the kstatus rule for custom resources", () => {
    const cr = (status: object, generation = 3): LiveObject => ({ apiVersion: "example.com/v1", kind: "Database", metadata: meta("orders", generation), status });
    it.each<[string, LiveObject, string]>([
        // kstatus calls a resource without status Current, and Argo CD gives it no health at all.
        ["no status yet", cr({}), "Healthy"],
        ["no status field at all", { apiVersion: "example.com/v1", kind: "Database", metadata: meta("orders", 3) }, "Healthy"],
        ["an old generation observed", cr({ observedGeneration: 2, conditions: [{ type: "Ready", status: "True" }] }), "Progressing"],
        ["an old generation observed, no conditions", cr({ observedGeneration: 2 }), "Progressing"],
        ["an observedGeneration that differs upward (kstatus compares for equality)", cr({ observedGeneration: 4, conditions: [{ type: "Ready", status: "True" }] }), "Progressing"],
        ["the latest generation observed, no conditions", cr({ observedGeneration: 3 }), "Healthy"],
        [
            "observedGeneration without metadata.generation (nothing to compare)",
            { apiVersion: "example.com/v1", kind: "Database", metadata: { name: "orders" }, status: { observedGeneration: 2 } },
            "Healthy",
        ],
        ["Stalled", cr({ observedGeneration: 3, conditions: [{ type: "Stalled", status: "True", message: "quota" }] }), "Degraded"],
        ["Reconciling", cr({ observedGeneration: 3, conditions: [{ type: "Reconciling", status: "True" }] }), "Progressing"],
        ["Ready", cr({ observedGeneration: 3, conditions: [{ type: "Ready", status: "True" }] }), "Healthy"],
        // kstatus checkReadyCondition: Ready False or Unknown is InProgress, whatever the reason says;
        // only Stalled=True is Failed.
        ["Ready False with a failure reason", cr({ conditions: [{ type: "Ready", status: "False", reason: "ProvisioningFailed" }] }), "Progressing"],
        ["Ready False while working", cr({ conditions: [{ type: "Ready", status: "False", reason: "Provisioning" }] }), "Progressing"],
        ["Ready Unknown", cr({ conditions: [{ type: "Ready", status: "Unknown" }] }), "Progressing"],
        ["Ready with a status kstatus does not know", cr({ conditions: [{ type: "Ready", status: "Maybe" }] }), "Healthy"],
        // checkGenericProperties walks the list once: the first of Reconciling=True and Stalled=True decides.
        ["Reconciling listed before Stalled", cr({ conditions: [{ type: "Reconciling", status: "True" }, { type: "Stalled", status: "True" }] }), "Progressing"],
        ["Stalled listed before Reconciling", cr({ conditions: [{ type: "Stalled", status: "True" }, { type: "Reconciling", status: "True" }] }), "Degraded"],
        ["Stalled over a Ready True", cr({ conditions: [{ type: "Ready", status: "True" }, { type: "Stalled", status: "True" }] }), "Degraded"],
    ])("%s is %s", (_name, obj, status) => {
        expect(assessHealth(obj).status).toBe(status);
    });

    it("a custom rule for the group/kind wins over kstatus", () => {
        const rules = { "example.com/Database": (o: LiveObject) => (o.status?.phase === "Online" ? { status: "Healthy" as const } : { status: "Progressing" as const, message: `phase ${o.status?.phase}` }) };
        expect(assessHealth(cr({ phase: "Creating", conditions: [{ type: "Ready", status: "True" }] }), rules)).toEqual({ status: "Progressing", message: "phase Creating" });
    });

    it("a custom rule that throws is Unknown, not a crash", () => {
        const rules = { "example.com/Database": () => { throw new Error("boom"); } };
        expect(assessHealth(cr({}), rules)).toMatchObject({ status: "Unknown", message: expect.stringContaining("boom") });
    });
});

describe("application health", () => {
    it("is the worst resource health", () => {
        expect(worst([{ status: "Healthy" }, { status: "Progressing", message: "p" }, { status: "Suspended" }])).toEqual({ status: "Progressing", message: "p" });
        expect(worst([{ status: "Healthy" }, { status: "Degraded", message: "d" }, { status: "Missing" }]).status).toBe("Degraded");
        expect(worst([]).status).toBe("Healthy");
    });

    it("orders statuses as gitops-engine healthOrder: Healthy < Suspended < Progressing < Missing < Degraded < Unknown", () => {
        const order = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"] as const;
        for (let i = 1; i < order.length; i++) {
            expect(worst([{ status: order[i - 1] }, { status: order[i] }]).status).toBe(order[i]);
            expect(worst([{ status: order[i] }, { status: order[i - 1] }]).status).toBe(order[i]);
        }
        expect(worst([{ status: "Degraded", message: "d" }, { status: "Unknown", message: "u" }])).toEqual({ status: "Unknown", message: "u" });
    });

    it("keeps the first of equally bad healths", () => {
        expect(worst([{ status: "Degraded", message: "first" }, { status: "Degraded", message: "second" }]).message).toBe("first");
    });
});
