import { conditions, type Health, type HealthCheck, type LiveObject } from "./status";

/**
 * Flux toolkit objects, as argo-cd resource_customizations/helm.toolkit.fluxcd.io/HelmRelease/health.lua
 * and kustomize.toolkit.fluxcd.io/Kustomization/health.lua: spec.suspend is Suspended; otherwise the
 * rule counts signals. Ready=Unknown together with Reconciling=True is Progressing; enough True
 * success conditions is Healthy; anything else, including a Ready=False left after a rollback, is
 * Degraded. The message is the Ready reason, as Argo CD shows it.
 */
function fluxHealth(successTypes: readonly string[], needed: number): HealthCheck {
    return (obj: LiveObject): Health => {
        if (obj.spec?.suspend === true) return { status: "Suspended", message: `${obj.kind} is suspended` };
        // Argo CD only counts when the list exists; an object Flux has not reconciled yet has none.
        if (!Array.isArray(obj.status?.conditions)) return { status: "Progressing", message: "Status unknown" };
        let progressing = 0;
        let succeeded = 0;
        let reason: string | undefined;
        for (const c of conditions(obj)) {
            if (c.type === "Ready") {
                if (c.status === "True") succeeded++;
                else if (c.status === "Unknown") progressing++;
                reason = c.reason;
            } else if (c.type === "Reconciling" && c.status === "True") {
                progressing++;
            } else if (successTypes.includes(c.type) && c.status === "True") {
                succeeded++;
            }
        }
        const message = reason === "" ? undefined : reason;
        if (progressing === 2) return { status: "Progressing", message };
        // Exactly `needed`, as the Lua compares: a HelmRelease with Ready, Released and TestSuccess all
        // True counts three and is Degraded in Argo CD too.
        if (succeeded === needed) return { status: "Healthy", message };
        return { status: "Degraded", message };
    };
}

// HelmRelease: Ready and Released (or TestSuccess) must both be True.
export const helmReleaseHealth = fluxHealth(["Released", "TestSuccess"], 2);

// Kustomization: Ready alone decides success.
export const kustomizationHealth = fluxHealth([], 1);
