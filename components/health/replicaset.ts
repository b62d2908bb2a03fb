import { condition, type Health, type LiveObject } from "./status";

export function replicaSetHealth(obj: LiveObject): Health {
    const s = obj.status ?? {};
    if ((obj.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
        return { status: "Progressing", message: "Waiting for rollout to finish: observed replica set generation less than desired generation" };
    }
    const failure = condition(obj, "ReplicaFailure");
    if (failure?.status === "True") return { status: "Degraded", message: failure.message ?? "replica failure" };
    const replicas = obj.spec?.replicas ?? 1;
    if ((s.availableReplicas ?? 0) < replicas) {
        return { status: "Progressing", message: `Waiting for rollout to finish: ${s.availableReplicas ?? 0} out of ${replicas} new replicas are available...` };
    }
    return { status: "Healthy" };
}
