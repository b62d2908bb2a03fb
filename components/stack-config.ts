// Reading Projects and Applications from stack configuration (Argo CD's field names) and from Argo CD
// Application/AppProject manifests, unchanged. Pure apart from reading the manifest files.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ApplicationSpec } from "./application-spec";
import type { ProjectSpec } from "./project/project-spec";
import { parseManifests } from "./source/render";
import { SyncWaveInputError } from "./sync/errors";

export interface Declarations {
    projects: Record<string, ProjectSpec>;
    applications: Record<string, ApplicationSpec>;
    /** Where each was declared, for messages. */
    origins: Record<string, string>;
}

/** Argo CD's built-in project: anything goes, as in Argo CD, unless the stack declares its own "default". */
export const DEFAULT_PROJECT: ProjectSpec = {
    description: "Argo CD's default project: every source, destination and kind",
    sourceRepos: ["*"],
    destinations: [{ server: "*", namespace: "*" }, { name: "*", namespace: "*" }],
    clusterResourceWhitelist: [{ group: "*", kind: "*" }],
};

const ARGO_API_VERSION = "argoproj.io/v1alpha1";

function yamlFiles(path: string): string[] {
    if (statSync(path).isFile()) return [path];
    return readdirSync(path)
        .sort()
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(path, f));
}

function requireObject(value: unknown, where: { file?: string; field: string }): Record<string, unknown> {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        throw new SyncWaveInputError("must be an object", where);
    }
    return value as Record<string, unknown>;
}

function validateApplication(name: string, spec: Record<string, unknown>, where: string, file?: string): ApplicationSpec {
    const field = (f: string) => ({ file, field: `${where}.${f}` });
    if (typeof spec.project !== "string" || !spec.project) throw new SyncWaveInputError(`application ${name} names no project`, field("project"));
    const source = requireObject(spec.source, field("source"));
    if (typeof source.repoURL !== "string" || !source.repoURL) throw new SyncWaveInputError(`application ${name} has no source.repoURL`, field("source.repoURL"));
    if (spec.destination !== undefined) requireObject(spec.destination, field("destination"));
    if ((spec as { sources?: unknown }).sources !== undefined) {
        throw new SyncWaveInputError(`application ${name} uses spec.sources (multiple sources), which SyncWave does not support yet: use one source`, field("sources"));
    }
    return spec as unknown as ApplicationSpec;
}

/** Projects and Applications from Argo CD manifests in `paths` (files or folders), relative to `baseDir`. */
export function readArgoManifests(paths: readonly string[], baseDir: string): Declarations {
    const result: Declarations = { projects: {}, applications: {}, origins: {} };
    for (const p of paths) {
        const full = resolve(baseDir, p);
        if (!existsSync(full)) throw new SyncWaveInputError(`${p} does not exist`, { field: "syncwave:manifests" });
        for (const file of yamlFiles(full)) {
            const shown = relative(baseDir, file);
            for (const { manifest } of parseManifests("", shown, readFileSync(file, "utf8"))) {
                const name = manifest.metadata?.name;
                if (manifest.apiVersion !== ARGO_API_VERSION || (manifest.kind !== "Application" && manifest.kind !== "AppProject")) {
                    throw new SyncWaveInputError(`expected argoproj.io/v1alpha1 Application or AppProject, found ${manifest.apiVersion} ${manifest.kind}`, {
                        file: shown,
                        resource: name,
                        field: "kind",
                    });
                }
                if (!name) throw new SyncWaveInputError(`${manifest.kind} has no metadata.name`, { file: shown, field: "metadata.name" });
                const spec = requireObject(manifest.spec, { file: shown, field: `${manifest.kind} ${name} spec` });
                const table = manifest.kind === "Application" ? result.applications : result.projects;
                if (table[name] !== undefined) {
                    throw new SyncWaveInputError(`${manifest.kind} ${name} is declared twice (also in ${result.origins[`${manifest.kind}/${name}`]})`, { file: shown });
                }
                table[name] =
                    manifest.kind === "Application" ? validateApplication(name, spec, "spec", shown) : (spec as unknown as ProjectSpec);
                result.origins[`${manifest.kind}/${name}`] = shown;
            }
        }
    }
    return result;
}

/** Merges stack-config declarations with manifest declarations; a name declared in both is an error. */
export function mergeDeclarations(
    config: { projects?: Record<string, unknown>; applications?: Record<string, unknown> },
    manifests: Declarations,
): Declarations {
    const result: Declarations = { projects: { ...manifests.projects }, applications: { ...manifests.applications }, origins: { ...manifests.origins } };
    for (const [name, spec] of Object.entries(config.projects ?? {})) {
        if (result.projects[name]) {
            throw new SyncWaveInputError(`project ${name} is declared in stack config and in ${result.origins[`AppProject/${name}`]}`, { field: `syncwave:projects.${name}` });
        }
        result.projects[name] = requireObject(spec, { field: `syncwave:projects.${name}` }) as ProjectSpec;
        result.origins[`AppProject/${name}`] = "stack config";
    }
    for (const [name, spec] of Object.entries(config.applications ?? {})) {
        if (result.applications[name]) {
            throw new SyncWaveInputError(`application ${name} is declared in stack config and in ${result.origins[`Application/${name}`]}`, {
                field: `syncwave:applications.${name}`,
            });
        }
        result.applications[name] = validateApplication(name, requireObject(spec, { field: `syncwave:applications.${name}` }), `syncwave:applications.${name}`);
        result.origins[`Application/${name}`] = "stack config";
    }
    for (const [name, app] of Object.entries(result.applications)) {
        if (!result.projects[app.project] && app.project === "default") result.projects.default = DEFAULT_PROJECT;
        if (!result.projects[app.project]) {
            throw new SyncWaveInputError(`application ${name} names project ${app.project}, which is not declared (known: ${Object.keys(result.projects).join(", ") || "none"})`, {
                file: result.origins[`Application/${name}`],
                field: "project",
            });
        }
    }
    return result;
}
