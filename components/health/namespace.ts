import type { Health, LiveObject } from "./status";

export function namespaceHealth(obj: LiveObject): Health {
    if (obj.status?.phase === "Terminating") return { status: "Progressing", message: "namespace is terminating" };
    return { status: "Healthy" };
}
