// An Argo CD AppProject's spec, with Argo CD's field names, as SyncWave reads it.

export interface ResourceFilter {
    group: string;
    kind: string;
    /** Optional glob on the resource's name. */
    name?: string;
}

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

export interface ProjectSpec {
    description?: string;
    sourceRepos?: string[];
    destinations?: ProjectDestination[];
    clusterResourceWhitelist?: ResourceFilter[];
    clusterResourceBlacklist?: ResourceFilter[];
    namespaceResourceWhitelist?: ResourceFilter[];
    namespaceResourceBlacklist?: ResourceFilter[];
    syncWindows?: SyncWindow[];
    destinationServiceAccounts?: DestinationServiceAccount[];
    /** SyncWave: may Applications of this project enable automated prune / selfHeal. */
    allowAutomatedPrune?: boolean;
    allowSelfHeal?: boolean;
}
