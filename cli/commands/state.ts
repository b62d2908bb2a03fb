// Reading a stack's state for the CLI: its ApplicationRecords (what each Application last synced), its
// managed objects and its gates, with secrets (the destination kubeconfig) decrypted.
import { execFileSync } from "node:child_process";

export interface StateResource {
    urn: string;
    type: string;
    parent?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

export interface AppRecord {
    application: string;
    project: string;
    repoURL: string;
    targetRevision: string;
    revision: string;
    /** The source path inside the repository ("." for its root). */
    path: string;
    kubeconfig: string;
    destination: { server?: string; name?: string; namespace?: string };
    syncPolicy: { automated?: { prune?: boolean; selfHeal?: boolean }; retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } } };
    ignoreDifferences: { group?: string; kind: string; name?: string; namespace?: string; jsonPointers?: string[]; managedFieldsManagers?: string[] }[];
}

export function readState(stack: string, cwd: string, env: Record<string, string> = {}): StateResource[] {
    const text = execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", stack], {
        cwd,
        env: { ...process.env, ...env },
        encoding: "utf8",
        maxBuffer: 512 * 1024 * 1024,
    });
    return (JSON.parse(text) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];
}

/** Plain values out of the state's secret wrappers. */
function reveal(value: unknown): unknown {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const o = value as Record<string, unknown>;
        if (o["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return reveal(o.plaintext !== undefined ? JSON.parse(o.plaintext as string) : o.value);
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, reveal(v)]));
    }
    if (Array.isArray(value)) return value.map(reveal);
    return value;
}

export function appRecords(resources: readonly StateResource[]): AppRecord[] {
    return resources.filter((r) => r.type.endsWith("syncwave:ApplicationRecord")).map((r) => reveal(r.outputs) as AppRecord);
}

export interface ManagedObject {
    application: string;
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
}

/** The live objects each Application manages, from the state. */
export function managedObjects(resources: readonly StateResource[]): ManagedObject[] {
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers") && r.parent?.includes("::syncwave:index:Application::"))
        .map((r) => {
            const o = (r.outputs ?? {}) as { apiVersion: string; kind: string; metadata?: { name: string; namespace?: string } };
            return { application: r.parent!.split("::").pop()!, apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name ?? "" };
        });
}
