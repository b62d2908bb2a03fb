import { condition, type Health, type LiveObject } from "./status";

export function apiServiceHealth(obj: LiveObject): Health {
    const available = condition(obj, "Available");
    if (available?.status === "True") return { status: "Healthy", message: available.message };
    if (available) return { status: "Progressing", message: available.message ?? available.reason };
    return { status: "Progressing", message: "waiting for the API service to become available" };
}
