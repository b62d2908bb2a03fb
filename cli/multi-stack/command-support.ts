// Which commands run on several stacks. A command whose subject belongs to one stack (a rollback
// target, an application name, a lock) or to none (the local cluster, the toolchain) refuses them.

/** Commands that are run once per stack, each on its own. */
const MULTI_STACK_COMMANDS = new Set(["diff", "sync", "status", "drift", "history", "images update", "reconcile --once"]);

const WHY_ONE_STACK: Record<string, string> = {
    rollback: "a rollback target (a history ID or a commit) belongs to one stack's history",
    unpin: "a pin belongs to one application of one stack",
    unlock: "unlock takes the one stack whose lock it clears as its argument",
    reconcile: "reconcile without --once runs until it is stopped; run one per stack (a CI job or a service each), or use --once",
    appset: "an ApplicationSet file is generated against one stack's clusters",
    cluster: "the local cluster belongs to no stack",
    env: "the toolchain's environment belongs to no stack",
};

/** The command as a person names it: "images update", "reconcile --once", "cluster up". */
export function commandName(path: readonly string[], options: { once?: boolean } = {}): string {
    const name = path.join(" ");
    return name === "reconcile" && options.once ? "reconcile --once" : name;
}

/** Undefined when the command runs on several stacks, else why it does not. */
export function refusalOfSeveralStacks(command: string): string | undefined {
    if (MULTI_STACK_COMMANDS.has(command)) return undefined;
    const why = WHY_ONE_STACK[command.split(" ")[0]] ?? "it works on one stack";
    return `syncwave ${command} runs on one stack, not several: ${why}. Name one with --stack`;
}
