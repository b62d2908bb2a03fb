// The root options' stack selection, resolved once before a command runs: the stacks, the bound on
// how many run at once, and whether the command may run on several at all.
import type { Command } from "commander";
import { resolve } from "node:path";
import { commandName, refusalOfSeveralStacks } from "./command-support";
import { effectiveParallel, parseParallel } from "./parallel-option";
import { projectStacks } from "./project-stacks";
import { selectStacks } from "./stack-selection";

export interface RootSelectionOptions {
    stack?: string[];
    stacks?: string[];
    parallel?: string;
    cwd: string;
}

export interface RootSelection {
    stacks: string[];
    parallel: number;
    /** The command as a person names it ("images update"). */
    command: string;
}

/** The command's names from the root down, without the root's ("images", "update"). */
function commandPath(command: Command): string[] {
    const names: string[] = [];
    for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
    return names;
}

/** The stacks --stack and --stacks name; with neither, today's one stack, from SYNCWAVE_STACK or dev. */
export function requestedStacks(options: Pick<RootSelectionOptions, "stack" | "stacks" | "cwd">): string[] {
    const names = options.stack ?? [];
    const globs = options.stacks ?? [];
    if (names.length === 0 && globs.length === 0) return [process.env.SYNCWAVE_STACK ?? "dev"];
    return selectStacks({ names, globs }, () => projectStacks(resolve(options.cwd)));
}

export function selectedStacks(options: RootSelectionOptions, actionCommand: Command): RootSelection {
    const asked = options.parallel === undefined ? undefined : parseParallel(options.parallel);
    const stacks = requestedStacks(options);
    const command = commandName(commandPath(actionCommand), actionCommand.opts<{ once?: boolean }>());
    if (stacks.length > 1) {
        const refusal = refusalOfSeveralStacks(command);
        if (refusal) throw new Error(`${refusal} (asked for ${stacks.length}: ${stacks.join(", ")})`);
        // Every child would write the same file, the last one winning.
        const fullDiff = actionCommand.opts<{ fullDiff?: string }>().fullDiff;
        if (fullDiff !== undefined) throw new Error(`--full-diff ${fullDiff} with ${stacks.length} stacks: each stack's diff would overwrite the others'; write it per stack (one --stack per command)`);
    }
    return { stacks, parallel: effectiveParallel(asked, stacks.length), command };
}
