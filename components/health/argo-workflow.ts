import type { Health, LiveObject } from "./status";

/**
 * As gitops-engine pkg/health/health_argo.go (getArgoWorkflowHealth): a Workflow not yet picked up
 * (no phase) is Progressing like a Pending or Running one; a phase this rule does not know is Unknown
 * rather than guessed.
 */
export function workflowHealth(obj: LiveObject): Health {
    const phase: unknown = obj.status?.phase ?? "";
    const message: string | undefined = typeof obj.status?.message === "string" && obj.status.message !== "" ? obj.status.message : undefined;
    switch (phase) {
        case "":
        case "Pending":
        case "Running":
            return { status: "Progressing", message };
        case "Succeeded":
            return { status: "Healthy", message };
        case "Failed":
        case "Error":
            return { status: "Degraded", message };
        default:
            return { status: "Unknown", message };
    }
}
