// An Argo CD Application's spec, with Argo CD's field names, as SyncWave reads it.
import type { DirectorySource, HelmSource, KustomizeSource } from "./source/source-types";

export interface ApplicationSource {
    /** A git repository, or with `chart` an http(s) Helm repository (one that serves index.yaml). */
    repoURL: string;
    /**
     * Git: a branch, tag, commit SHA or HEAD (the default). Chart: a version (1.2.3) or a semver
     * constraint (^1.2, >=1.0 <2.0, 1.2.x, *), the highest published version that satisfies it.
     */
    targetRevision?: string;
    path?: string;
    /** A chart name in the Helm repository `repoURL`; excludes `path`. */
    chart?: string;
    /**
     * In `sources` only: this source's checkout is `$<ref>` for the other sources' Helm value files
     * (`$values/env/prod.yaml`). Without `path` it renders nothing itself.
     */
    ref?: string;
    /** A display name, as in Argo CD's multi-source Applications. */
    name?: string;
    /** At most one of directory, helm and kustomize, as in Argo CD; see components/source/source-types.ts. */
    directory?: DirectorySource;
    helm?: HelmSource;
    kustomize?: KustomizeSource;
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
    /** The Application's one source; or `sources`, never both. */
    source?: ApplicationSource;
    /** Several sources, rendered in order and concatenated (Argo CD's multi-source Applications). */
    sources?: ApplicationSource[];
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
    /**
     * Applications this one syncs after, once each is Healthy (`syncwave.dev/depends-on` on an Argo CD
     * manifest): names of Applications declared beside it (top level, the same parent, the same ApplicationSet).
     */
    dependsOn?: string[];
    /**
     * Beyond Argo CD (opt-in, needs syncPolicy.automated): a sync whose gates find this Application
     * Degraded or timed out is followed at once by a sync of the last revision it ended Healthy at,
     * pinned there until `syncwave unpin` (`syncwave.dev/auto-rollback: "true"` on an Argo CD manifest).
     */
    autoRollback?: boolean;
    /**
     * The Application's annotations (Argo CD's metadata.annotations): SyncWave reads Argo CD
     * Notifications' `notifications.argoproj.io/subscribe.<trigger>.<service>` from them.
     */
    annotations?: Record<string, string>;
    /** The Application's labels (metadata.labels): global notification subscriptions select on them. */
    labels?: Record<string, string>;
}
