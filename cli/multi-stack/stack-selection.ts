// Which stacks a command runs on: the names given with --stack, as given (a stack that has no
// configuration file yet may still exist in the backend), and those of the project whose names match
// a --stacks glob. A stack named twice runs once, where it was first named.
import { minimatch } from "minimatch";

export interface StackRequest {
    /** --stack, in the order given. */
    names: readonly string[];
    /** --stacks, in the order given. */
    globs: readonly string[];
}

export interface ProjectStacks {
    /** The folder holding the project's Pulumi.<stack>.yaml files, for messages. */
    folder: string;
    /** The stacks that have a configuration file there, sorted. */
    stacks: readonly string[];
}

export class StackSelectionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackSelectionError";
    }
}

/** The stacks to run, in order and without duplicates; a glob that matches no stack is an error. */
export function selectStacks(request: StackRequest, project: () => ProjectStacks): string[] {
    const selected: string[] = [...request.names];
    // The folder is read only when a glob needs it: explicit names never depend on it.
    const known = request.globs.length > 0 ? project() : undefined;
    for (const glob of request.globs) {
        const matches = known!.stacks.filter((stack) => minimatch(stack, glob));
        if (matches.length === 0) {
            const listed = known!.stacks.length > 0 ? known!.stacks.join(", ") : "none";
            throw new StackSelectionError(`--stacks ${glob}: no stack of the project matches (stacks with a Pulumi.<stack>.yaml in ${known!.folder}: ${listed})`);
        }
        selected.push(...matches);
    }
    return [...new Set(selected)];
}

/** The stack names of a folder's file names: Pulumi.<stack>.yaml (Pulumi.yaml itself is the project). */
export function stacksOfFileNames(fileNames: readonly string[]): string[] {
    return fileNames
        .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}
