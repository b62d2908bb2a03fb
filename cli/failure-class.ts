// Why a sync failed, as a class a person can scan in `syncwave history`: from the failed steps' types
// and the engine's error events (typed fields, never the text of a log). Recorded by `syncwave sync`
// in a stack tag per failed update, since an update's own record is written before it starts.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { applicationOfStep } from "./stack";

export type FailureClass = "Degraded" | "timeout" | "hook failed" | "apply refused" | "prune failed" | "policy" | "source error" | "interrupted" | "failed";

/** The class of one failed step, by its resource type (and, for a gate, whether it timed out). */
export function stepFailureClass(type: string, message: string): FailureClass {
    if (type.endsWith("syncwave:HealthGate")) return /did not become Healthy: timed out/.test(message) ? "timeout" : "Degraded";
    if (type.endsWith("syncwave:Hook")) return /did not finish: timed out/.test(message) ? "timeout" : "hook failed";
    if (type.endsWith("syncwave:Pruner")) return "prune failed";
    if (type.startsWith("kubernetes:") || type.endsWith("syncwave:ReplacedObject")) return "apply refused";
    if (type === "syncwave:index:Application" || type === "pulumi:pulumi:Stack") return "source error";
    return "failed";
}

/** Each failed Application's class (and "" for failures no Application owns), from an update's events. */
export function failureClasses(events: readonly EngineEvent[]): Record<string, FailureClass> {
    const appOf = new Map<string, string>();
    for (const e of events) {
        const urn = e.resourcePreEvent?.metadata.urn;
        const app = applicationOfStep(e);
        if (urn && app) appOf.set(urn, app);
        // The Application component itself: its name is the URN's last part.
        if (urn && e.resourcePreEvent?.metadata.type === "syncwave:index:Application") appOf.set(urn, urn.split("::").pop() ?? "");
    }
    const classes: Record<string, FailureClass> = {};
    for (const e of events) {
        if (e.policyEvent?.enforcementLevel === "mandatory") {
            const app = e.policyEvent.resourceUrn ? appOf.get(e.policyEvent.resourceUrn) ?? "" : "";
            classes[app] = "policy";
        }
        const d = e.diagnosticEvent;
        if (d?.severity !== "error") continue;
        const app = d.urn ? appOf.get(d.urn) ?? "" : "";
        const type = d.urn ? d.urn.split("::")[2]?.split("$").pop() ?? "" : "";
        if (!d.urn && /^update failed$/.test(d.message.trim())) continue;
        if (classes[app] === undefined || classes[app] === "failed") classes[app] = d.urn ? stepFailureClass(type, d.message) : "failed";
    }
    return classes;
}

/** The tag that records a failed update's classes, by the update's ID in `syncwave history`. */
export function failureTagName(updateId: number): string {
    return `syncwave:failed:${updateId}`;
}

/** A tag value (Pulumi limits tag values): the classes, shortest form first, cut to the limit. */
export function failureTagValue(classes: Record<string, FailureClass>, limit = 256): string {
    const entries = Object.entries(classes).map(([app, c]) => `${app || "-"}=${c}`);
    let value = entries.join(",");
    while (value.length > limit && entries.length > 1) {
        entries.pop();
        value = `${entries.join(",")},…`;
    }
    return value.slice(0, limit);
}

export function parseFailureTag(value: string): Record<string, string> {
    return Object.fromEntries(
        value
            .split(",")
            .filter((p) => p.includes("="))
            .map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
    );
}
