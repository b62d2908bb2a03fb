// How SyncWave reaches a destination cluster: a kubeconfig (file or content) and a context, chosen by
// the destination's server URL or name. The default cluster (https://kubernetes.default.svc or
// "in-cluster") is the ambient kubeconfig's current context. When the Project names a ServiceAccount
// for the destination, the kubeconfig impersonates it, so the API server enforces the boundary too.
// This is the parsing; components/cluster/connection-ref.ts names a cluster without its credentials.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { ApplicationDestination } from "./application-spec";
import { SyncWaveInputError } from "./sync/errors";

export interface ClusterConnection {
    /** A kubeconfig file path or its YAML content. */
    kubeconfig?: string;
    context?: string;
    /**
     * The cluster's API server URL, as Applications may name it in destination.server and as the
     * ApplicationSet clusters generator gives it (`server`); the kubeconfig's own server when absent.
     */
    server?: string;
    /** Labels the ApplicationSet clusters generator selects on (Argo CD's cluster secret labels). */
    labels?: Record<string, string>;
    /** Annotations the clusters generator gives as metadata.annotations parameters. */
    annotations?: Record<string, string>;
}

export const DEFAULT_CLUSTER_SERVER = "https://kubernetes.default.svc";
export const DEFAULT_CLUSTER_NAME = "in-cluster";

interface Kubeconfig {
    "current-context"?: string;
    contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
    clusters?: { name: string; cluster: { server: string } }[];
    users?: { name: string; user: Record<string, unknown> }[];
    [key: string]: unknown;
}

/** Whether a configured kubeconfig is YAML content rather than a file path: content spans lines. */
export function isKubeconfigContent(source: string | undefined): source is string {
    return source !== undefined && /\n/.test(source);
}

/** The configured kubeconfig, else the first file of this process's KUBECONFIG, else ~/.kube/config. */
function loadKubeconfig(source: string | undefined, where: string): Kubeconfig {
    if (isKubeconfigContent(source)) return parse(source) as Kubeconfig;
    const fallback = process.env.KUBECONFIG?.split(":")[0] || join(homedir(), ".kube", "config");
    const path = (source ?? fallback).replace(/^~(?=\/)/, homedir());
    if (!existsSync(path)) {
        throw new SyncWaveInputError(`kubeconfig ${path} does not exist (start the local cluster with 'npm run cluster -- up' or set KUBECONFIG)`, {
            field: where,
        });
    }
    return parse(readFileSync(path, "utf8")) as Kubeconfig;
}

/** The destination's id (server URL or name) and its entry in syncwave:clusters; the default cluster needs none. */
export function destinationConnection(
    application: string,
    destination: ApplicationDestination,
    clusters: Record<string, ClusterConnection>,
): { id: string; connection: ClusterConnection } {
    const named = destination.server ?? destination.name ?? DEFAULT_CLUSTER_SERVER;
    const isDefault = named === DEFAULT_CLUSTER_SERVER || named === DEFAULT_CLUSTER_NAME;
    // By its entry's name, else by the server URL the entry declares (a generated Application names
    // the server the clusters generator gave it).
    const byServer = destination.server !== undefined && !clusters[named] ? Object.entries(clusters).find(([entry, c]) => connectionServer(entry, c) === destination.server) : undefined;
    const id = byServer ? byServer[0] : named;
    const connection = clusters[id] ?? (isDefault ? {} : undefined);
    if (!connection) {
        throw new SyncWaveInputError(
            `no connection for destination cluster ${id}: add it to stack configuration syncwave:clusters (known: ${
                Object.keys(clusters).join(", ") || "none"
            })`,
            { application, field: destination.server ? "destination.server" : "destination.name" },
        );
    }
    return { id, connection };
}

export interface KubeconfigChoice {
    /** The destination's id, for messages. */
    id: string;
    context?: string;
    impersonate?: string;
    application?: string;
}

/**
 * A self-contained kubeconfig of one context of `source` (a path or YAML content; this process's
 * KUBECONFIG when absent), the context's current one unless named, impersonating `impersonate`.
 */
export function minimalKubeconfig(source: string | undefined, choice: KubeconfigChoice): string {
    const { id, application, impersonate } = choice;
    const config = loadKubeconfig(source, `syncwave:clusters.${id}.kubeconfig`);
    const contextName = choice.context ?? config["current-context"];
    const context = config.contexts?.find((c) => c.name === contextName);
    if (!context) {
        throw new SyncWaveInputError(`kubeconfig has no context "${contextName}"`, { application, field: `syncwave:clusters.${id}.context` });
    }
    const cluster = config.clusters?.find((c) => c.name === context.context.cluster);
    const user = config.users?.find((u) => u.name === context.context.user);
    if (!cluster || !user) {
        throw new SyncWaveInputError(`kubeconfig context "${contextName}" names a missing cluster or user`, { application });
    }
    const { namespace } = context.context;
    const minimal: Kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": contextName,
        // The context's namespace is where kubectl puts a namespaced object that names none.
        contexts: [{ name: contextName!, context: { cluster: cluster.name, user: user.name, ...(namespace ? { namespace } : {}) } }],
        clusters: [cluster],
        users: [{ name: user.name, user: impersonate ? { ...user.user, as: impersonate } : user.user }],
    };
    return stringify(minimal);
}

/** A self-contained kubeconfig for one destination, impersonating `impersonate` when given. For the program's own use: never store it. */
export function destinationKubeconfig(
    application: string,
    destination: ApplicationDestination,
    clusters: Record<string, ClusterConnection>,
    impersonate?: string,
): string {
    const { id, connection } = destinationConnection(application, destination, clusters);
    return minimalKubeconfig(connection.kubeconfig, { id, context: connection.context, impersonate, application });
}

/** The API server URL of a configured cluster: its `server`, else its kubeconfig's (context's cluster), else undefined. */
export function connectionServer(id: string, connection: ClusterConnection): string | undefined {
    if (connection.server) return connection.server;
    if (id === DEFAULT_CLUSTER_NAME || id === DEFAULT_CLUSTER_SERVER) return DEFAULT_CLUSTER_SERVER;
    try {
        const config = loadKubeconfig(connection.kubeconfig, `syncwave:clusters.${id}.kubeconfig`);
        const contextName = connection.context ?? config["current-context"];
        const context = config.contexts?.find((c) => c.name === contextName);
        return config.clusters?.find((c) => c.name === context?.context.cluster)?.cluster.server;
    } catch {
        return undefined;
    }
}
