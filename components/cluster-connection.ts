// How SyncWave reaches a destination cluster: a kubeconfig (file or content) and a context, chosen by
// the destination's server URL or name. The default cluster (https://kubernetes.default.svc or
// "in-cluster") is the ambient kubeconfig's current context. When the Project names a ServiceAccount
// for the destination, the kubeconfig impersonates it, so the API server enforces the boundary too.
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

function loadKubeconfig(source: string | undefined, where: string): Kubeconfig {
    const fallback = process.env.KUBECONFIG?.split(":")[0] || join(homedir(), ".kube", "config");
    const text = source && /\n/.test(source) ? source : (() => {
        const path = (source ?? fallback).replace(/^~(?=\/)/, homedir());
        if (!existsSync(path)) {
            throw new SyncWaveInputError(`kubeconfig ${path} does not exist (start the local cluster with 'npm run cluster -- up' or set KUBECONFIG)`, {
                field: where,
            });
        }
        return readFileSync(path, "utf8");
    })();
    return parse(text) as Kubeconfig;
}

/** A self-contained kubeconfig for one destination, impersonating `impersonate` when given. */
export function destinationKubeconfig(
    application: string,
    destination: ApplicationDestination,
    clusters: Record<string, ClusterConnection>,
    impersonate?: string,
): string {
    const id = destination.server ?? destination.name ?? DEFAULT_CLUSTER_SERVER;
    const isDefault = id === DEFAULT_CLUSTER_SERVER || id === DEFAULT_CLUSTER_NAME;
    const connection = clusters[id] ?? (isDefault ? {} : undefined);
    if (!connection) {
        throw new SyncWaveInputError(
            `no connection for destination cluster ${id}: add it to stack configuration syncwave:clusters (known: ${
                Object.keys(clusters).join(", ") || "none"
            })`,
            { application, field: destination.server ? "destination.server" : "destination.name" },
        );
    }
    const config = loadKubeconfig(connection.kubeconfig, `syncwave:clusters.${id}.kubeconfig`);
    const contextName = connection.context ?? config["current-context"];
    const context = config.contexts?.find((c) => c.name === contextName);
    if (!context) {
        throw new SyncWaveInputError(`kubeconfig has no context "${contextName}"`, { application, field: `syncwave:clusters.${id}.context` });
    }
    const cluster = config.clusters?.find((c) => c.name === context.context.cluster);
    const user = config.users?.find((u) => u.name === context.context.user);
    if (!cluster || !user) {
        throw new SyncWaveInputError(`kubeconfig context "${contextName}" names a missing cluster or user`, { application });
    }
    const minimal: Kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": contextName,
        contexts: [{ name: contextName!, context: { cluster: cluster.name, user: user.name } }],
        clusters: [cluster],
        users: [{ name: user.name, user: impersonate ? { ...user.user, as: impersonate } : user.user }],
    };
    return stringify(minimal);
}
