import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { failureClasses, failureTagValue, parseFailureTag, stepFailureClass } from "../../cli/failure-class";
import { completedSyncs, failedHealth, measuredHealth } from "../../cli/commands/history";

const APP = "urn:pulumi:dev::syncwave::syncwave:index:Application";
const pre = (urn: string, type: string, parent?: string) =>
    ({ resourcePreEvent: { metadata: { urn, type, op: "create", new: { parent } } } }) as unknown as EngineEvent;
const error = (urn: string | undefined, message: string) => ({ diagnosticEvent: { urn, message, severity: "error", color: "never" } }) as unknown as EngineEvent;

describe("why a sync failed", () => {
    it.each([
        ["syncwave:HealthGate", "Deployment shop/api is Degraded: CrashLoopBackOff", "Degraded"],
        ["syncwave:HealthGate", "Deployment shop/api did not become Healthy: timed out after 3s; last seen: Progressing", "timeout"],
        ["syncwave:Hook", "PreSync hook Job shop/migrate-x failed: Degraded", "hook failed"],
        ["syncwave:Hook", "PreSync hook Job shop/migrate did not finish: timed out after 60s", "timeout"],
        ["syncwave:Pruner", "application shop is not deleted: its PreDelete hook failed", "prune failed"],
        ["kubernetes:apps/v1:Deployment", "the server rejected the request", "apply refused"],
        ["syncwave:ReplacedObject", "field is immutable", "apply refused"],
        ["syncwave:index:Application", "git fetch failed", "source error"],
    ])("%s: %s", (type, message, expected) => {
        expect(stepFailureClass(type, message)).toBe(expected);
    });

    it("classes each failed Application from the update's events, policy included", () => {
        const shop = `${APP}::shop`;
        const gate = `${APP}$syncwave:HealthGate::shop:Sync wave 1`;
        const deploy = `${APP}$kubernetes:apps/v1:Deployment::apps/Deployment/web/api`;
        const events = [
            pre(shop, "syncwave:index:Application"),
            pre(gate, "syncwave:HealthGate", shop),
            pre(deploy, "kubernetes:apps/v1:Deployment", `${APP}::web`),
            error(gate, "is Degraded"),
            error(deploy, "admission webhook denied the request"),
            error(undefined, "update failed"),
        ];
        expect(failureClasses(events)).toEqual({ shop: "Degraded", web: "apply refused" });
        const policy = { policyEvent: { enforcementLevel: "mandatory", resourceUrn: deploy, policyName: "p", message: "m" } } as unknown as EngineEvent;
        expect(failureClasses([pre(deploy, "kubernetes:apps/v1:Deployment", `${APP}::web`), policy])).toEqual({ web: "policy" });
    });

    it("fits the tag value limit and reads back", () => {
        expect(parseFailureTag(failureTagValue({ shop: "Degraded", "": "failed" }))).toEqual({ shop: "Degraded", "-": "failed" });
        const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`application-${i}`, "timeout" as const]));
        const value = failureTagValue(many);
        expect(value.length).toBeLessThanOrEqual(256);
        expect(value.endsWith(",…")).toBe(true);
    });

    it("shows the recorded class of a failed update, and says when none was recorded", () => {
        expect(failedHealth("shop=Degraded")).toBe("Degraded");
        expect(failedHealth("shop=Degraded,web=apply refused")).toBe("shop: Degraded, web: apply refused");
        expect(failedHealth(undefined)).toBe("failed (no reason recorded)");
    });
});

describe("the health each completed sync measured", () => {
    const resources = [
        {
            urn: "u1",
            type: "syncwave:index:SyncResult".replace("index:", ""),
            outputs: { application: "shop", completed: [{ health: "Healthy", finishedAt: "2026-01-01T10:00:30Z" }, { health: "Suspended", finishedAt: "2026-01-01T11:00:30Z" }] },
        },
        { urn: "u2", type: "syncwave:SyncResult", outputs: { application: "web", completed: [{ health: "Healthy", finishedAt: "2026-01-01T11:00:20Z" }] } },
    ];
    const completed = completedSyncs(resources);

    it("per update, from the entries that finished inside it", () => {
        expect(measuredHealth(completed, new Date("2026-01-01T10:00:00Z"), new Date("2026-01-01T10:01:00Z"))).toBe("Healthy");
        expect(measuredHealth(completed, new Date("2026-01-01T11:00:00Z"), new Date("2026-01-01T11:01:00Z"))).toBe("shop=Suspended web=Healthy");
        // An update that completed nothing new claims nothing.
        expect(measuredHealth(completed, new Date("2026-01-01T12:00:00Z"), new Date("2026-01-01T12:01:00Z"))).toBe("");
    });
});
