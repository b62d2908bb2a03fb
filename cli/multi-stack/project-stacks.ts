// The project's stacks as --stacks sees them: the Pulumi.<stack>.yaml files in its stack
// configuration folder (stackConfigDir of Pulumi.yaml, else the project folder).
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { readProjectFile } from "../fast/stack-files";
import { stacksOfFileNames, type ProjectStacks } from "./stack-selection";

export function projectStacks(cwd: string): ProjectStacks {
    const project = readProjectFile(cwd);
    const folder = resolve(join(cwd, project.stackConfigDir ?? "."));
    return { folder, stacks: existsSync(folder) ? stacksOfFileNames(readdirSync(folder)) : [] };
}
