// What an Application component is given and what it reports: the typed hand-off between its steps
// and to the CLI (through components/report.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { ApplicationDestination, ApplicationSpec } from "../application-spec";
import type { ClusterConnection } from "../cluster-connection";
import type { CustomHealthRules } from "../health/assess";
import type { Health } from "../health/status";
import type { OwnershipRegistry } from "../ownership";
import type { Project } from "../project";
import type { GitCredentials } from "../source/git";
import type { SyncKind } from "../sync/prune";
import type { Manifest } from "../sync/manifest";
import type { FleetDeclarer, Readiness } from "../fleet/declarer";
import type { ApplicationOrigin } from "../platform/assignments";

export interface ApplicationArgs extends Omit<ApplicationSpec, "project"> {
    project: Project;
    /** Destination clusters by server URL or name; the default cluster needs no entry. A secret when it holds inline kubeconfigs. */
    clusters?: pulumi.Input<Record<string, ClusterConnection>>;
    /** Repository credentials of `source` (or of the first of `sources`); keep them in Pulumi secret config. */
    repoCredentials?: pulumi.Input<GitCredentials>;
    /**
     * Repository credentials by repoURL prefix (syncwave:repoCredentials), looked up for every source
     * (credentials.ts); when given, it is used instead of repoCredentials.
     */
    repoCredentialTable?: pulumi.Input<Record<string, GitCredentials>>;
    /** The other Applications of the stack: a resource that moves from one of them is aliased, not recreated. */
    siblings?: string[];
    /** Default time a gate or hook waits for health, e.g. "5m". */
    healthTimeout?: string;
    /**
     * How long a pod may stay Degraded without backing off before its wave fails (default 30s); per
     * resource with the annotation syncwave.dev/degraded-grace.
     */
    degradedGrace?: string;
    /** Where git mirrors and checkouts are cached. */
    cacheDir?: string;
    /** Folder that relative repoURLs resolve against (the Pulumi project). */
    baseDir?: string;
    /**
     * Argo CD's two kinds of sync: "automated" (reconcile, CI after merge; the default, so a deny window
     * is never passed by accident) or "manual" (a person's `syncwave sync --manual`).
     */
    syncKind?: SyncKind;
    /** An explicit prune for this sync (`syncwave sync --prune`), as Argo CD's sync --prune. */
    prune?: boolean;
    /** Identifies the stack in every object's installation-id annotation; defaults to organization/project/stack. */
    installation?: string;
    /**
     * In a preview, report a failing Application (source, render, project, window, takeover) and declare
     * nothing for it instead of failing the program; the CLI then leaves it out of the update. Never used
     * by an update: there a failure always fails the program, so the engine deletes nothing.
     */
    isolateFailures?: boolean;
    /** Custom health rules by "group/Kind" (TypeScript functions), over the Project's. */
    healthChecks?: CustomHealthRules;
    /** Sync exactly this commit instead of resolving targetRevision (a rollback's pin, a reviewed preview); the first source's. */
    revision?: string;
    /** As `revision`, one per source of `sources` (a commit, or a chart version); `revision` wins for the first. */
    revisions?: (string | undefined)[];
    /**
     * Runs the hooks again although the desired state did not change: a new key per retry of a failed
     * sync or per `syncwave sync --force-hooks` (the CLI sets it; see components/sync-run.ts).
     */
    hookRunKey?: string;
    /** What decided this sync (cli/fast/fingerprint.ts), recorded when it completes; "" from a plain `pulumi up`. */
    fingerprint?: string;
    /** Objects the state holds for it that its Pruner's inventory lacks (a failed sync applied them): prune candidates. */
    strays?: Manifest[];
    /** Shared by the stack's Applications so that no object is owned twice. */
    ownership?: OwnershipRegistry;
    /** The parent Application (app of apps) or ApplicationSet that declares this one; none at the top of the stack. */
    origin?: ApplicationOrigin;
    /**
     * What this Application syncs after: its dependsOn, the child waves before its own, the rollout
     * steps before its own. Its first resource waits for each one's last gate; one that cannot sync
     * now makes this one fail too.
     */
    after?: Promise<Readiness>[];
    /** Set by whoever resolved `dependsOn` into `after` (the stack program, a parent, an ApplicationSet). */
    dependsOnResolved?: boolean;
    /** Others wait for this one: its health is measured live at the end of every sync, not taken from the last. */
    measuredLive?: boolean;
    /** Declares the child Applications a parent renders (app of apps) as the stack declares its own. */
    fleet?: FleetDeclarer;
}

export interface ApplicationSummary {
    /** "failed" only in an isolating preview: nothing was declared for the Application. */
    status: "ok" | "failed";
    reason?: string;
    project: string;
    repoURL: string;
    targetRevision: string;
    /** What the first source's targetRevision resolved to: a commit, or a chart version. */
    revision: string;
    /** What every source resolved to, in the order of `sources` (one entry for a single `source`). */
    revisions: string[];
    /** The first source's path ("." by default), or its chart name. */
    path: string;
    destination: ApplicationDestination;
    digest: string;
    health: Health;
    stages: StageSummary[];
    skipped: string[];
    /** Whether this sync deletes what left git (automated.prune on an automated sync, or --prune). */
    pruneEnabled: boolean;
    /** The child Applications it renders (app of apps), in wave order. */
    children?: string[];
    /** Children that left its render but stay, since this sync does not prune (they require pruning). */
    keptChildren?: string[];
}

export interface StageSummary {
    phase: string;
    wave: number;
    resources: string[];
    hooks: string[];
}
