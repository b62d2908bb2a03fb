// Pod health from the shapes of gitops-engine pkg/health/testdata/pod-*.yaml (trimmed to the fields the
// rule reads), and the cases health_pod.go distinguishes by restartPolicy and phase.
import { describe, expect, it } from "vitest";
import { assessHealth } from "../../components/health/assess";
import type { LiveObject } from "../../components/health/status";

const pod = (restartPolicy: string | undefined, status: object, extra: Partial<LiveObject> = {}): LiveObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "my-pod", namespace: "argocd" },
    spec: { containers: [{ name: "main", image: "alpine:latest" }], ...(restartPolicy ? { restartPolicy } : {}) },
    status,
    ...extra,
});

const notReady = [
    { type: "Initialized", status: "True" },
    { type: "Ready", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [main]" },
    { type: "PodScheduled", status: "True" },
];
const ready = [{ type: "Initialized", status: "True" }, { type: "Ready", status: "True" }, { type: "PodScheduled", status: "True" }];
const waiting = (reason: string, message?: string) => ({ name: "main", ready: false, restartCount: 0, state: { waiting: { reason, ...(message ? { message } : {}) } } });

describe("pod health as gitops-engine health_pod.go", () => {
    it.each(([
        // testdata/pod-pending.yaml
        ["pending", pod("Always", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }), "Progressing"],
        // testdata/pod-running-not-ready.yaml: no restart yet, waiting on its readiness probe
        ["running, not ready", pod("Always", { phase: "Running", conditions: notReady, containerStatuses: [{ name: "main", ready: false, restartCount: 0, lastState: {}, state: { running: {} } }] }), "Progressing"],
        // testdata/pod-crashloop.yaml
        [
            "crash loop",
            pod("Always", {
                phase: "Running",
                conditions: notReady,
                containerStatuses: [{ name: "main", ready: false, restartCount: 3, lastState: { terminated: { exitCode: 1, reason: "Error" } }, state: { waiting: waiting("CrashLoopBackOff", "Back-off 40s restarting failed container=main").state.waiting } }],
            }),
            "Degraded",
            /Back-off 40s restarting failed container=main/,
        ],
        // testdata/pod-imagepullbackoff.yaml
        ["image pull back-off", pod("Always", { phase: "Pending", conditions: notReady, containerStatuses: [waiting("ImagePullBackOff", 'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"')] }), "Degraded", /Back-off pulling image/],
        // testdata/pod-error.yaml: the container exited again and the pod is not ready: Degraded, not Progressing
        [
            "running, not ready after a restart",
            pod("Always", {
                phase: "Running",
                conditions: notReady,
                containerStatuses: [{ name: "main", ready: false, restartCount: 2, lastState: { terminated: { exitCode: 1, reason: "Error" } }, state: { terminated: { exitCode: 1, reason: "Error" } } }],
            }),
            "Degraded",
            /container main restarted \(Error\)/,
        ],
        // testdata/pod-running-restart-always.yaml
        ["running and ready", pod("Always", { phase: "Running", conditions: ready, containerStatuses: [{ name: "main", ready: true, state: { running: {} } }] }), "Healthy"],
        // testdata/pod-running-restart-never.yaml and -onfailure.yaml: a run-to-completion pod is not done while it runs
        ["running, restartPolicy Never", pod("Never", { phase: "Running", conditions: ready, containerStatuses: [{ name: "main", ready: true, state: { running: {} } }] }), "Progressing"],
        ["running, restartPolicy OnFailure", pod("OnFailure", { phase: "Running", conditions: ready, containerStatuses: [{ name: "main", ready: true, state: { running: {} } }] }), "Progressing"],
        // testdata/pod-failed.yaml: no pod message, so the first failing container's exit code
        [
            "failed without a message",
            pod("Never", { phase: "Failed", conditions: notReady, containerStatuses: [{ name: "main", ready: false, restartCount: 0, lastState: {}, state: { terminated: { exitCode: 1, reason: "Error" } } }] }),
            "Degraded",
            'container "main" failed with exit code 1',
        ],
        ["failed with the pod's message", pod("Never", { phase: "Failed", message: "Pod was rejected: Node didn't have enough resource: cpu", containerStatuses: [] }), "Degraded", /enough resource/],
        [
            "failed in an init container (init containers are read first)",
            pod("Never", {
                phase: "Failed",
                initContainerStatuses: [{ name: "init", state: { terminated: { exitCode: 2, reason: "Error" } } }],
                containerStatuses: [{ name: "main", state: { waiting: { reason: "PodInitializing" } } }],
            }),
            "Degraded",
            'container "init" failed with exit code 2',
        ],
        ["failed, OOMKilled", pod("Never", { phase: "Failed", containerStatuses: [{ name: "main", state: { terminated: { exitCode: 137, reason: "OOMKilled" } } }] }), "Degraded", "OOMKilled"],
        [
            "failed, the termination message first",
            pod("Never", { phase: "Failed", containerStatuses: [{ name: "main", state: { terminated: { exitCode: 1, reason: "Error", message: "migration 42 failed" } } }] }),
            "Degraded",
            "migration 42 failed",
        ],
        // testdata/pod-succeeded.yaml
        ["succeeded", pod("Never", { phase: "Succeeded", containerStatuses: [{ name: "main", state: { terminated: { exitCode: 0, reason: "Completed" } } }] }), "Healthy"],
        // testdata/pod-deletion.yaml
        ["being deleted", pod("Always", { phase: "Running", conditions: ready }, { metadata: { name: "my-pod", deletionTimestamp: "2018-12-03T10:16:04Z" } }), "Progressing"],

        // restartPolicy decides whether a waiting error counts: a hook pod waiting on its image is
        // Progressing, so the hook is not failed early and then run once the image arrives.
        ["ErrImagePull, restartPolicy Always", pod("Always", { phase: "Pending", containerStatuses: [waiting("ErrImagePull", "rpc error: not found")] }), "Degraded", /ErrImagePull: rpc error: not found/],
        ["ErrImagePull, restartPolicy Never", pod("Never", { phase: "Pending", containerStatuses: [waiting("ErrImagePull")] }), "Progressing"],
        ["CrashLoopBackOff, restartPolicy OnFailure", pod("OnFailure", { phase: "Running", containerStatuses: [waiting("CrashLoopBackOff")] }), "Progressing"],
        // The reason is matched by shape (Err*, *Error, *BackOff), not from a list.
        ["CreateContainerConfigError", pod("Always", { phase: "Pending", containerStatuses: [waiting("CreateContainerConfigError", 'configmap "x" not found')] }), "Degraded"],
        ["a back-off not in any list", pod("Always", { phase: "Pending", containerStatuses: [waiting("SomeNewBackOff")] }), "Degraded"],
        ["ContainerCreating is not an error", pod("Always", { phase: "Pending", containerStatuses: [waiting("ContainerCreating")] }), "Progressing"],
        // Init containers' waiting reasons are not read, only their outcome through the phase.
        ["an init container backing off", pod("Always", { phase: "Pending", initContainerStatuses: [waiting("CrashLoopBackOff")], containerStatuses: [waiting("PodInitializing")] }), "Progressing"],
        // A phase Argo CD does not know, or Running without a restartPolicy, is Unknown.
        ["phase Unknown", pod("Always", { phase: "Unknown", message: "node lost" }), "Unknown"],
        ["running without a restartPolicy", pod(undefined, { phase: "Running", conditions: ready }), "Unknown"],
    ] as [string, LiveObject, string, (string | RegExp)?][]).map(([name, obj, status, message]): [string, LiveObject, string, (string | RegExp)?] => [`${name} is ${status}`, obj, status, message]))("%s", (_name, obj, status, message) => {
        const health = assessHealth(obj);
        expect(health.status).toBe(status);
        if (typeof message === "string") expect(health.message).toBe(message);
        else if (message) expect(health.message).toMatch(message);
    });

    it("joins the messages of every failing container", () => {
        const obj = pod("Always", { phase: "Running", containerStatuses: [waiting("ErrImagePull", "a"), { name: "side", state: { waiting: { reason: "CrashLoopBackOff", message: "b" } } }] });
        expect(assessHealth(obj)).toEqual({ status: "Degraded", message: "container main: ErrImagePull: a, container side: CrashLoopBackOff: b" });
    });
});
