import type { Health, LiveObject } from "./status";

/** As Argo CD: Progressing until every replica is ready and, for RollingUpdate, on the update revision. */
export function statefulSetHealth(obj: LiveObject): Health {
    const s = obj.status ?? {};
    if ((obj.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
        return { status: "Progressing", message: "Waiting for statefulset spec update to be observed..." };
    }
    const replicas = obj.spec?.replicas ?? 1;
    if ((s.readyReplicas ?? 0) < replicas) {
        return { status: "Progressing", message: `Waiting for ${replicas - (s.readyReplicas ?? 0)} pods to be ready...` };
    }
    if (obj.spec?.updateStrategy?.type === "OnDelete") return { status: "Healthy", message: "statefulset has OnDelete update strategy" };
    const partition = obj.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    if (partition > 0 && (s.updatedReplicas ?? 0) < replicas - partition) {
        return { status: "Progressing", message: `Waiting for partitioned roll out to finish: ${s.updatedReplicas ?? 0} out of ${replicas - partition} new pods have been updated...` };
    }
    if (partition === 0 && s.updateRevision && s.currentRevision !== s.updateRevision) {
        return { status: "Progressing", message: "Waiting for statefulset rolling update to complete..." };
    }
    return { status: "Healthy", message: `statefulset rolling update complete: ${s.currentReplicas ?? replicas} pods at revision ${s.currentRevision ?? ""}` };
}
