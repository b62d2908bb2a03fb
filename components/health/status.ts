// Argo CD's health statuses, worst last, and how to combine them.

export type HealthStatus = "Healthy" | "Suspended" | "Progressing" | "Missing" | "Degraded" | "Unknown";

export interface Health {
    status: HealthStatus;
    message?: string;
}

/** A live object as the API server returns it. */
export interface LiveObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; generation?: number; deletionTimestamp?: string; annotations?: Record<string, string> };
    spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- every kind has its own shape
    status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    [key: string]: unknown;
}

export type HealthCheck = (obj: LiveObject) => Health;

// Argo CD's order from best to worst, gitops-engine pkg/health/health.go `healthOrder`: Unknown is
// worst, because a resource whose health cannot be assessed must not let the application look better
// than a Degraded one would. An application's health is its worst resource's (argo-cd
// controller/health.go, `IsWorse`).
const SEVERITY: Record<HealthStatus, number> = { Healthy: 0, Suspended: 1, Progressing: 2, Missing: 3, Degraded: 4, Unknown: 5 };

/** The status named by a string another controller reported, or undefined when it names none. */
export function asHealthStatus(value: unknown): HealthStatus | undefined {
    return typeof value === "string" && Object.hasOwn(SEVERITY, value) ? (value as HealthStatus) : undefined;
}

export function worst(healths: readonly Health[]): Health {
    return healths.reduce<Health>((w, h) => (SEVERITY[h.status] > SEVERITY[w.status] ? h : w), { status: "Healthy" });
}

export function isWorse(a: HealthStatus, b: HealthStatus): boolean {
    return SEVERITY[a] > SEVERITY[b];
}

export interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

/** status.conditions in the order the controller wrote them; order matters to rules that take the first match. */
export function conditions(obj: LiveObject): Condition[] {
    const list: unknown = obj.status?.conditions;
    return Array.isArray(list) ? (list as Condition[]) : [];
}

export function condition(obj: LiveObject, type: string): Condition | undefined {
    return conditions(obj).find((c) => c.type === type);
}
