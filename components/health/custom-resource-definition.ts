import { condition, type Health, type LiveObject } from "./status";

export function customResourceDefinitionHealth(obj: LiveObject): Health {
    const conflict = condition(obj, "NamesAccepted");
    if (conflict?.status === "False") return { status: "Degraded", message: conflict.message };
    const established = condition(obj, "Established");
    if (established?.status === "True") return { status: "Healthy" };
    return { status: "Progressing", message: "waiting for the CRD to be established" };
}
