import { conditions, type Health, type HealthCheck } from "./status";

/**
 * The shape Argo CD's checks for cert-manager issuers and external-secrets share: the first Ready
 * condition that is True or False decides (False is Degraded, not Progressing, because these
 * controllers only write False after a failed attempt); until one exists the resource is Progressing
 * with the kind's own waiting message.
 * Sources: argo-cd resource_customizations/cert-manager.io/Issuer/health.lua,
 * cert-manager.io/ClusterIssuer/health.lua, external-secrets.io/ExternalSecret/health.lua.
 */
export function readyConditionHealth(waiting: string): HealthCheck {
    return (obj): Health => {
        for (const c of conditions(obj)) {
            if (c.type !== "Ready") continue;
            if (c.status === "False") return { status: "Degraded", message: c.message };
            if (c.status === "True") return { status: "Healthy", message: c.message };
        }
        return { status: "Progressing", message: waiting };
    };
}
