// An Argo CD AppProject's spec, with Argo CD's field names, as SyncWave reads it.

/** Group, kind and name are Go filepath.Match patterns, as Argo CD matches them. */
export interface ResourceFilter {
    group: string;
    kind: string;
    /** Optional pattern on the object's name; absent or "" matches every name. */
    name?: string;
}

/**
 * An allowed (or, with a leading `!` in a field, denied) destination. Server and name are both
 * compared; a field left out matches nothing, so an entry with only `server` matches by server, and
 * one without `namespace` matches only cluster-scoped objects.
 */
export interface ProjectDestination {
    server?: string;
    name?: string;
    namespace?: string;
}

export interface SyncWindow {
    kind: "allow" | "deny";
    /** Cron schedule of the window's start, e.g. "0 22 * * *". */
    schedule: string;
    /** How long the window stays open, e.g. "1h" or "30m". */
    duration: string;
    timeZone?: string;
    applications?: string[];
    namespaces?: string[];
    clusters?: string[];
    /** Lets a person sync by hand during a deny window. */
    manualSync?: boolean;
}

export interface DestinationServiceAccount {
    server: string;
    namespace: string;
    defaultServiceAccount: string;
}

/** A PGP key whose signature on a commit lets it sync: 16 hex digits (long key ID) or 40 (fingerprint). */
export interface SignatureKey {
    keyID: string;
}

export interface ProjectSpec {
    description?: string;
    /** Repository URL globs, `/` separated (`*` stays in one segment, `**` crosses); `!` denies. */
    sourceRepos?: string[];
    destinations?: ProjectDestination[];
    /** Absent or empty: no cluster-scoped kind is allowed. */
    clusterResourceWhitelist?: ResourceFilter[];
    clusterResourceBlacklist?: ResourceFilter[];
    /** Absent: every namespaced kind is allowed; present but empty: none is. */
    namespaceResourceWhitelist?: ResourceFilter[];
    namespaceResourceBlacklist?: ResourceFilter[];
    syncWindows?: SyncWindow[];
    destinationServiceAccounts?: DestinationServiceAccount[];
    /** Commits must be signed by one of these keys (public keys come from the platform's gpgKeys). */
    signatureKeys?: SignatureKey[];
    /** SyncWave: may Applications of this project enable automated prune / selfHeal. */
    allowAutomatedPrune?: boolean;
    allowSelfHeal?: boolean;
    /** SyncWave: objects that already exist without a tracking id may be adopted by this Project's Applications. */
    adoptExisting?: boolean;
    /** SyncWave: refuse every shared resource (as FailOnSharedResource=true on every Application). */
    failOnSharedResource?: boolean;
    /**
     * SyncWave: field managers (controllers such as a sidecar injector) whose changes to this Project's
     * objects are owned, not drift to repair; the name Argo CD uses inside managedfields.Normalize. Any
     * other manager's change is unauthorised drift.
     */
    trustedManagers?: string[];
    /** The AppProject's metadata.annotations: its notifications.argoproj.io/ subscriptions cover every Application of it. */
    annotations?: Record<string, string>;
}
