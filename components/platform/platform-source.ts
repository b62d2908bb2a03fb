// The platform's source: the Projects that confine application teams and which Projects each
// Application may use, given in stack configuration as `syncwave:platform`. Projects are read from
// AppProject YAML at a path the platform owns (a checkout of the platform's repository, or a folder
// only the platform may change) or given inline. Nothing else declares a Project. Pure apart from
// reading the files.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ProjectSpec } from "../project/project-spec";
import { isMap } from "../source/is-map";
import { parseManifests } from "../source/render";
import { SyncWaveInputError } from "../sync/errors";
import { normaliseAssignments, type ProjectAssignments } from "./assignments";
import { isAppProject } from "./no-projects-in-manifests";
import { yamlFiles } from "./yaml-files";

export interface PlatformSource {
    projects: Record<string, ProjectSpec>;
    assignments: ProjectAssignments;
    /** Where each Project was declared ("AppProject/<name>" → file, or "stack config"), for messages. */
    origins: Record<string, string>;
    /**
     * ASCII-armored public keys the Projects' signatureKeys are verified against (`gpgKeys`: files or
     * folders of `.asc` files the platform owns, as Argo CD's argocd-gpg-keys-cm).
     */
    gpgKeys: string[];
}

const FIELD = "syncwave:platform";
const KEYS = ["projects", "applications", "parents", "applicationSets", "gpgKeys"];

function fail(message: string, field: string, file?: string): never {
    throw new SyncWaveInputError(message, { file, field });
}

function projectsFromFiles(paths: readonly string[], baseDir: string, into: PlatformSource): void {
    for (const p of paths) {
        const full = resolve(baseDir, p);
        if (!existsSync(full)) fail(`${p} does not exist`, `${FIELD}.projects`);
        for (const file of yamlFiles(full)) {
            const shown = relative(baseDir, file) || file;
            for (const { manifest } of parseManifests("", shown, readFileSync(file, "utf8"))) {
                const name = manifest.metadata?.name;
                if (!isAppProject(manifest)) {
                    fail(`the platform's project source holds only AppProjects, found ${manifest.apiVersion} ${manifest.kind}`, "kind", shown);
                }
                if (!name) fail("AppProject has no metadata.name", "metadata.name", shown);
                if (!isMap(manifest.spec)) fail(`AppProject ${name} has no spec`, "spec", shown);
                const annotations = manifest.metadata?.annotations;
                addProject(into, name, annotations && Object.keys(annotations).length ? { ...manifest.spec, annotations } : manifest.spec, shown);
            }
        }
    }
}

function addProject(into: PlatformSource, name: string, spec: Record<string, unknown>, origin: string): void {
    const previous = into.origins[`AppProject/${name}`];
    if (previous) fail(`project ${name} is declared twice (also in ${previous})`, `${FIELD}.projects`, origin === "stack config" ? undefined : origin);
    into.projects[name] = spec as ProjectSpec;
    into.origins[`AppProject/${name}`] = origin;
}

/**
 * Reads `syncwave:platform`: `projects` is a path (file or folder of AppProject YAML, relative to the
 * Pulumi project), a list of paths, or an inline map of name → AppProject spec; `applications`,
 * `parents` and `applicationSets` map names to the Projects they may use. Undefined means no platform
 * source: then there are no Projects and no assignments, and every Application is refused.
 */
export function readPlatformSource(value: unknown, baseDir: string): PlatformSource {
    const result: PlatformSource = { projects: {}, assignments: { applications: {}, parents: {}, applicationSets: {} }, origins: {}, gpgKeys: [] };
    if (value === undefined) return result;
    if (!isMap(value)) fail("must be a map with projects and applications", FIELD);
    const unknown = Object.keys(value).filter((k) => !KEYS.includes(k));
    if (unknown.length) fail(`unknown key ${unknown.join(", ")} (expected ${KEYS.join(", ")})`, FIELD);

    const projects = value.projects;
    if (typeof projects === "string" || (Array.isArray(projects) && projects.every((p) => typeof p === "string"))) {
        projectsFromFiles(typeof projects === "string" ? [projects] : (projects as string[]), baseDir, result);
    } else if (isMap(projects)) {
        for (const [name, spec] of Object.entries(projects)) {
            if (!isMap(spec)) fail("must be an AppProject spec", `${FIELD}.projects.${name}`);
            addProject(result, name, spec, "stack config");
        }
    } else {
        fail("must be a path to AppProject YAML (file or folder), a list of paths, or a map of project specs", `${FIELD}.projects`);
    }

    result.gpgKeys = readGpgKeys(value.gpgKeys, baseDir);

    const assignmentError = (message: string, field: string): never => fail(message, field);
    for (const key of ["applications", "parents", "applicationSets"] as const) {
        result.assignments[key] = normaliseAssignments(value[key] as Record<string, unknown> | undefined, `${FIELD}.${key}`, assignmentError);
        for (const [name, list] of Object.entries(result.assignments[key])) {
            // "default" is Argo CD's built-in project: the platform may assign it without declaring it.
            const missing = list.filter((p) => !result.projects[p] && p !== "default");
            if (missing.length) {
                fail(`assigns project ${missing.join(", ")}, which the platform source does not declare (declared: ${Object.keys(result.projects).join(", ") || "none"})`, `${FIELD}.${key}.${name}`);
            }
        }
    }
    return result;
}

/** The armored public keys in `gpgKeys` (a path or list of paths: `.asc` files, or folders of them). */
function readGpgKeys(value: unknown, baseDir: string): string[] {
    if (value === undefined) return [];
    const paths = typeof value === "string" ? [value] : Array.isArray(value) && value.every((p) => typeof p === "string") ? (value as string[]) : undefined;
    if (!paths) fail("must be a path (an .asc file or a folder of them) or a list of paths", `${FIELD}.gpgKeys`);
    const keys: string[] = [];
    for (const p of paths) {
        const full = resolve(baseDir, p);
        if (!existsSync(full)) fail(`${p} does not exist`, `${FIELD}.gpgKeys`);
        const files = statSync(full).isDirectory() ? readdirSync(full).filter((f) => f.endsWith(".asc")).sort().map((f) => join(full, f)) : [full];
        for (const file of files) {
            const text = readFileSync(file, "utf8");
            if (!text.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) fail("is not an ASCII-armored PGP public key", `${FIELD}.gpgKeys`, relative(baseDir, file) || file);
            keys.push(text);
        }
    }
    return keys;
}
