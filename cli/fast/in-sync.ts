// Whether a sync has anything to do, answered without running Pulumi: everything that decides the
// sync's result (cli/fast/fingerprint.ts: code, configuration, Projects, policy, kind of sync, the
// commit of every source) digests to what the last completed sync recorded, that sync completed, no
// update is under way or was left unfinished, and every managed object is live exactly as it was
// applied. Then the answer is "in sync"; if only live objects drifted, the desired state is the one
// last synced and a repair needs no new preview. Anything this cannot tell (a chart source, a sync
// window, signed commits, an unreachable repository, a program of the user's own) sends the sync down
// the full path. Nothing here writes: every change goes through a Pulumi update.
import { resolve } from "node:path";
import { readDeclarations, type Declarations } from "../../components/stack-config";
import { lsRemote } from "../../components/source/git";
import { lastSyncIncomplete } from "../../components/sync/hook-runs";
import { syncWindowVerdict } from "../../components/project/sync-windows";
import { commitFromLsRemote } from "../commands/reconcile-plan";
import { locatedDrift, type LocatedDrift } from "../commands/drift";
import { readCheckpoint } from "../commands/state";
import { lastSyncs } from "../hook-runs";
import { fileBackendLocks } from "../stale-lock";
import { timings } from "../timings";
import { applicationDigest, kubeconfigText, stackDigest } from "./fingerprint";
import { configObject, readProjectFile, stackConfigFile, stackConfigValues } from "./stack-files";
import type { ResolvedRevision, StackOptions } from "../stack";

const PACKAGE_ROOT = resolve(__dirname, "../..");

export interface FastCheckOptions extends StackOptions {
    /** Only this Application (--app). */
    app?: string;
    syncKind: string;
    policyPacks?: string[];
    policyPackConfigs?: string[];
}

export interface FastVerdict {
    /** Nothing to do: no update needed. */
    inSync: boolean;
    /** The desired state is the one last synced (only live objects may differ). */
    desiredUnchanged: boolean;
    /** Why not in sync, for the progress line. */
    why: string;
    /** Per Application, the digest a sync of the current inputs records (absent where unknown). */
    fingerprints: Record<string, string>;
    /** Per Application, the commit of every source, as resolved now. */
    commits: Record<string, string[]>;
    /** Drifted fields of the Applications checked (when the desired state is unchanged). */
    drift: LocatedDrift[];
    /** The Applications checked, at the commits resolved now. */
    revisions: ResolvedRevision[];
}

/** The stack's inputs, read as the program reads them; undefined when this is not SyncWave's own program. */
export function stackInputs(options: FastCheckOptions): { digest: string; declarations: Declarations; pins: Record<string, { revision: string }> } | undefined {
    const cwd = resolve(options.cwd ?? process.cwd());
    // Only SyncWave's own stack program reads its configuration as below; a program of the user's
    // own may read anything, so it always gets the full update.
    if (cwd !== PACKAGE_ROOT) return undefined;
    const project = readProjectFile(cwd);
    const config = stackConfigFile(cwd, project, options.stack);
    const values = stackConfigValues(config.text);
    const declarations = readDeclarations(
        {
            platform: configObject(values, "syncwave:platform"),
            projects: configObject(values, "syncwave:projects"),
            applications: configObject(values, "syncwave:applications"),
            manifests: configObject<string[]>(values, "syncwave:manifests") ?? [],
        },
        cwd,
    );
    const env = { ...process.env, ...(options.env ?? {}) };
    const digest = stackDigest({
        projectText: project.text,
        stackConfigText: config.text,
        declarations,
        kubeconfigText: kubeconfigText(env),
        policyPacks: (options.policyPacks ?? []).map((p) => resolve(p)),
        policyPackConfigs: (options.policyPackConfigs ?? []).map((p) => resolve(p)),
        syncKind: options.syncKind,
    });
    return { digest, declarations, pins: configObject(values, "syncwave:pins") ?? {} };
}

/** The per-Application digests for commits already resolved (by a preview). */
export function fingerprintsFor(options: FastCheckOptions, commits: Record<string, string[]>): Record<string, string> {
    let inputs;
    try {
        inputs = stackInputs(options);
    } catch {
        return {};
    }
    if (!inputs) return {};
    return Object.fromEntries(Object.entries(commits).map(([app, c]) => [app, applicationDigest(inputs.digest, app, c)]));
}

const notNow = (why: string, extra: Partial<FastVerdict> = {}): FastVerdict => ({ inSync: false, desiredUnchanged: false, why, fingerprints: {}, commits: {}, drift: [], revisions: [], ...extra });

export async function checkInSync(options: FastCheckOptions): Promise<FastVerdict> {
    const cwd = resolve(options.cwd ?? process.cwd());
    let inputs;
    try {
        inputs = timings.span("fast path: inputs", () => stackInputs(options));
    } catch (err) {
        // The full path reports bad input with the file, resource and field.
        return notNow(`the configuration needs the full check (${(err as Error).message.split("\n")[0]})`);
    }
    if (!inputs) return notNow("a program of its own: always the full update");
    const apps = options.app ? [options.app] : Object.keys(inputs.declarations.applications);
    if (options.app && !inputs.declarations.applications[options.app]) return notNow(`no application named ${options.app}`);

    const backend = options.env?.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL;
    if (fileBackendLocks(backend, readProjectFile(cwd).name, options.stack).length > 0) return notNow("the stack is locked by another update");
    const checkpoint = readCheckpoint(options.stack, cwd, options.env);
    if (checkpoint.pendingOperations > 0) return notNow("the last update left operations unfinished");
    const last = lastSyncs(checkpoint.resources);
    if (!options.app) {
        const removed = [...last.keys()].filter((a) => !inputs.declarations.applications[a]);
        if (removed.length > 0) return notNow(`${removed.join(", ")} left the configuration`);
    }

    // What every source resolves to now: one cheap remote query per repository and revision.
    const commits: Record<string, string[]> = {};
    for (const app of apps) {
        const spec = inputs.declarations.applications[app];
        const project = inputs.declarations.projects[spec.project];
        // Sync windows as the program checks them (components/application/enforce.ts): one that blocks
        // this sync now sends it down the full path, which refuses it naming the window.
        const window = syncWindowVerdict(
            project?.syncWindows ?? [],
            { application: app, namespace: spec.destination?.namespace, cluster: spec.destination?.server ?? spec.destination?.name },
            new Date(),
            { manual: options.syncKind === "manual" },
        );
        if (!window.allowed) return notNow(`${app}: ${window.reason}`);
        if (project?.signatureKeys?.length) return notNow(`${app}: its Project verifies commit signatures in the full sync`);
        const sources = spec.source ? [spec.source] : (spec.sources ?? []);
        if (sources.length === 0 || sources.some((s) => s.chart)) return notNow(`${app}: a chart source is resolved by the full sync`);
        const pin = inputs.pins[app]?.revision;
        if (pin && sources.length > 1) return notNow(`${app}: pinned with several sources`);
        const resolved = await timings.span("fast path: git resolve", () =>
            Promise.all(sources.map((s, i) => (i === 0 && pin ? Promise.resolve(pin) : resolveCommit(s.repoURL, s.targetRevision, cwd)))),
        );
        if (resolved.some((c) => !c)) return notNow(`${app}: a source's revision could not be resolved cheaply`);
        commits[app] = resolved as string[];
    }
    const fingerprints = Object.fromEntries(Object.entries(commits).map(([app, c]) => [app, applicationDigest(inputs.digest, app, c)]));
    for (const app of apps) {
        const l = last.get(app);
        if (!l?.record || !l.result) return notNow(`${app}: never synced completely`, { fingerprints, commits });
        if (lastSyncIncomplete(l)) return notNow(`${app}: its last sync did not complete`, { fingerprints, commits });
        if (l.result.fingerprint !== fingerprints[app]) return notNow(`${app}: its commit, configuration, Project, policy or SyncWave changed since its last sync`, { fingerprints, commits });
        if (l.record.revision !== commits[app][0]) return notNow(`${app}: a new commit`, { fingerprints, commits });
    }

    const revisions: ResolvedRevision[] = apps.map((app) => {
        const spec = inputs.declarations.applications[app];
        const first = spec.source ?? spec.sources![0];
        const c = commits[app];
        return { application: app, repoURL: first.repoURL, targetRevision: first.targetRevision ?? "HEAD", commit: c[0], ...(c.length > 1 ? { sources: c } : {}) };
    });
    const drift = (await timings.span("fast path: live comparison", () => locatedDrift(options, checkpoint.resources)))
        .filter((r) => apps.includes(r.application))
        .flatMap((r) => r.fields);
    if (drift.length > 0) {
        return { inSync: false, desiredUnchanged: true, why: `${drift.length} live field(s) differ from the last sync`, fingerprints, commits, drift, revisions };
    }
    return { inSync: true, desiredUnchanged: true, why: "in sync", fingerprints, commits, drift, revisions };
}

/** The commit a branch, tag or HEAD names now (`git ls-remote`); a full SHA is itself; undefined when unreachable. */
async function resolveCommit(repoURL: string, targetRevision: string | undefined, cwd: string): Promise<string | undefined> {
    if (targetRevision && /^[0-9a-f]{40}$/.test(targetRevision)) return targetRevision;
    try {
        // A bounded query: an unreachable remote sends the sync down the full path, which says why.
        return commitFromLsRemote(await lsRemote(repoURL, { baseDir: cwd, timeoutMs: 15_000 }), targetRevision);
    } catch {
        return undefined;
    }
}
