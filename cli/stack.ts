// The CLI's access to a SyncWave stack, through the Automation API and the project's own Pulumi CLI:
// previews and updates with their engine events collected, the Applications' resolved revisions, the
// stack's history.
import { resolve } from "node:path";
import type { EngineEvent, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { ProgramReport } from "../components/report";
import { applicationOfUrn } from "./application-urn";

export interface StackOptions {
    stack: string;
    /** The Pulumi project folder (Pulumi.yaml). */
    cwd?: string;
    /** Extra environment for the program, e.g. SYNCWAVE_REVISIONS. */
    env?: Record<string, string>;
}

let pulumiCommand: Promise<PulumiCommand> | undefined;
const opened = new Map<string, Promise<Stack>>();

/**
 * The stack, selected once per process (each selection starts the Pulumi CLI), with `options.env` as
 * the environment of every command run through it from now on: callers run one command at a time.
 */
export async function openStack(options: StackOptions): Promise<Stack> {
    const root = process.env.SYNCWAVE_PULUMI_ROOT;
    if (!root) throw new Error('the toolchain environment is missing: run through `syncwave` or after eval "$(npm run --silent env)"');
    // Loaded only when a command runs Pulumi: a sync with nothing to do never does.
    const { LocalWorkspace, PulumiCommand } = await import("@pulumi/pulumi/automation");
    // One `pulumi version` check per process.
    pulumiCommand ??= PulumiCommand.get({ root });
    pulumiCommand.catch(() => (pulumiCommand = undefined));
    const command = await pulumiCommand;
    const workDir = resolve(options.cwd ?? process.cwd());
    const key = `${workDir}\0${options.stack}\0${options.env?.PULUMI_BACKEND_URL ?? ""}`;
    let stack = opened.get(key);
    if (!stack) {
        stack = LocalWorkspace.selectStack({ stackName: options.stack, workDir }, { pulumiCommand: command, envVars: options.env ?? {} });
        opened.set(key, stack);
        stack.catch(() => opened.delete(key));
    }
    const selected = await stack;
    selected.workspace.envVars = { ...(options.env ?? {}) };
    return selected;
}

export interface ResolvedRevision {
    application: string;
    repoURL: string;
    targetRevision: string;
    commit: string;
    /** Every source's commit or chart version, for an Application with several sources. */
    sources?: string[];
}

/** The commits the program resolved, from its report (Applications that could be synced). */
export function revisionsFromReport(report: ProgramReport): ResolvedRevision[] {
    return Object.values(report.applications)
        .filter((a) => a.status === "ok" && a.commit)
        .map((a) => ({
            application: a.application,
            repoURL: a.repoURL ?? "",
            targetRevision: a.targetRevision ?? "HEAD",
            commit: a.commit!,
            ...(a.revisions && a.revisions.length > 1 ? { sources: a.revisions } : {}),
        }));
}

/** The Application a step's resource belongs to: its parent is the Application component. */
export function applicationOfStep(e: EngineEvent): string | undefined {
    const m = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
    const parent = m?.new?.parent ?? m?.old?.parent;
    return applicationOfUrn(parent);
}

/** "apps/Deployment/shop/api" (a managed object's Pulumi name) as "Deployment shop/api". */
export function describeId(id: string): string {
    const [, kind, namespace, ...name] = id.split("/");
    return `${kind} ${namespace ? `${namespace}/` : ""}${name.join("/")}`;
}

/** "shop|Service shop/api" → "Sync wave 1": each object's and hook's stage, from the program's report. */
export function stagesFromReport(report: ProgramReport): Map<string, string> {
    const stageOf = new Map<string, string>();
    for (const app of Object.values(report.applications)) {
        for (const stage of app.stages ?? []) {
            for (const item of [...stage.resources, ...stage.hooks]) stageOf.set(`${app.application}|${item}`, `${stage.phase} wave ${stage.wave}`);
        }
    }
    return stageOf;
}

/** The message a SyncWave sync records in the stack history: the commit of every Application. */
export function syncMessage(kind: string, revisions: readonly ResolvedRevision[]): string {
    return `syncwave ${kind}: ${revisions.map((r) => `${r.application}=${r.commit}`).join(" ")}`;
}

export interface SyncRecord {
    /** sync, reconcile or rollback. */
    kind: string;
    by?: string;
    revisions: Record<string, string>;
    /** Why the sync ran, from the lines under the first (an automatic rollback's failed commit and cause). */
    reason?: string;
}

export function parseSyncMessage(message: string | undefined): SyncRecord | undefined {
    const [first, ...rest] = (message ?? "").split("\n");
    const m = /^syncwave (\S+): (.*)$/.exec(first);
    if (!m) return undefined;
    const reason = rest.join("\n").trim();
    const pairs = Object.fromEntries(
        m[2]
            .split(" ")
            .filter(Boolean)
            .map((pair) => pair.split("=") as [string, string]),
    );
    const { by, ...revisions } = pairs;
    return { kind: m[1], by, revisions, ...(reason ? { reason } : {}) };
}
