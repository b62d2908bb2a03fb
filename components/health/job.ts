import { condition, type Health, type LiveObject } from "./status";

/** As Argo CD: Complete is Healthy, Failed Degraded (with its reason), suspended Suspended, else Progressing. */
export function jobHealth(obj: LiveObject): Health {
    const failed = condition(obj, "Failed");
    if (failed?.status === "True") {
        return { status: "Degraded", message: failed.message ?? failed.reason ?? "job failed" };
    }
    const complete = condition(obj, "Complete");
    if (complete?.status === "True") return { status: "Healthy", message: complete.message ?? "job completed" };
    if (obj.spec?.suspend) return { status: "Suspended", message: "job is suspended" };
    const active = obj.status?.active ?? 0;
    return { status: "Progressing", message: active ? `job has ${active} active pod(s)` : "job is starting" };
}
