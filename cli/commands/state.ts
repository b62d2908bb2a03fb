// Reading a stack's state for the CLI: its ApplicationRecords (what each Application last synced), its
// managed objects and its gates. The state is exported without its secrets: nothing the CLI needs is
// secret. Each Application's cluster is a ClusterRef, resolved as the dynamic providers resolve it, from
// this process's environment (KUBECONFIG, as `npm run env` sets it).
import { execFileSync } from "node:child_process";
import { isDefaultCluster, type ClusterRef } from "../../components/cluster/connection-ref";
import { DEFAULT_CLUSTER_SERVER } from "../../components/cluster-connection";
import { readFileCheckpoint, readProjectFile } from "../fast/stack-files";
import { timings } from "../timings";
import { applicationOfUrn } from "../application-urn";

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
    /** Absent in state written before records named their cluster. */
    cluster?: ClusterRef;
    /** The record holds a kubeconfig (a cluster's inline content, or state written before ClusterRefs), secret and so unread. */
    holdsKubeconfig: boolean;
    destination: { server?: string; name?: string; namespace?: string };
    syncPolicy: { automated?: { prune?: boolean; selfHeal?: boolean }; retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } } };
    ignoreDifferences: { group?: string; kind: string; name?: string; namespace?: string; jsonPointers?: string[]; jqPathExpressions?: string[]; managedFieldsManagers?: string[] }[];
}

/**
 * The stack's resources as `pulumi stack export` (without --show-secrets: secret values stay encrypted)
 * gives them; a file backend's checkpoint is read directly, without starting the Pulumi CLI.
 */
export function readState(stack: string, cwd: string, env: Record<string, string> = {}): StateResource[] {
    return readCheckpoint(stack, cwd, env).resources;
}

export interface StackCheckpoint {
    resources: StateResource[];
    /** Operations a killed update left unfinished (a sync must recover them, never a fast path skip them). */
    pendingOperations: number;
    /** Those operations: what was under way ("creating", "updating", "deleting", ...) and on what. */
    pending: PendingOperation[];
}

export interface PendingOperation {
    type: string;
    urn: string;
    resourceType: string;
}

interface RawPendingOperation {
    type?: string;
    resource?: { urn?: string; type?: string };
}

function pendingOf(ops: RawPendingOperation[] | undefined): PendingOperation[] {
    return (ops ?? []).map((op) => ({ type: op.type ?? "unknown", urn: op.resource?.urn ?? "", resourceType: op.resource?.type ?? "" }));
}

/** "creating web:wave-1 (syncwave:index:HealthGate)": an unfinished operation as a person reads it. */
export function describePending(op: PendingOperation): string {
    return `${op.type} ${op.urn.split("::").pop()} (${op.resourceType})`;
}

export function readCheckpoint(stack: string, cwd: string, env: Record<string, string> = {}): StackCheckpoint {
    const backend = env.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL;
    const direct = timings.span("state read", () => readFileCheckpoint(backend, readProjectFile(cwd).name, stack));
    if (direct) {
        const pending = pendingOf(direct.pending_operations as RawPendingOperation[] | undefined);
        return { resources: (direct.resources ?? []) as StateResource[], pendingOperations: pending.length, pending };
    }
    const text = timings.span("state read (pulumi stack export)", () =>
        execFileSync("pulumi", ["stack", "export", "--stack", stack], {
            cwd,
            env: { ...process.env, ...env },
            encoding: "utf8",
            maxBuffer: 512 * 1024 * 1024,
        }),
    );
    const deployment = (JSON.parse(text) as { deployment: { resources?: StateResource[]; pending_operations?: RawPendingOperation[] } }).deployment;
    const pending = pendingOf(deployment.pending_operations);
    return { resources: deployment.resources ?? [], pendingOperations: pending.length, pending };
}

const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

function isSecret(value: unknown): boolean {
    return Boolean(value) && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIGNATURE] === "1b47061264138c4ac30d75fd1eb44270";
}

/** The plain values of exported state; a secret (encrypted in the export) becomes undefined. */
export function plainValues(value: unknown): unknown {
    if (isSecret(value)) return undefined;
    if (Array.isArray(value)) return value.map(plainValues);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValues(v)]));
    return value;
}

export function appRecords(resources: readonly StateResource[]): AppRecord[] {
    return resources
        .filter((r) => r.type.endsWith("syncwave:ApplicationRecord"))
        .map((r) => ({ ...(plainValues(r.outputs) as AppRecord), holdsKubeconfig: r.outputs?.kubeconfig !== undefined }));
}

/** The cluster an Application's record names, for the CLI to connect to with its own KUBECONFIG. */
export function recordCluster(record: AppRecord): ClusterRef {
    const id = record.destination?.server ?? record.destination?.name ?? DEFAULT_CLUSTER_SERVER;
    if (record.cluster) {
        if (record.holdsKubeconfig) {
            throw new Error(
                `application ${record.application}: cluster ${id} is configured with inline kubeconfig content in syncwave:clusters, which only the stack's secrets hold; configure it with a kubeconfig file to use this command`,
            );
        }
        return record.cluster;
    }
    // A record written before records named their cluster: the default cluster is this process's
    // KUBECONFIG; any other needs the ref that the next sync writes.
    if (isDefaultCluster({ cluster: id })) return { cluster: id };
    throw new Error(`application ${record.application}: the stack's record of it predates cluster references; run 'syncwave sync' once, then try again`);
}

/** Each Project's trustedManagers, as the Project component recorded them (absent in older state: none). */
export function projectTrustedManagers(resources: readonly StateResource[]): Record<string, string[]> {
    return Object.fromEntries(
        resources
            .filter((r) => r.type === "syncwave:index:Project")
            .map((r) => [r.urn.split("::").pop() ?? "", ((r.outputs ?? {}) as { trustedManagers?: string[] }).trustedManagers ?? []]),
    );
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
        .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers") && applicationOfUrn(r.parent) !== undefined)
        .map((r) => {
            const o = (r.outputs ?? {}) as { apiVersion: string; kind: string; metadata?: { name: string; namespace?: string } };
            return { application: applicationOfUrn(r.parent)!, apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name ?? "" };
        });
}
