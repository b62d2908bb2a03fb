import type { Health, LiveObject } from "./status";

export function daemonSetHealth(obj: LiveObject): Health {
    const s = obj.status ?? {};
    if ((obj.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
        return { status: "Progressing", message: "Waiting for rollout to finish: observed daemon set generation less than desired generation" };
    }
    if (obj.spec?.updateStrategy?.type === "OnDelete") return { status: "Healthy", message: "daemon set has OnDelete update strategy" };
    const desired = s.desiredNumberScheduled ?? 0;
    if ((s.updatedNumberScheduled ?? 0) < desired) {
        return { status: "Progressing", message: `Waiting for daemon set rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...` };
    }
    if ((s.numberAvailable ?? 0) < desired) {
        return { status: "Progressing", message: `Waiting for daemon set rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...` };
    }
    return { status: "Healthy" };
}
