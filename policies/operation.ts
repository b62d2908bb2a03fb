// What kind of run the policy pack judges. Policies cannot ask the engine whether it previews or
// updates, and guessing from process names is fooled by wrappers, so the CLI and CI say it
// explicitly: SYNCWAVE_OPERATION (`preview` or `update`) and SYNCWAVE_SYNC_KIND (`automated` or
// `manual`). Unset, the run is judged as an update of an automated sync: sync windows are enforced
// (fail closed), and the findings say that this was assumed.

export type Operation = "preview" | "update";
export type SyncKind = "automated" | "manual";

export interface RunContext {
    operation: Operation;
    syncKind: SyncKind;
    /** What was assumed because a variable is unset, for the findings' messages. */
    assumptions: string[];
    /** A variable set to something else than its allowed values: each one is a finding. */
    errors: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

function read<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, context: RunContext, assumed: string): T {
    const value = env[name];
    if (value === undefined || value === "") {
        context.assumptions.push(`${name} is not set: ${assumed}`);
        return fallback;
    }
    if ((allowed as readonly string[]).includes(value)) return value as T;
    context.errors.push(`${name}="${value}" is not one of ${allowed.map((a) => `"${a}"`).join(", ")}; judged as ${fallback}`);
    return fallback;
}

export function runContext(env: Env = process.env): RunContext {
    const context: RunContext = { operation: "update", syncKind: "automated", assumptions: [], errors: [] };
    context.operation = read(env, "SYNCWAVE_OPERATION", ["preview", "update"] as const, "update", context, "judged as an update, so sync windows are enforced");
    context.syncKind = read(env, "SYNCWAVE_SYNC_KIND", ["automated", "manual"] as const, "automated", context, "judged as an automated sync");
    return context;
}

/** Only an update applies changes, so only an update is held to sync windows. */
export function isApplying(context: Pick<RunContext, "operation">): boolean {
    return context.operation === "update";
}
