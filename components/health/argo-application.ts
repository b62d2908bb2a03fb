import { asHealthStatus, type Health, type LiveObject } from "./status";

/**
 * A child Argo CD Application reports its own health in status.health; copy it, and stay Progressing
 * until the child's controller has written one, so a wave waits for the child instead of passing it.
 * Argo CD ships this as the documented override in argo-cd docs/operator-manual/health.md
 * (resource.customizations.health.argoproj.io_Application); gitops-engine has no built-in check
 * (pkg/health/health_test.go TestApplication expects none).
 */
export function applicationHealth(obj: LiveObject): Health {
    const reported: unknown = obj.status?.health?.status;
    if (reported === undefined || reported === null) return { status: "Progressing" };
    const message: unknown = obj.status.health.message;
    const text = typeof message === "string" && message !== "" ? message : undefined;
    const status = asHealthStatus(reported);
    // Lua would copy any string; an unrecognised one cannot be ordered by `worst`, so say so.
    return status ? { status, message: text } : { status: "Unknown", message: `unrecognised health status ${JSON.stringify(reported)}` };
}
