// The diff a reviewer reads: fields with old and new values, server noise left out, Secret values never shown.
import { describe, expect, it } from "vitest";
import { comparable, mergedShape, objectDiff, projectOnto, secretKeyChanges } from "../../cli/format/object-diff";

const deployment = (replicas: number, extra: Record<string, unknown> = {}) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "shop-api", namespace: "shop", annotations: { "argocd.argoproj.io/sync-wave": "1" } },
    spec: { replicas, template: { spec: { containers: [{ name: "api", image: "shop/api:1" }] } } },
    ...extra,
});

const live = (replicas: number) =>
    deployment(replicas, {
        metadata: {
            name: "shop-api",
            namespace: "shop",
            uid: "u-1",
            resourceVersion: "42",
            generation: 3,
            creationTimestamp: "2026-01-01T00:00:00Z",
            managedFields: [{ manager: "pulumi-kubernetes-1", operation: "Apply" }],
            annotations: { "argocd.argoproj.io/sync-wave": "1", "deployment.kubernetes.io/revision": "3" },
        },
        status: { readyReplicas: replicas },
        __fieldManager: "pulumi-kubernetes-1",
        __inputs: {},
    });

describe("what a review compares", () => {
    it("leaves out what the API server and the provider write", () => {
        const c = comparable(live(2))!;
        expect(c.status).toBeUndefined();
        expect(c.__fieldManager).toBeUndefined();
        expect(c.__inputs).toBeUndefined();
        expect(c.metadata).toEqual({ name: "shop-api", namespace: "shop", annotations: { "argocd.argoproj.io/sync-wave": "1" } });
        expect(comparable(undefined)).toBeUndefined();
    });

    it("does not change what it is given", () => {
        const object = live(2);
        comparable(object);
        expect((object as Record<string, unknown>).status).toEqual({ readyReplicas: 2 });
    });
});

describe("an object's unified diff", () => {
    it("shows a changed field with its old and new value, with context, and nothing else", () => {
        const lines = objectDiff(live(2), deployment(3));
        expect(lines[0]).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
        expect(lines.filter((l) => l.startsWith("-"))).toEqual(["-  replicas: 2"]);
        expect(lines.filter((l) => l.startsWith("+"))).toEqual(["+  replicas: 3"]);
        expect(lines.some((l) => l.startsWith(" "))).toBe(true);
        expect(lines.join("\n")).not.toMatch(/resourceVersion|managedFields|readyReplicas|deployment.kubernetes.io\/revision/);
    });

    it("is empty when only server-written fields differ", () => {
        expect(objectDiff(live(2), deployment(2))).toEqual([]);
    });

    it("shows a whole object added or removed", () => {
        expect(objectDiff(undefined, deployment(1)).filter((l) => l.startsWith("+")).length).toBeGreaterThan(5);
        expect(objectDiff(deployment(1), undefined).filter((l) => l.startsWith("-")).length).toBeGreaterThan(5);
    });

    it("is the same whatever the order of keys", () => {
        const reordered = { spec: deployment(3).spec, metadata: deployment(3).metadata, kind: "Deployment", apiVersion: "apps/v1" };
        expect(objectDiff(deployment(3), reordered)).toEqual([]);
    });
});

describe("a Secret", () => {
    const secret = (data: Record<string, string>, stringData?: Record<string, string>) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, type: "Opaque", data, ...(stringData ? { stringData } : {}) });

    it("never shows its values: each key is added, removed, changed or unchanged", () => {
        const lines = objectDiff(secret({ password: "b2xk", user: "YWRtaW4=", gone: "eA==" }), secret({ password: "bmV3", user: "YWRtaW4=", token: "dA==" }));
        const text = lines.join("\n");
        for (const value of ["b2xk", "bmV3", "YWRtaW4=", "eA==", "dA=="]) expect(text).not.toContain(value);
        expect(lines).toContain("-  password: (hidden, old value)");
        expect(lines).toContain("+  password: (hidden, new value)");
        expect(lines).toContain("-  gone: (hidden)");
        expect(lines).toContain("+  token: (hidden)");
        expect(lines.filter((l) => l.includes("user"))).toEqual(["   user: (hidden)"]);
    });

    it("takes the engine's word for values it shows only as [secret]", () => {
        expect(secretKeyChanges(secret({ a: "[secret]", b: "[secret]" }), secret({ a: "[secret]", b: "[secret]" }), ["data.a"])).toEqual({ "data.a": "changed", "data.b": "unchanged" });
        expect(secretKeyChanges(secret({ a: "[secret]" }), secret({ a: "[secret]" }), ["data"])).toEqual({ "data.a": "changed" });
    });

    it("covers stringData as well as data", () => {
        const lines = objectDiff(secret({}, { url: "postgres://u:p@db" }), secret({}, { url: "postgres://u:q@db" }));
        expect(lines.join("\n")).not.toContain("postgres");
        expect(lines).toContain("+  url: (hidden, new value)");
    });
});

describe("the live object cut to the declared fields", () => {
    const declaredBefore = { spec: { replicas: 2, template: { spec: { containers: [{ name: "api", image: "a:1" }] } } }, metadata: { name: "x", labels: { old: "1" } } };
    const declaredNow = { spec: { replicas: 3, template: { spec: { containers: [{ name: "api", image: "a:1" }] } } }, metadata: { name: "x" } };
    const liveObject = {
        metadata: { name: "x", uid: "u", labels: { old: "1", "pod-template-hash": "abc" } },
        spec: { replicas: 2, progressDeadlineSeconds: 600, template: { spec: { dnsPolicy: "ClusterFirst", containers: [{ name: "api", image: "a:1", imagePullPolicy: "IfNotPresent" }, { name: "sidecar", image: "s:1" }] } } },
        status: { replicas: 2 },
    };

    it("keeps what either declaration has, drops what the API server defaulted and list items nobody declared", () => {
        expect(projectOnto(liveObject, mergedShape(declaredBefore, declaredNow))).toEqual({
            metadata: { name: "x", labels: { old: "1" } },
            spec: { replicas: 2, template: { spec: { containers: [{ name: "api", image: "a:1" }] } } },
        });
    });

    it("so the diff is the change git makes, and the field git drops", () => {
        const lines = objectDiff(projectOnto(liveObject, mergedShape(declaredBefore, declaredNow)) as Record<string, unknown>, declaredNow);
        expect(lines.filter((l) => /^[-+]/.test(l))).toEqual(["-  labels:", "-    old: \"1\"", "-  replicas: 2", "+  replicas: 3"]);
    });

    it("leaves encrypted values whole", () => {
        const wrapped = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "abc" };
        expect(projectOnto({ data: wrapped, type: "Opaque" }, { data: { a: "x" } })).toEqual({ data: wrapped });
        expect(mergedShape({ data: wrapped }, { data: { a: 1 } })).toEqual({ data: { a: 1 } });
    });
});

describe("a Secret whose data the state keeps encrypted", () => {
    const wrapped = (c: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: c });
    const secret = (c: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: wrapped(c) });
    it("is changed or not as the engine says, and shows neither keys nor ciphertext", () => {
        const lines = objectDiff(secret("old-cipher"), secret("new-cipher"), ["data.password", "data.user"]);
        expect(lines).toContain("-data: (hidden, old values of password, user)");
        expect(lines).toContain("+data: (hidden, new values of password, user)");
        expect(objectDiff(secret("a"), secret("b"), ["data"])).toContain("+data: (hidden, new values)");
        expect(lines.join("\n")).not.toMatch(/cipher|4dabf/);
        expect(objectDiff(secret("same"), secret("same"), [])).toEqual([]);
    });
});
