// An Argo CD Application's spec, with Argo CD's field names, as SyncWave reads it.
import type { DirectorySource, HelmSource } from "./source/render";

export interface ApplicationSource {
    repoURL: string;
    /** Branch, tag, commit SHA or HEAD (the default). */
    targetRevision?: string;
    path?: string;
    directory?: DirectorySource;
    helm?: HelmSource;
    kustomize?: Record<string, unknown>;
}

export interface ApplicationDestination {
    /** The cluster's API server URL; https://kubernetes.default.svc means the default cluster. */
    server?: string;
    /** Or the cluster's name, as registered in stack configuration (syncwave:clusters). */
    name?: string;
    namespace?: string;
}

export interface RetryPolicy {
    limit?: number;
    backoff?: { duration?: string; factor?: number; maxDuration?: string };
}

export interface SyncPolicy {
    automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean };
    syncOptions?: string[];
    retry?: RetryPolicy;
    /**
     * Labels and annotations of the destination namespace, with CreateNamespace=true: applied when it
     * is created and on every sync after, as Argo CD does (controller/sync_namespace.go).
     */
    managedNamespaceMetadata?: ManagedNamespaceMetadata;
}

export interface ManagedNamespaceMetadata {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface IgnoreDifference {
    group?: string;
    kind: string;
    name?: string;
    namespace?: string;
    jsonPointers?: string[];
    jqPathExpressions?: string[];
    managedFieldsManagers?: string[];
    /** SyncWave: who owns the ignored fields (a team, a controller); required by the policy pack. */
    owner?: string;
}

export interface ApplicationSpec {
    project: string;
    source: ApplicationSource;
    destination: ApplicationDestination;
    syncPolicy?: SyncPolicy;
    ignoreDifferences?: IgnoreDifference[];
    /**
     * The Application's finalizers, as on an Argo CD Application: `resources-finalizer.argocd.argoproj.io`
     * (or `/foreground`, `/background`) makes deleting the Application delete its objects; without
     * it they stay in the cluster (orphaned).
     */
    finalizers?: string[];
    /** Stack-config shorthand for the cascade finalizer. */
    cascade?: boolean;
}
