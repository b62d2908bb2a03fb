// The health `syncwave status` shows is the gates' own: a preview with refresh reads every HealthGate,
// and a gate's read assesses its resources with the rules its Application's gates use (built-in,
// Project and Application healthChecks), which travel in the gate's provider and exist nowhere else.
// Reading the objects here with the built-in rules alone would call a custom resource Healthy that its
// rule calls Degraded.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { asHealthStatus, type Health } from "../../components/health/status";

/** Per Application, each gated resource ("Kind namespace/name") with the health its gate read now. */
export function gateHealthFromEvents(events: readonly EngineEvent[]): Map<string, Map<string, Health>> {
    const byApplication = new Map<string, Map<string, Health>>();
    for (const e of events) {
        const m = e.resOutputsEvent?.metadata;
        if (!m || !m.type.endsWith("syncwave:HealthGate") || (m.op !== "refresh" && m.op !== "read")) continue;
        const outputs = (m.new?.outputs ?? {}) as { application?: unknown; health?: unknown };
        if (typeof outputs.application !== "string" || !Array.isArray(outputs.health)) continue;
        const resources = byApplication.get(outputs.application) ?? new Map<string, Health>();
        for (const h of outputs.health as { resource?: unknown; status?: unknown; message?: unknown }[]) {
            const status = asHealthStatus(h.status);
            if (typeof h.resource !== "string" || !status) continue;
            resources.set(h.resource, typeof h.message === "string" && h.message !== "" ? { status, message: h.message } : { status });
        }
        byApplication.set(outputs.application, resources);
    }
    return byApplication;
}
