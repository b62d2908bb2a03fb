// Argo CD's health statuses, worst last, and how to combine them.

export type HealthStatus = "Healthy" | "Suspended" | "Progressing" | "Missing" | "Unknown" | "Degraded";

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

// Argo CD's order from best to worst: an application's health is its worst resource's.
const SEVERITY: Record<HealthStatus, number> = { Healthy: 0, Suspended: 1, Progressing: 2, Missing: 3, Unknown: 4, Degraded: 5 };

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

export function condition(obj: LiveObject, type: string): Condition | undefined {
    return (obj.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}
