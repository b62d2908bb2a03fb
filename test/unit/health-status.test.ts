// `syncwave status` takes each gated object's health from its gate's read in the preview's refresh.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { gateHealthFromEvents } from "../../cli/commands/status-gate-health";

const gateRead = (op: string, outputs: object, type = "pulumi-nodejs:dynamic/syncwave:HealthGate"): EngineEvent =>
    ({ sequence: 1, timestamp: 0, resOutputsEvent: { metadata: { op, urn: `urn:pulumi:dev::p::${type}::x`, type, new: { outputs } } } }) as unknown as EngineEvent;

describe("health from the gates' reads", () => {
    it("keeps each gated resource's health by Application, the later read winning", () => {
        const events = [
            gateRead("refresh", { application: "shop", health: [{ resource: "Database shop/orders", status: "Progressing", message: "database is Offline" }, { resource: "ConfigMap shop/cfg", status: "Healthy", message: "" }] }),
            gateRead("refresh", { application: "metrics", health: [{ resource: "Deployment metrics/api", status: "Degraded", message: "pod api-1: ..." }] }),
            gateRead("refresh", { application: "shop", health: [{ resource: "ConfigMap shop/cfg", status: "Missing", message: "the resource does not exist" }] }),
        ];
        const health = gateHealthFromEvents(events);
        expect(Object.fromEntries(health.get("shop")!)).toEqual({
            "Database shop/orders": { status: "Progressing", message: "database is Offline" },
            "ConfigMap shop/cfg": { status: "Missing", message: "the resource does not exist" },
        });
        expect(health.get("metrics")!.get("Deployment metrics/api")?.status).toBe("Degraded");
    });

    it("ignores other resources, planned steps and statuses that are not Argo CD's", () => {
        const events = [
            gateRead("refresh", { application: "shop", health: [{ resource: "Job shop/x", status: "Succeeded" }] }),
            gateRead("update", { application: "shop", health: [{ resource: "ConfigMap shop/a", status: "Healthy" }] }),
            gateRead("refresh", { application: "shop", health: [{ resource: "ConfigMap shop/b", status: "Healthy" }] }, "pulumi-nodejs:dynamic/syncwave:Pruner"),
            { sequence: 2, timestamp: 0, diagnosticEvent: { message: "x", color: "never", severity: "info" } } as EngineEvent,
        ];
        expect(gateHealthFromEvents(events).get("shop")?.size ?? 0).toBe(0);
    });
});
