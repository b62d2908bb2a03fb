import { conditions, type Health, type LiveObject } from "./status";

/**
 * As argo-cd resource_customizations/cert-manager.io/Certificate/health.lua: Issuing=True wins over
 * Ready, wherever it sits in the list, because cert-manager sets Ready=False while it (re)issues and
 * that is progress, not failure. Otherwise the first Ready True/False decides.
 */
export function certificateHealth(obj: LiveObject): Health {
    const issuing = conditions(obj).find((c) => c.type === "Issuing" && c.status === "True");
    if (issuing) return { status: "Progressing", message: issuing.message };
    for (const c of conditions(obj)) {
        if (c.type !== "Ready") continue;
        if (c.status === "False") return { status: "Degraded", message: c.message };
        if (c.status === "True") return { status: "Healthy", message: c.message };
    }
    return { status: "Progressing", message: "Waiting for certificate" };
}
