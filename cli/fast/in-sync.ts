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
import { currentCommit } from "../../components/source/git";
import { lastSyncIncomplete } from "../../components/sync/hook-runs";
import { syncWindowVerdict } from "../../components/project/sync-windows";
import { locatedDrift, type LocatedDrift } from "../commands/drift";
import { readCheckpoint, type StateResource } from "../commands/state";
import { lastSyncs } from "../hook-runs";
import { openStore } from "../backend/open-store";
import { pulumiLocks } from "../stale-lock";
import { timings } from "../timings";
import { hasFleet } from "../last-sync-env";
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
    /** The stack-wide part of the digests, when the inputs could be read (a full sync records it too). */
    stackDigest?: string;
    /** The state the check read (a repair looks up the drifted objects' gates in it). */
    resources: readonly StateResource[];
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
            applicationSets: configObject(values, "syncwave:applicationSets"),
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

/**
 * The per-Application digests for commits already resolved (by a preview), from the stack digest the
 * fast check computed, or computed now (a sync that skipped the check: --force, --prune).
 */
export function fingerprintsFor(options: FastCheckOptions, commits: Record<string, string[]>, digest?: string): Record<string, string> {
    if (!digest) {
        try {
            digest = stackInputs(options)?.digest;
        } catch {
            return {};
        }
    }
    if (!digest) return {};
    return Object.fromEntries(Object.entries(commits).map(([app, c]) => [app, applicationDigest(digest, app, c)]));
}

const notNow = (why: string, extra: Partial<FastVerdict> = {}): FastVerdict => ({ inSync: false, desiredUnchanged: false, why, fingerprints: {}, commits: {}, drift: [], revisions: [], resources: [], ...extra });

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
    const digest = inputs.digest;
    const not = (why: string, extra: Partial<FastVerdict> = {}) => notNow(why, { stackDigest: digest, ...extra });
    // What an ApplicationSet generates, and the children a parent renders, only the program knows.
    if (Object.keys(inputs.declarations.applicationSets).length > 0) return not("ApplicationSets generate their Applications in the program");
    const apps = options.app ? [options.app] : Object.keys(inputs.declarations.applications);
    if (options.app && !inputs.declarations.applications[options.app]) return not(`no application named ${options.app}`);

    const store = openStore(options.env);
    if (store && (await pulumiLocks(store, readProjectFile(cwd).name, options.stack)).length > 0) return not("the stack is locked by another update");
    const checkpoint = readCheckpoint(options.stack, cwd, options.env);
    if (checkpoint.pendingOperations > 0) return not("the last update left operations unfinished");
    if (hasFleet(checkpoint.resources)) return not("child Applications (app of apps) are rendered by the program");
    const last = lastSyncs(checkpoint.resources);
    if (!options.app) {
        const removed = [...last.keys()].filter((a) => !inputs.declarations.applications[a]);
        if (removed.length > 0) return not(`${removed.join(", ")} left the configuration`);
    }

    // What every source resolves to now: one cheap remote query per repository and revision, all at once.
    const wanted: Record<string, Promise<(string | undefined)[]>> = {};
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
        if (!window.allowed) return not(`${app}: ${window.reason}`);
        if (project?.signatureKeys?.length) return not(`${app}: its Project verifies commit signatures in the full sync`);
        const sources = spec.source ? [spec.source] : (spec.sources ?? []);
        if (sources.length === 0 || sources.some((s) => s.chart)) return not(`${app}: a chart source is resolved by the full sync`);
        const pin = inputs.pins[app]?.revision;
        if (pin && sources.length > 1) return not(`${app}: pinned with several sources`);
        // A bounded query: an unreachable remote sends the sync down the full path, which says why.
        wanted[app] = Promise.all(sources.map((s, i) => (i === 0 && pin ? Promise.resolve(pin) : currentCommit(s.repoURL, s.targetRevision, { baseDir: cwd, timeoutMs: 15_000 }))));
    }
    const commits: Record<string, string[]> = {};
    await timings.span("fast path: git resolve", async () => {
        for (const app of apps) {
            const resolved = await wanted[app];
            if (resolved.every((c): c is string => Boolean(c))) commits[app] = resolved;
        }
    });
    const unresolved = apps.find((app) => !commits[app]);
    if (unresolved) return not(`${unresolved}: a source's revision could not be resolved cheaply`);
    const fingerprints = Object.fromEntries(Object.entries(commits).map(([app, c]) => [app, applicationDigest(digest, app, c)]));
    for (const app of apps) {
        const l = last.get(app);
        if (!l?.record || !l.result) return not(`${app}: never synced completely`, { fingerprints, commits });
        if (lastSyncIncomplete(l)) return not(`${app}: its last sync did not complete`, { fingerprints, commits });
        if (l.result.fingerprint !== fingerprints[app]) return not(`${app}: its commit, configuration, Project, policy or SyncWave changed since its last sync`, { fingerprints, commits });
        if (l.record.revision !== commits[app][0]) return not(`${app}: a new commit`, { fingerprints, commits });
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
        return { inSync: false, desiredUnchanged: true, why: `${drift.length} live field(s) differ from the last sync`, fingerprints, commits, drift, revisions, stackDigest: digest, resources: checkpoint.resources };
    }
    return { inSync: true, desiredUnchanged: true, why: "in sync", fingerprints, commits, drift, revisions, stackDigest: digest, resources: checkpoint.resources };
}
