import { asHealthStatus, conditions, type Health, type LiveObject } from "./status";

// Rules follow argo-cd resource_customizations/argoproj.io/Rollout/health.lua, oldest Rollouts included.

/** Lua's tonumber for the values Rollouts write: numbers, and decimal strings ("3"); anything else is no number. */
function toNumber(value: unknown): number | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
    return undefined;
}

/**
 * Rollouts v0.10+ write status.observedGeneration as the generation in a string; v0.9 and older wrote a
 * pod-template hash there, which is no number or happens to be a larger one, and then cannot be compared.
 */
function generationObserved(obj: LiveObject): boolean {
    if (obj.status === undefined || obj.status === null) return false;
    const observed = toNumber(obj.status.observedGeneration);
    const generation = obj.metadata.generation;
    if (observed === undefined || generation === undefined || observed > generation) return true;
    return observed === generation;
}

/** v1.1 Rollouts that reference a Deployment (spec.workloadRef) also record which of its generations they saw. */
function workloadGenerationObserved(obj: LiveObject): boolean {
    const annotations = obj.metadata.annotations;
    if (!obj.spec?.workloadRef || !annotations) return true;
    return toNumber(annotations["rollout.argoproj.io/workload-generation"]) === toNumber(obj.status?.workloadObservedGeneration);
}

/** v1.0+ Rollouts compute their own phase; Argo CD surfaces it, with Paused as Suspended. */
function phaseHealth(s: { phase: unknown; message?: unknown }): Health {
    const message = typeof s.message === "string" && s.message !== "" ? s.message : undefined;
    if (s.phase === "Paused") return { status: "Suspended", message };
    const status = asHealthStatus(s.phase);
    return status ? { status, message } : { status: "Unknown", message: `unrecognised Rollout phase ${JSON.stringify(s.phase)}` };
}

/** The pre-v1.0 assessment, from conditions, pause state, replica counts and the strategy's cutover. */
function legacyHealth(obj: LiveObject): Health {
    const s = obj.status;
    for (const c of conditions(obj)) {
        if (c.type === "InvalidSpec") return { status: "Degraded", message: c.message };
        if (c.type === "Progressing" && (c.reason === "RolloutAborted" || c.reason === "ProgressDeadlineExceeded")) {
            return { status: "Degraded", message: c.message };
        }
    }
    const pauseConditions: unknown = s.pauseConditions;
    if ((Array.isArray(pauseConditions) && pauseConditions.length > 0) || obj.spec?.paused === true) {
        return { status: "Suspended", message: "Rollout is paused" };
    }
    if (s.currentPodHash === undefined || s.currentPodHash === null) {
        return { status: "Progressing", message: "Waiting for rollout to finish: status has not been reconciled." };
    }
    const desired: number = obj.spec?.replicas ?? 1;
    const replicas: number = s.replicas ?? 0;
    const updated: number = s.updatedReplicas ?? 0;
    const available: number = s.availableReplicas ?? 0;
    if (updated < desired) return { status: "Progressing", message: "Waiting for roll out to finish: More replicas need to be updated" };
    if (available < updated) return { status: "Progressing", message: "Waiting for roll out to finish: updated replicas are still becoming available" };
    // v0.8 moved status.canary.stableRS to status.stableRS; read both.
    const stableRS: string = s.stableRS ?? s.canary?.stableRS ?? "";
    const strategy = obj.spec?.strategy ?? {};
    if (strategy.blueGreen !== undefined && strategy.blueGreen !== null) {
        if (s.blueGreen?.activeSelector !== s.currentPodHash) return { status: "Progressing", message: "active service cutover pending" };
        if (stableRS !== "" && stableRS !== s.currentPodHash) return { status: "Progressing", message: "waiting for analysis to complete" };
    } else if (strategy.canary !== undefined && strategy.canary !== null) {
        if (replicas > updated) return { status: "Progressing", message: "Waiting for roll out to finish: old replicas are pending termination" };
        if (stableRS === "" || stableRS !== s.currentPodHash) return { status: "Progressing", message: "Waiting for rollout to finish steps" };
    }
    return { status: "Healthy" };
}

/**
 * An unobserved spec (or referenced workload) is Progressing whatever the old status says, since that
 * status describes the previous spec; then the Rollout's own phase when it has one; else the legacy rule.
 */
export function rolloutHealth(obj: LiveObject): Health {
    if (!generationObserved(obj) || !workloadGenerationObserved(obj)) {
        return { status: "Progressing", message: "Waiting for rollout spec update to be observed" };
    }
    if (obj.status.phase !== undefined && obj.status.phase !== null) return phaseHealth(obj.status);
    return legacyHealth(obj);
}
