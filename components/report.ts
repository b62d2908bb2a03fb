// The program's report to the syncwave CLI: for each Application, whether it could be synced (and if
// not, why), the commit it resolved and whether this sync prunes. A typed hand-off through a JSON file
// the CLI names in SYNCWAVE_REPORT, so nothing is ever read back out of log text.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { NotificationFacts } from "./notification-facts";

export interface ApplicationReport {
    application: string;
    status: "ok" | "failed";
    /** Why the Application cannot be synced now (source, render, project, window, takeover). */
    reason?: string;
    repoURL?: string;
    targetRevision?: string;
    /** What the first source resolved to (a commit, or a chart version). */
    commit?: string;
    /** What every source resolved to, in order (Applications with `sources`). */
    revisions?: string[];
    pruneEnabled?: boolean;
    /** `autoRollback`: a failed gate is followed by a sync of the last Healthy revision. */
    autoRollback?: boolean;
    /** The sync's stages, in order: which objects and hooks each phase and wave holds. */
    stages?: { phase: string; wave: number; resources: string[]; hooks: string[] }[];
    /** Milliseconds of the program's own steps for this Application (fetch, render, plan, ...), for --timings. */
    timings?: Record<string, number>;
    /** A parent's children that left its render but stay, since this sync does not prune. */
    keptChildren?: string[];
    /** What Argo CD Notifications read of the Application: subscriptions, labels, spec (cli/notifications). */
    notification?: NotificationFacts;
}

/** What an ApplicationSet generated and how it rolls out: the CLI halts and rolls back a failed step from it. */
export interface ApplicationSetReport {
    applicationSet: string;
    /** Its Applications by RollingSync step (one step without a strategy). */
    steps: string[][];
    /** In no step: reported, not synced. */
    unmatched: string[];
    /** `syncwave.dev/rollback-on-failure: "true"`: a failed step goes back to its last Healthy revisions. */
    rollbackOnFailure: boolean;
}

export interface ProgramReport {
    applications: Record<string, ApplicationReport>;
    applicationSets?: Record<string, ApplicationSetReport>;
}

export function reportPath(): string | undefined {
    return process.env.SYNCWAVE_REPORT || undefined;
}

export function readReport(path: string): ProgramReport {
    if (!existsSync(path)) return { applications: {} };
    return JSON.parse(readFileSync(path, "utf8")) as ProgramReport;
}

/** Adds (or updates) one Application's entry; the program runs in one process, so no lock is needed. */
export function reportApplication(entry: ApplicationReport, path = reportPath()): void {
    if (!path) return;
    const report = readReport(path);
    report.applications[entry.application] = { ...report.applications[entry.application], ...entry };
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(report, null, 2));
    renameSync(partial, path);
}

/** Adds (or replaces) one ApplicationSet's entry. */
export function reportApplicationSet(entry: ApplicationSetReport, path = reportPath()): void {
    if (!path) return;
    const report = readReport(path);
    report.applicationSets = { ...(report.applicationSets ?? {}), [entry.applicationSet]: entry };
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(report, null, 2));
    renameSync(partial, path);
}
