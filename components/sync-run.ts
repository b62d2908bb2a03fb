// What kind of sync this program run is, as the syncwave CLI (or CI) says it explicitly through the
// environment; a plain `pulumi up` gets the safe defaults: an automated sync (deny windows block it),
// no explicit prune (only automated.prune prunes), every Application, any failure fails the program.
import { SyncWaveInputError } from "./sync/errors";
import type { SyncKind } from "./sync/prune";

export interface SyncRun {
    kind: SyncKind;
    /** `syncwave sync --prune`. */
    prune: boolean;
    /** Previews only: report a failing Application instead of failing the program (see Application). */
    isolateFailures: boolean;
    /** Applications this run declares; undefined means all. The CLI pairs this with --target. */
    only?: string[];
    /** Applications left out of this run (they failed the preview); the CLI pairs this with --target. */
    skip: string[];
    /** Per Application, the key that runs its hooks again (a retry after a failed sync, --force-hooks). */
    hookRunKeys: Record<string, string>;
    /** Per Application, what decided this sync, as the CLI computed it (see cli/fast/fingerprint.ts). */
    fingerprints: Record<string, string>;
}

function list(name: string, value: string | undefined): string[] | undefined {
    if (value === undefined || value === "") return undefined;
    try {
        const parsed = JSON.parse(value) as unknown;
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed;
    } catch {
        // reported below
    }
    throw new SyncWaveInputError(`must be a JSON list of application names, not ${value}`, { field: name });
}

function runKeys(value: string | undefined, field = "SYNCWAVE_HOOK_RUN_KEYS"): Record<string, string> {
    if (value === undefined || value === "") return {};
    try {
        const parsed = JSON.parse(value) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === "string")) {
            return parsed as Record<string, string>;
        }
    } catch {
        // reported below
    }
    throw new SyncWaveInputError(`must be a JSON object of application names to strings, not ${value}`, { field });
}

export function syncRunFromEnv(env: NodeJS.ProcessEnv = process.env): SyncRun {
    const kind = env.SYNCWAVE_SYNC_KIND || "automated";
    if (kind !== "automated" && kind !== "manual") {
        throw new SyncWaveInputError(`must be "automated" or "manual", not "${kind}"`, { field: "SYNCWAVE_SYNC_KIND" });
    }
    const only = list("SYNCWAVE_ONLY_APPS", env.SYNCWAVE_ONLY_APPS);
    const skip = list("SYNCWAVE_SKIP_APPS", env.SYNCWAVE_SKIP_APPS) ?? [];
    // Leaving Applications out of an update is safe only with --target around it (the CLI's): a plain
    // `pulumi up` would take them for removed. A leftover variable must never do that.
    if ((only || skip.length > 0) && env.SYNCWAVE_OPERATION !== "preview" && env.SYNCWAVE_TARGETED !== "true") {
        throw new SyncWaveInputError(
            "leaving Applications out of an update is only done by `syncwave sync`, which targets the update; unset it for a plain `pulumi up`",
            { field: only ? "SYNCWAVE_ONLY_APPS" : "SYNCWAVE_SKIP_APPS" },
        );
    }
    return { kind, prune: env.SYNCWAVE_PRUNE === "true", isolateFailures: env.SYNCWAVE_ISOLATE === "true", only, skip, hookRunKeys: runKeys(env.SYNCWAVE_HOOK_RUN_KEYS),
        fingerprints: runKeys(env.SYNCWAVE_FINGERPRINTS, "SYNCWAVE_FINGERPRINTS"),
    };
}

/** Whether this run declares the Application at all. */
export function declares(run: SyncRun, application: string): boolean {
    return (run.only === undefined || run.only.includes(application)) && !run.skip.includes(application);
}

/** What one Application takes of this run's settings (every declarer passes the same). */
export function applicationRunSettings(run: SyncRun, application: string) {
    return {
        syncKind: run.kind,
        prune: run.prune,
        isolateFailures: run.isolateFailures,
        hookRunKey: run.hookRunKeys[application],
        fingerprint: run.fingerprints[application],
    };
}
