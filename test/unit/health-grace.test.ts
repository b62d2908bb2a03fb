// When a Degraded pod fails a gate: at once for a back-off, after the grace period otherwise.
import { describe, expect, it } from "vitest";
import { backOff, DEFAULT_DEGRADED_GRACE_MS, degradedGraceOf, DegradedSince, isBackingOff, isFinished } from "../../components/health/degraded-grace";
import type { Health, LiveObject } from "../../components/health/status";
import { degradedGraceFor, type GateInputs } from "../../components/providers/health-gate-runtime";

const pod = (status: object): LiveObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "api-1" }, spec: { restartPolicy: "Always" }, status });
const waiting = (reason: string) => ({ name: "app", state: { waiting: { reason } } });

describe("which Degraded pods fail at once", () => {
    it.each(([
        ["CrashLoopBackOff", pod({ phase: "Running", containerStatuses: [waiting("CrashLoopBackOff")] }), true],
        ["ImagePullBackOff", pod({ phase: "Pending", containerStatuses: [waiting("ImagePullBackOff")] }), true],
        ["an init container in CrashLoopBackOff", pod({ phase: "Pending", initContainerStatuses: [waiting("CrashLoopBackOff")] }), true],
        ["ErrImagePull (the first failed pull)", pod({ phase: "Pending", containerStatuses: [waiting("ErrImagePull")] }), false],
        ["CreateContainerConfigError", pod({ phase: "Pending", containerStatuses: [waiting("CreateContainerConfigError")] }), false],
        ["not ready after a restart", pod({ phase: "Running", containerStatuses: [{ name: "app", lastState: { terminated: { exitCode: 1 } }, state: { running: {} } }] }), false],
    ] as [string, LiveObject, boolean][]).map(([name, obj, backingOff]): [string, LiveObject, boolean] => [`${name}: ${backingOff ? "at once" : "after the grace"}`, obj, backingOff]))("%s", (_name, obj, backingOff) => {
        expect(isBackingOff(obj)).toBe(backingOff);
    });

    it("leaves finished pods to the workload's controller", () => {
        expect(isFinished(pod({ phase: "Failed", reason: "Evicted" }))).toBe(true);
        expect(isFinished(pod({ phase: "Succeeded" }))).toBe(true);
        expect(isFinished(pod({ phase: "Running" }))).toBe(false);
        expect(isFinished(pod({}))).toBe(false);
    });
});

describe("since when a pod has been Degraded", () => {
    const h: Health = { status: "Degraded", message: "container app: ErrImagePull" };
    const only = (...keys: string[]) => new Map(keys.map((k) => [k, h] as const));

    it("expires a pod that stays Degraded past the grace, and says when to look again before that", () => {
        const since = new DegradedSince();
        expect(since.observe(only("a"), 1_000, 5_000)).toEqual({ checkAgainAt: 6_000 });
        expect(since.observe(only("a"), 4_000, 5_000)).toEqual({ checkAgainAt: 6_000 });
        expect(since.observe(only("a"), 6_000, 5_000)).toEqual({ expired: { key: "a", health: h, forMs: 5_000 } });
    });

    it("restarts a pod's clock once it recovers", () => {
        const since = new DegradedSince();
        since.observe(only("a"), 0, 5_000);
        expect(since.observe(only(), 3_000, 5_000)).toEqual({ checkAgainAt: undefined });
        expect(since.observe(only("a"), 4_000, 5_000)).toEqual({ checkAgainAt: 9_000 });
        expect(since.observe(only("a"), 8_999, 5_000).expired).toBeUndefined();
    });

    it("keeps one clock per pod and looks again at the earliest deadline", () => {
        const since = new DegradedSince();
        since.observe(only("a"), 0, 5_000);
        expect(since.observe(only("a", "b"), 2_000, 5_000)).toEqual({ checkAgainAt: 5_000 });
        expect(since.observe(only("b"), 5_000, 5_000)).toEqual({ checkAgainAt: 7_000 });
        expect(since.observe(only("b"), 7_000, 5_000).expired?.key).toBe("b");
    });

    it("with no grace, fails at the first sight", () => {
        expect(new DegradedSince().observe(only("a"), 0, 0).expired?.key).toBe("a");
    });
});

describe("the grace of a resource", () => {
    const inputs = { application: "shop", degradedGraceMs: 10_000 } as GateInputs;
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" };
    const live = (annotations?: Record<string, string>) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", annotations } });

    it("is the resource's input, else its annotation, else the Application's, else 30 s", () => {
        expect(degradedGraceFor(inputs, { ...ref, degradedGraceMs: 1_000 }, live({ "syncwave.dev/degraded-grace": "45s" }))).toBe(1_000);
        expect(degradedGraceFor(inputs, ref, live({ "syncwave.dev/degraded-grace": "45s" }))).toBe(45_000);
        expect(degradedGraceFor(inputs, ref, live({ "syncwave.dev/degraded-grace": "1m30s" }))).toBe(90_000);
        expect(degradedGraceFor(inputs, ref, live())).toBe(10_000);
        expect(degradedGraceFor({ application: "shop" } as GateInputs, ref, undefined)).toBe(DEFAULT_DEGRADED_GRACE_MS);
        expect(DEFAULT_DEGRADED_GRACE_MS).toBe(30_000);
    });

    it("refuses an annotation that is not a duration, naming the application, resource and annotation", () => {
        expect(() => degradedGraceFor(inputs, ref, live({ "syncwave.dev/degraded-grace": "45" }))).toThrow(
            'application shop, resource Deployment shop/api, field metadata.annotations["syncwave.dev/degraded-grace"]: "45" is not a duration like 30s, 2m or 1m30s',
        );
        expect(() => degradedGraceOf({ "syncwave.dev/degraded-grace": "soon" }, { resource: "Pod shop/x" })).toThrow(/"soon" is not a duration/);
        expect(degradedGraceOf({}, { resource: "Pod shop/x" })).toBeUndefined();
    });
});

describe("what backs off", () => {
    it("names the container, init containers first", () => {
        const obj = pod({
            phase: "Pending",
            initContainerStatuses: [{ name: "migrate", state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s" } } }],
            containerStatuses: [{ name: "app", state: { waiting: { reason: "PodInitializing" } } }],
        });
        expect(backOff(obj)).toBe("init container migrate: CrashLoopBackOff: back-off 20s");
        expect(backOff(pod({ phase: "Pending", containerStatuses: [waiting("ImagePullBackOff")] }))).toBe("container app: ImagePullBackOff");
        expect(backOff(pod({ phase: "Pending", containerStatuses: [waiting("ErrImagePull")] }))).toBeUndefined();
    });
});
