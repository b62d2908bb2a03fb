import type { Health, LiveObject } from "./status";

export function persistentVolumeClaimHealth(obj: LiveObject): Health {
    switch (obj.status?.phase) {
        case "Bound":
            return { status: "Healthy" };
        case "Lost":
            return { status: "Degraded", message: "claim lost its volume" };
        default:
            return { status: "Progressing", message: `claim is ${obj.status?.phase ?? "Pending"}` };
    }
}
