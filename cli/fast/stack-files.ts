// Where a stack's files are, read without starting the Pulumi CLI: its configuration file
// (stackConfigDir of Pulumi.yaml), and for self-managed file backends its checkpoint and locks. Every
// other backend is read through `pulumi stack export`, as before.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { checkpointKeys, stackRef } from "../backend/stack-keys";

export interface ProjectFile {
    name: string;
    stackConfigDir?: string;
    text: string;
}

export function readProjectFile(cwd: string): ProjectFile {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => join(cwd, f)).find((f) => existsSync(f));
    if (!file) throw new Error(`no Pulumi.yaml in ${cwd}`);
    const text = readFileSync(file, "utf8");
    const parsed = (parse(text) ?? {}) as { name?: string; stackConfigDir?: string };
    if (!parsed.name) throw new Error(`${file}: no project name`);
    return { name: parsed.name, stackConfigDir: parsed.stackConfigDir, text };
}

/** The stack's short name ("org/project/dev" and "org/dev" are "dev"). */
export function shortStackName(stack: string): string {
    return stack.split("/").pop() ?? stack;
}

/** The stack's configuration file and its text ("" when the stack has none). */
export function stackConfigFile(cwd: string, project: ProjectFile, stack: string): { path: string; text: string } {
    const path = join(cwd, project.stackConfigDir ?? ".", `Pulumi.${shortStackName(stack)}.yaml`);
    return { path, text: existsSync(path) ? readFileSync(path, "utf8") : "" };
}

/** The `config:` map of a stack configuration file (secure values stay `{ secure: ... }`). */
export function stackConfigValues(text: string): Record<string, unknown> {
    return ((parse(text) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
}

/** A config value as Pulumi gives it to the program: objects as they are, strings parsed as JSON when they are JSON. */
export function configObject<T>(values: Record<string, unknown>, key: string): T | undefined {
    const v = values[key];
    if (typeof v !== "string") return v as T | undefined;
    try {
        return JSON.parse(v) as T;
    } catch {
        return v as unknown as T;
    }
}

/** The root of a file:// backend, or undefined for any other backend. */
export function fileBackendRoot(backendUrl: string | undefined): string | undefined {
    if (!backendUrl?.startsWith("file://")) return undefined;
    return fileURLToPath(backendUrl.split("?")[0]);
}

export interface Checkpoint {
    resources?: unknown[];
    pending_operations?: unknown[];
}

/**
 * A file backend's latest checkpoint of the stack, as `pulumi stack export` prints its deployment;
 * undefined when it cannot be read this way (another backend, another layout).
 */
export function readFileCheckpoint(backendUrl: string | undefined, project: string, stack: string): Checkpoint | undefined {
    const root = fileBackendRoot(backendUrl);
    if (!root) return undefined;
    // Project-scoped layout of the diy backend (backend/stack-keys.ts). A legacy layout is left to `pulumi stack export`.
    const files = checkpointKeys(stackRef(project, stack))
        .map((key) => join(root, key))
        .filter((f) => existsSync(f));
    // Both, or neither: which one Pulumi reads is its business, so ask it.
    if (files.length !== 1) return undefined;
    const raw = readFileSync(files[0]);
    const parsed = JSON.parse((files[0].endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as { checkpoint?: { latest?: Checkpoint } };
    return parsed.checkpoint?.latest ?? {};
}
