// `syncwave reconcile`: selfHeal. Every interval: look for drift; when an Application with
// syncPolicy.automated.selfHeal has unauthorised drift (and is not pinned), sync it. Sync windows are
// respected (the program refuses an automated sync in a deny window), failures back off as the
// Application's retry policy says, and SIGTERM or SIGINT stop the loop between steps.
import { parseDuration } from "../../components/sync/annotations";
import type { StackOptions } from "../stack";
import { drift } from "./drift";
import { readPins } from "./rollback";
import { appRecords, readState } from "./state";
import { sync } from "./sync";
import { resolve } from "node:path";

export interface ReconcileOptions extends StackOptions {
    intervalMs: number;
    /** Stop after this many rounds (for tests and one-shot jobs); forever when undefined. */
    rounds?: number;
    log: (line: string) => void;
}

/** Delay before retry `attempt` (1-based), as Argo CD's retry backoff computes it. */
export function backoffDelay(attempt: number, backoff: { duration?: string; factor?: number; maxDuration?: string } = {}): number {
    const base = parseDuration(backoff.duration ?? "5s") ?? 5_000;
    const max = parseDuration(backoff.maxDuration ?? "3m") ?? 180_000;
    return Math.min(max, base * Math.pow(backoff.factor ?? 2, attempt - 1));
}

export async function reconcile(options: ReconcileOptions): Promise<void> {
    let stopping = false;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
            // A second signal: the operator does not want to wait for the current step.
            options.log(`${signal} again: stopping now; if a sync was running, run 'syncwave sync' (and 'pulumi refresh' if it reports pending operations)`);
            process.exit(128 + (signal === "SIGINT" ? 2 : 15));
        }
        stopping = true;
        // Ctrl-C in a terminal reaches the pulumi child too, which cancels a running update; a SIGTERM
        // (as Kubernetes sends to the process) lets the current step finish.
        options.log(`${signal}: stopping after the current step`);
        if (timer) clearTimeout(timer);
        wake?.();
    };
    // `on`, not `once`: a listener must stay for the whole loop, or signal-exit (used by the process
    // libraries underneath) sees none left and re-raises the signal, killing the process mid-step.
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    options.log(`reconciling stack ${options.stack} every ${options.intervalMs / 1000}s; SIGTERM or Ctrl-C stops it`);
    const failures = new Map<string, { attempts: number; notBefore: number }>();
    const sleep = (ms: number) =>
        new Promise<void>((r) => {
            wake = r;
            timer = setTimeout(r, ms);
        });
    try {
        for (let round = 1; !stopping && (options.rounds === undefined || round <= options.rounds); round++) {
            const records = appRecords(readState(options.stack, resolve(options.cwd ?? process.cwd()), options.env));
            const pins = await readPins(options);
            const reports = await drift(options, records);
            for (const record of records) {
                if (stopping) break;
                const app = record.application;
                const unauthorised = reports.find((r) => r.application === app)?.fields.filter((f) => f.class === "unauthorised") ?? [];
                if (unauthorised.length === 0) continue;
                if (pins[app]) {
                    options.log(`${app}: drifted, but pinned to ${pins[app].revision.slice(0, 12)} (${pins[app].reason}): left alone`);
                    continue;
                }
                if (!record.syncPolicy.automated?.selfHeal) {
                    options.log(`${app}: ${unauthorised.length} unauthorised change(s); selfHeal is off: reported only`);
                    continue;
                }
                const failure = failures.get(app);
                if (failure && Date.now() < failure.notBefore) continue;
                options.log(`${app}: repairing ${unauthorised.map((f) => `${f.resource} ${f.path}`).join(", ")}`);
                try {
                    // An automated sync: a deny window blocks it whatever manualSync says.
                    await sync({ ...options, app, kind: "reconcile", syncKind: "automated", progress: options.log });
                    failures.delete(app);
                    options.log(`${app}: repaired`);
                } catch (err) {
                    if (stopping) {
                        options.log(`${app}: the sync was interrupted by the stop; run 'syncwave sync --app ${app}' to finish it`);
                        break;
                    }
                    const attempts = (failure?.attempts ?? 0) + 1;
                    const limit = record.syncPolicy.retry?.limit ?? 5;
                    const delay = backoffDelay(attempts, record.syncPolicy.retry?.backoff);
                    failures.set(app, { attempts, notBefore: attempts >= limit ? Number.POSITIVE_INFINITY : Date.now() + delay });
                    options.log(
                        `${app}: sync failed (attempt ${attempts} of ${limit})${attempts >= limit ? ", giving up until restarted" : `, retrying in ${delay / 1000}s`}: ${(err as Error).message.split("\n").slice(0, 3).join(" ")}`,
                    );
                }
            }
            if (!stopping && (options.rounds === undefined || round < options.rounds)) await sleep(options.intervalMs);
        }
    } finally {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
    }
}
