import { condition, type Health, type LiveObject } from "./status";

/** As Argo CD: paused is Suspended; a rollout past its deadline is Degraded; else Progressing until every replica is updated and available. */
export function deploymentHealth(obj: LiveObject): Health {
    if (obj.spec?.paused) return { status: "Suspended", message: "Deployment is paused" };
    const s = obj.status ?? {};
    if ((obj.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
        return { status: "Progressing", message: "Waiting for rollout to finish: observed deployment generation less than desired generation" };
    }
    const progressing = condition(obj, "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") {
        return { status: "Degraded", message: `Deployment "${obj.metadata.name}" exceeded its progress deadline` };
    }
    const replicas = obj.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const total = s.replicas ?? 0;
    const available = s.availableReplicas ?? 0;
    if (updated < replicas) {
        return { status: "Progressing", message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...` };
    }
    if (total > updated) {
        return { status: "Progressing", message: `Waiting for rollout to finish: ${total - updated} old replicas are pending termination...` };
    }
    if (available < updated) {
        return { status: "Progressing", message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...` };
    }
    return { status: "Healthy" };
}
