// syncwave: the day-two operations of SyncWave stacks over the Automation API. Each command loads
// only the modules it needs, when it runs: the CLI's start is part of every operation's cost.
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { spawnSync } from "node:child_process";
import { constants as osConstants } from "node:os";
import { resolve } from "node:path";
import type { SyncError as SyncErrorType, SyncResult } from "./commands/sync";
import type { StackOptions } from "./stack";
import { parseDuration } from "../components/duration";
import { engineCancelledBy } from "./engine-signals";
import { timings } from "./timings";
import { clusterCommand } from "./cluster/cluster-command";
import { cancelWhenParentGone, FAN_OUT_CHILD_VARIABLE } from "./multi-stack/parent-gone";

// Before any command's modules load: what starting Node and the CLI itself cost.
const startedMs = process.uptime() * 1000;

// One stack's child of a run on several: a parent gone away cancels the sync rather than crash it.
if (process.env[FAN_OUT_CHILD_VARIABLE] === "1") {
    delete process.env[FAN_OUT_CHILD_VARIABLE];
    cancelWhenParentGone([process.stdout, process.stderr], () => process.kill(process.pid, "SIGTERM"));
}

interface RootOptions {
    /** --stack, repeatable: several run each in a child process of its own (cli/multi-stack). */
    stack?: string[];
    stacks?: string[];
    parallel?: string;
    cwd: string;
    json?: boolean;
    policyPack?: string[];
    policyPackConfig?: string[];
    timings?: boolean;
    lockTimeout?: string;
}

type GlobalOptions = Omit<RootOptions, "stack"> & { stack: string };

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const program = new Command("syncwave")
    .description("Argo CD's deployment model on Pulumi: diff, sync, status, drift, reconcile, history, rollback")
    .option("-s, --stack <name>", `the stack (default: SYNCWAVE_STACK, else dev); repeat it (--stack a --stack b) to run the command on each, in a child process of its own`, collect)
    .option("--stacks <glob>", "also run on every stack of the project whose name matches this glob (Pulumi.<stack>.yaml in its stackConfigDir); repeatable", collect)
    .option("--parallel <n>", "with several stacks: run at most this many at once (default: 4, or the number of stacks if fewer)")
    .option("-C, --cwd <dir>", "the Pulumi project folder", resolve(__dirname, ".."))
    .option("--json", "print JSON instead of tables")
    .option("--policy-pack <dir...>", "run these policy packs with diff and sync")
    .option("--policy-pack-config <file...>", "configuration of the policy packs")
    .option("--timings", "print where the command's time went (CLI start, state, git, engine phases, program steps, gates, hooks) on stderr")
    .option("--lock-timeout <duration>", "wait this long (30s, 5m) for another sync of the stack to finish; by default a second sync is refused at once")
    .option("--no-color", "plain text without colours (as NO_COLOR=1); colours are used only on a terminal anyway")
    // Before any command loads the colours: they are chosen once, when first imported.
    .hook("preAction", (cmd) => {
        if (cmd.opts<{ color?: boolean }>().color === false) process.env.NO_COLOR = "1";
    })
    // Several stacks: each runs as an ordinary single-stack command in a child process, and this
    // process only schedules them and reports; the command's own action never runs here.
    .hook("preAction", async (root, actionCommand) => {
        const options = root.opts<RootOptions>();
        // The web UI shows every selected stack itself, in this one process: nothing to fan out.
        if (actionCommand.name() === "ui" && actionCommand.parent === root) {
            if (options.parallel !== undefined) throw new Error("--parallel does not apply to syncwave ui: it shows every selected stack in one process");
            const { requestedStacks } = await import("./multi-stack/root-selection");
            uiStacks = requestedStacks(options);
            return;
        }
        // One stack named plainly, as always: nothing more to load or decide (a start costs every command).
        if (options.stacks === undefined && options.parallel === undefined && new Set(options.stack).size <= 1) {
            selectedStack = options.stack?.[0];
            return;
        }
        const { selectedStacks } = await import("./multi-stack/root-selection");
        const selection = selectedStacks(options, actionCommand);
        selectedStack = selection.stacks[0];
        if (selection.stacks.length === 1) return;
        const { fanOut } = await import("./multi-stack/fan-out");
        const { exitCodesOf } = await import("./multi-stack/stack-results");
        const code = await fanOut({
            stacks: selection.stacks,
            parallel: selection.parallel,
            json: options.json === true,
            codes: exitCodesOf(selection.command, actionCommand.opts<{ exitCode?: boolean }>()),
            parentArguments: process.argv.slice(2),
        });
        // Everything written is on its way before the exit (pipes to a file or a CI log included).
        await new Promise<void>((done) => process.stdout.write("", () => done()));
        process.exit(code);
    });

program.addHelpText(
    "after",
    `
Several stacks (--stack a --stack b, --stacks 'prod-*'): diff, sync, status, drift, history, images update
and reconcile --once run each stack as an ordinary single-stack command in a child process of its own, at
most --parallel at a time (default 4, or fewer when there are fewer stacks). Progress comes on stderr as it
happens, each line prefixed [stack]; each stack's output is printed whole when it ends, under
'=== stack NAME ==='; a summary table (or with --json one document, { stacks: [...] }) closes the run.
Exit code: 0 when every stack succeeded; for diff --exit-code and for drift the largest child code, each
as the command alone exits (diff: 1 changes, 2 an error; drift: 1 an error, 2 unauthorised drift, shown as
result 'drift'), a child that crashed otherwise (killed, 137) counting as an error; else 1. 130/143/129
when interrupted by Ctrl-C, SIGTERM or SIGHUP (the signal is passed to the running stacks, the others are
not started; a second signal is passed on too and stops them at once); stacks that failed before still
show as failed. Should this process exit early, the running stacks get SIGTERM.`,
);

/** The one stack this process runs on (set before any action runs). */
let selectedStack: string | undefined;
/** The stacks `syncwave ui` shows. */
let uiStacks: string[] = [];

function globals(): GlobalOptions & StackOptions & { lockTimeoutMs?: number } {
    const { stack: _stacks, ...o } = program.opts<RootOptions>();
    let lockTimeoutMs: number | undefined;
    if (o.lockTimeout !== undefined) {
        lockTimeoutMs = /^0+$/.test(o.lockTimeout) ? 0 : parseDuration(o.lockTimeout);
        if (lockTimeoutMs === undefined) throw new Error(`--lock-timeout ${o.lockTimeout}: not a duration (30s, 5m, 1h)`);
    }
    return { ...o, stack: selectedStack ?? process.env.SYNCWAVE_STACK ?? "dev", cwd: resolve(o.cwd), lockTimeoutMs };
}

const log = (line: string) => console.error(line);
const print = (json: unknown, text: string) => console.log(globals().json ? JSON.stringify(json, null, 2) : text);

interface SyncFlags {
    app?: string;
    prune?: boolean;
    manual?: boolean;
    forceHooks?: boolean;
    force?: boolean;
    allowFleetDeletion?: boolean;
}

program
    .command("diff")
    .description("preview: changes grouped by application, phase and wave, with revisions, prunes and policy verdicts")
    .option("--prune", "show the diff of a sync with --prune")
    .option("--manual", "show the diff of a manual sync (sync windows with manualSync let it through)")
    .option("--force-hooks", "show the diff of a sync with --force-hooks")
    .option("--allow-fleet-deletion", "show the diff of a sync with --allow-fleet-deletion")
    .option("--app <name>", "show only this application")
    .option("--revision <ref>", "diff the --app application's source at this branch, tag or commit (an unmerged change) against the live cluster; nothing is written")
    .option("--format <format>", "terminal (the default) or markdown (a pull-request comment)", "terminal")
    .option("--full-diff <file>", "also write the whole diff (plain text) to this file; a markdown comment cut for length names it")
    .option("--exit-code", "exit 0 when there is nothing to sync, 1 when there are changes, 2 on an error, a refused application or a mandatory policy violation (as kubectl diff)")
    .action(async (o: SyncFlags & { format: string; fullDiff?: string; exitCode?: boolean; revision?: string }) => {
        const g = globals();
        if (!["terminal", "markdown"].includes(o.format)) throw new Error(`--format ${o.format}: expected terminal or markdown`);
        if (o.format === "markdown" && g.json) throw new Error("--format markdown and --json: choose one");
        if (o.revision !== undefined && !o.app) throw new Error("--revision needs --app: the application whose source to take at that revision");
        if (o.revision !== undefined && !/^[\w][\w./-]*$/.test(o.revision)) throw new Error(`--revision ${o.revision}: not a branch, tag or commit name`);
        const { diff, diffExitCode, formatDiff, onlyApplication } = await import("./commands/diff");
        const revision = o.revision !== undefined && o.app ? { ref: o.revision, apps: [o.app] } : undefined;
        if (revision) {
            // A pin (a rollback) decides the commit before anything else: --revision would be ignored.
            const { readPins } = await import("./commands/rollback");
            const pin = (await readPins(g))[o.app!];
            if (pin) throw new Error(`application ${o.app} is pinned to ${pin.revision.slice(0, 12)} (${pin.reason}): 'syncwave unpin ${o.app}' first, or diff without --revision`);
        }
        const all = await diff({ ...g, policyPacks: g.policyPack, policyPackConfigs: g.policyPackConfig, prune: o.prune, syncKind: o.manual ? "manual" : "automated", forceHooks: o.forceHooks, allowFleetDeletion: o.allowFleetDeletion, revision });
        const result = o.app ? onlyApplication(all, o.app) : all;
        const { events: _events, ...json } = result;
        if (o.fullDiff) writeFileSync(o.fullDiff, `${formatDiff(result, { color: false })}\n`);
        if (o.format === "markdown") {
            const { formatDiffMarkdown } = await import("./format/diff-markdown");
            console.log(formatDiffMarkdown(result, { title: `SyncWave diff: stack ${g.stack}${o.app ? `, application ${o.app}` : ""}${o.revision ? ` at ${o.revision}` : ""}`, fullDiff: o.fullDiff }));
        } else print(json, formatDiff(result));
        const code = diffExitCode(result);
        if (o.exitCode) process.exitCode = code;
        else if (code === 2) process.exitCode = 1;
    });

program
    .command("sync")
    .description("sync: update to the previewed revisions, wave by wave, then show health; an application that cannot sync is left out and named")
    .option("--app <name>", "sync only this application")
    .option("--prune", "delete objects that left git (Argo CD's sync --prune); without it only automated.prune prunes")
    .option("--manual", "a manual sync: a deny window with manualSync: true lets it through (the default is an automated sync)")
    .option("--force-hooks", "run the hooks although nothing they depend on changed (by default they run when the rendered manifests or sync options changed, or after a failed sync)")
    .option("--force", "preview and update even when the commits, configuration, policy and live objects are those of the last sync")
    .option("--allow-fleet-deletion", "let an ApplicationSet or a parent Application delete more of its Applications than its mass-deletion guard allows")
    .action(async (o: SyncFlags) => {
        const g = globals();
        const { sync, SyncError } = await import("./commands/sync");
        const { formatTable, healthRows } = await import("./commands/stack-health");
        const { readState } = await import("./commands/state");
        let result: SyncResult;
        let failure: SyncErrorType | undefined;
        try {
            result = await sync({
                ...g,
                app: o.app,
                prune: o.prune,
                forceHooks: o.forceHooks,
                force: o.force,
                allowFleetDeletion: o.allowFleetDeletion,
                syncKind: o.manual ? "manual" : "automated",
                policyPacks: g.policyPack,
                policyPackConfigs: g.policyPackConfig,
                progress: log,
            });
        } catch (err) {
            // Some Applications synced and some could not: show what happened, then fail.
            if (!(err instanceof SyncError) || !err.partial || err.partial.revisions.length === 0) throw err;
            failure = err;
            result = err.partial;
        }
        const rows = timings.span("health table", () => healthRows(readState(g.stack, g.cwd)));
        print({ ...result, health: rows }, formatTable(o.app ? rows.filter((r) => r.application === o.app) : rows));
        if (failure) throw failure;
    });

program
    .command("status")
    .description("every application: sync status, health, and its resources")
    .action(async () => {
        const g = globals();
        const { formatStatus, status } = await import("./commands/status");
        const { readPins } = await import("./commands/rollback");
        const apps = await status({ ...g, pins: await readPins(g) });
        print(apps, formatStatus(apps));
    });

program
    .command("drift")
    .description("refresh in preview mode and classify each drifted field; exits 2 when anything is unauthorised")
    .action(async () => {
        const { drift, formatDrift } = await import("./commands/drift");
        const reports = await drift(globals());
        print(reports, formatDrift(reports));
        // Argo CD Notifications' on-drift-detected; a problem is a warning on stderr, never the exit code.
        const { notifyDrift } = await import("./notifications/drift-notifications");
        await notifyDrift(globals(), reports, (line) => console.error(line));
        if (reports.some((r) => r.fields.some((f) => f.class === "unauthorised"))) process.exitCode = 2;
    });

program
    .command("reconcile")
    .description("automated sync and selfHeal: every interval, sync applications with syncPolicy.automated whose source moved to a new commit, and repair unauthorised drift of those with selfHeal, until SIGTERM")
    .option("--interval <duration>", "time between rounds, e.g. 30s or 5m", "60s")
    .option("--once", "one round, then exit")
    .action(async (o: { interval: string; once?: boolean }) => {
        const { requireDuration } = await import("../components/duration");
        const { reconcile } = await import("./commands/reconcile");
        const intervalMs = requireDuration(o.interval, { field: "--interval" });
        await reconcile({ ...globals(), intervalMs, rounds: o.once ? 1 : undefined, log });
    });

program
    .command("history")
    .description("the stack's updates with each application's revision, when, by whom, result and health")
    .action(async () => {
        const { formatHistory, history } = await import("./commands/history");
        const entries = await history(globals());
        print(entries, formatHistory(entries));
    });

program
    .command("rollback <target>")
    .description("redeploy a history ID or a commit SHA; --revert makes a revert commit, else the app is pinned")
    .option("--app <name>", "the application (required with a SHA)")
    .option("--revert", "revert in the source repository instead of pinning")
    .action(async (target: string, o: { app?: string; revert?: boolean }) => {
        const g = globals();
        const { rollback } = await import("./commands/rollback");
        const result = await rollback(target, { ...g, app: o.app, revert: o.revert, progress: log });
        print(result, `rolled back: ${result.revisions.map((r) => `${r.application}@${r.commit.slice(0, 12)}`).join(" ")} (${result.result})`);
    });

program
    .command("images")
    .description("Argo CD Image Updater's model through git")
    .command("update")
    .description("write newer image versions (by each Application's argocd-image-updater.argoproj.io annotations) to its repository, one commit per Application")
    .option("--app <name>", "only this application")
    .option("--dry-run", "show each change (file and diff) and commit nothing")
    .action(async (o: { app?: string; dryRun?: boolean }) => {
        const { formatImagesUpdate, imagesUpdate } = await import("./commands/images");
        const results = await imagesUpdate({ ...globals(), app: o.app, dryRun: o.dryRun, progress: log });
        print(results, formatImagesUpdate(results));
        if (results.some((r) => r.result === "failed")) process.exitCode = 1;
    });

program
    .command("unlock <stack>")
    .description("clear a stack's lock left by a sync that no longer runs (another host's, or one this host cannot prove gone); without --force, say who holds it")
    .option("--force", "clear it: only when you know that run has stopped")
    .action(async (stack: string, o: { force?: boolean }) => {
        const { unlock } = await import("./commands/unlock");
        const result = await unlock({ ...globals(), stack, force: o.force });
        print(result, result.cleared.length ? `stack ${stack}: lock of pid ${result.cleared.map((l) => `${l.pid} on ${l.hostname}`).join(", ")} cleared` : `stack ${stack} is not locked`);
    });

program
    .command("unpin <app>")
    .description("let reconcile sync an application again after a rollback")
    .action(async (app: string) => {
        const { unpin } = await import("./commands/rollback");
        await unpin(app, globals());
        print({ unpinned: app }, `${app}: unpinned`);
    });

const appset = program.command("appset").description("ApplicationSets: what they generate");
appset
    .command("generate <file>")
    .description("print the Applications the ApplicationSets in FILE generate (YAML, or --json), offline and without a cluster; clusters come from the stack's syncwave:clusters")
    .action(async (file: string) => {
        const g = globals();
        const { formatGenerated, generateFromFile } = await import("./commands/appset");
        const views = await generateFromFile(file, { cwd: g.cwd, stack: g.stack });
        print(views, formatGenerated(views));
    });

program
    .command("ui")
    .description("a read-only web UI of the selected stacks (--stack, --stacks): applications, resource trees by wave, history, diff and drift, updated live")
    .option("--port <port>", "the port (0: any free port)", "8080")
    .option("--address <address>", "listen on this address instead of 127.0.0.1; then every request needs the token printed at start")
    .option("--token <token>", "the token to require instead of a random one (at least 16 characters)")
    .option("--open", "open the UI in the default browser")
    .action(async (o: { port: string; address?: string; token?: string; open?: boolean }) => {
        const g = globals();
        if (!/^\d+$/.test(o.port) || Number(o.port) > 65535) throw new Error(`--port ${o.port}: expected a port number (0-65535)`);
        if (o.token !== undefined && o.token.length < 16) throw new Error("--token: at least 16 characters, so it cannot be guessed");
        const { isIP } = await import("node:net");
        if (o.address !== undefined && isIP(o.address) === 0) throw new Error(`--address ${o.address}: expected an IP address (127.0.0.1, 0.0.0.0, ::1)`);
        const address = o.address ?? "127.0.0.1";
        const { newToken } = await import("./ui/security");
        // Beyond 127.0.0.1 others may reach the port: a token is required.
        const token = o.token ?? (address === "127.0.0.1" ? undefined : newToken());
        const { startUi } = await import("./ui/server");
        const ui = await startUi({ stacks: uiStacks, cwd: g.cwd, address, port: Number(o.port), token, policyPacks: g.policyPack, policyPackConfigs: g.policyPackConfig, log });
        const url = token ? `${ui.url}?token=${encodeURIComponent(token)}` : ui.url;
        console.log(`syncwave ui: stacks ${uiStacks.join(", ")} on ${url}`);
        if (token) console.log("syncwave ui: every request needs this token (the link sets it as a cookie); it is not shown again");
        console.log(`listening on ${ui.url}`);
        if (o.open) {
            const { spawn } = await import("node:child_process");
            const opener = spawn(process.platform === "darwin" ? "open" : "xdg-open", [url], { detached: true, stdio: "ignore" });
            opener.on("error", (err) => log(`syncwave ui: could not open a browser (${err.message}); open ${url}`));
            opener.unref();
        }
        // Until SIGINT or SIGTERM: then the server closes and the process exits as the signal.
        await new Promise<void>((done) => {
            const stop = (signal: NodeJS.Signals) => {
                void ui.close().finally(() => {
                    process.exitCode = 128 + osConstants.signals[signal];
                    done();
                });
            };
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
        });
        process.exit();
    });

program.addCommand(clusterCommand());

program
    .command("env")
    .description("print the shell exports of the toolchain (eval \"$(syncwave env)\"); --backend s3: the state in the local S3 server (npm run s3 -- up)")
    .option("--backend <kind>", "file (a folder in .syncwave, the default) or s3 (the local S3 server)")
    .action((o: { backend?: string }) => {
        const out = spawnSync("bash", [resolve(__dirname, "../toolchain/env.sh"), ...(o.backend ? ["--backend", o.backend] : [])], { encoding: "utf8" });
        process.stdout.write(out.stdout);
        process.stderr.write(out.stderr);
        process.exitCode = out.status ?? 1;
    });

timings.add("CLI start (Node and the syncwave modules)", startedMs);
let timingsPrinted = false;
const printTimings = () => {
    if (timingsPrinted || !program.opts<RootOptions>().timings) return;
    timingsPrinted = true;
    console.error(timings.format(process.uptime() * 1000));
};
process.on("exit", printTimings);

program.parseAsync(process.argv).catch((err: Error) => {
    console.error(`syncwave: ${err.message}`);
    console.error("syncwave: see 'syncwave --help'; 'syncwave diff' shows what a sync would do.");
    printTimings();
    // Cancelled by a signal: exit as a process that signal ended (130 for Ctrl-C, 143 for SIGTERM).
    const signal = engineCancelledBy();
    process.exit(signal ? 128 + osConstants.signals[signal] : 1);
});
