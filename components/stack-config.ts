// Reading Applications from stack configuration (Argo CD's field names) and from Argo CD Application
// manifests, unchanged, and Projects only from the platform's source (`syncwave:platform`): stack
// configuration and manifests sit in the repository the teams change, so a Project there would be a
// boundary its own team can widen. Pure apart from reading the manifest files.
import { existsSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { ApplicationSpec } from "./application-spec";
import { checkProjectAssignment, type ProjectAssignments } from "./platform/assignments";
import { isAppProject } from "./platform/no-projects-in-manifests";
import { readPlatformSource } from "./platform/platform-source";
import { yamlFiles } from "./platform/yaml-files";
import type { ProjectSpec } from "./project/project-spec";
import { parseManifests } from "./source/render";
import { declaredSources } from "./source/sources-spec";
import { SyncWaveInputError } from "./sync/errors";
import { CASCADE_FINALIZERS } from "./sync/prune";

export interface Declarations {
    projects: Record<string, ProjectSpec>;
    applications: Record<string, ApplicationSpec>;
    /** Where each was declared ("Application/<name>", "AppProject/<name>" → file or "stack config"), for messages. */
    origins: Record<string, string>;
    /** Which Projects each Application, parent and ApplicationSet may use, as the platform assigned them. */
    assignments: ProjectAssignments;
    /** The platform's public keys for Projects' signatureKeys. */
    gpgKeys: string[];
}

/** The stack configuration that declares Projects and Applications, as read from `syncwave:*`. */
export interface StackConfigInput {
    /** `syncwave:platform`: the platform's Projects and assignments. */
    platform?: unknown;
    /** `syncwave:projects`: refused, see readDeclarations. */
    projects?: unknown;
    /** `syncwave:applications`. */
    applications?: Record<string, unknown>;
    /** `syncwave:manifests`: files or folders of Argo CD Application manifests. */
    manifests?: readonly string[];
}

/** Argo CD's built-in project: anything goes, as in Argo CD; used only where the platform assigns "default" without declaring it. */
export const DEFAULT_PROJECT: ProjectSpec = {
    description: "Argo CD's default project: every source, destination and kind",
    sourceRepos: ["*"],
    destinations: [{ server: "*", namespace: "*" }, { name: "*", namespace: "*" }],
    clusterResourceWhitelist: [{ group: "*", kind: "*" }],
};

const ARGO_API_VERSION = "argoproj.io/v1alpha1";

function requireObject(value: unknown, where: { file?: string; field: string }): Record<string, unknown> {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        throw new SyncWaveInputError("must be an object", where);
    }
    return value as Record<string, unknown>;
}

function validateApplication(name: string, spec: Record<string, unknown>, where: string, file?: string): ApplicationSpec {
    const field = (f: string) => ({ file, field: `${where}.${f}` });
    if (typeof spec.project !== "string" || !spec.project) throw new SyncWaveInputError(`application ${name} names no project`, field("project"));
    // `source` or `sources`, each source checked (components/source/sources-spec.ts).
    declaredSources(name, spec as Pick<ApplicationSpec, "source" | "sources">, file, `${where}.`);
    if (spec.destination !== undefined) requireObject(spec.destination, field("destination"));
    validateFinalizers(name, spec.finalizers, field("finalizers"));
    if (spec.cascade !== undefined && typeof spec.cascade !== "boolean") throw new SyncWaveInputError("must be true or false", field("cascade"));
    checkFields(spec, APPLICATION_FIELDS, where, file);
    if (spec.syncPolicy !== undefined) {
        const policy = requireObject(spec.syncPolicy, field("syncPolicy"));
        checkFields(policy, SYNC_POLICY_FIELDS, `${where}.syncPolicy`, file);
        if (policy.automated !== undefined) {
            const automated = requireObject(policy.automated, field("syncPolicy.automated"));
            checkFields(automated, AUTOMATED_FIELDS, `${where}.syncPolicy.automated`, file);
            if (automated.enabled !== undefined && typeof automated.enabled !== "boolean") throw new SyncWaveInputError("must be true or false", field("syncPolicy.automated.enabled"));
            // Argo CD 3.x: `enabled: false` keeps the settings but turns automation off.
            if (automated.enabled === false) {
                const { automated: _off, ...rest } = policy;
                return { ...spec, syncPolicy: rest } as unknown as ApplicationSpec;
            }
        }
        if (policy.retry !== undefined) checkFields(requireObject(policy.retry, field("syncPolicy.retry")), RETRY_FIELDS, `${where}.syncPolicy.retry`, file);
    }
    return spec as unknown as ApplicationSpec;
}

/** Fields SyncWave reads, and those it refuses with the reason; anything else is refused as unknown. */
interface FieldSet {
    known: string[];
    refused?: Record<string, string>;
}

const APPLICATION_FIELDS: FieldSet = {
    // `info` is shown by Argo CD's UI only; `revisionHistoryLimit` bounds Argo CD's status history, whose
    // place the stack history takes: both change nothing a sync does.
    known: ["project", "source", "sources", "destination", "syncPolicy", "ignoreDifferences", "finalizers", "cascade", "info", "revisionHistoryLimit"],
    refused: { sourceHydrator: "source hydration is not supported" },
};
const SYNC_POLICY_FIELDS: FieldSet = { known: ["automated", "syncOptions", "retry", "managedNamespaceMetadata"] };
const AUTOMATED_FIELDS: FieldSet = { known: ["prune", "selfHeal", "allowEmpty", "enabled"] };
// `refresh`: SyncWave refreshes before every retry anyway.
const RETRY_FIELDS: FieldSet = { known: ["limit", "backoff", "refresh"] };

function checkFields(value: Record<string, unknown>, fields: FieldSet, where: string, file?: string): void {
    for (const key of Object.keys(value)) {
        if (fields.known.includes(key)) continue;
        const why = fields.refused?.[key] ?? `unknown field (expected one of ${fields.known.join(", ")})`;
        throw new SyncWaveInputError(why, { file, field: `${where}.${key}` });
    }
}

/** Argo CD's Application finalizers SyncWave knows; any other is refused rather than ignored. */
const KNOWN_FINALIZERS = [
    ...CASCADE_FINALIZERS,
    // Argo CD adds these itself to run PreDelete and PostDelete hooks; SyncWave runs them when the Application is deleted anyway.
    "pre-delete-finalizer.argocd.argoproj.io",
    "post-delete-finalizer.argocd.argoproj.io",
    "post-delete-finalizer.argocd.argoproj.io/cleanup",
];

function validateFinalizers(name: string, finalizers: unknown, where: { file?: string; field: string }): void {
    if (finalizers === undefined) return;
    if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === "string")) throw new SyncWaveInputError("must be a list of strings", where);
    const unknown = finalizers.filter((f) => !KNOWN_FINALIZERS.includes(f as string));
    if (unknown.length > 0) {
        throw new SyncWaveInputError(`application ${name} has finalizers SyncWave does not know: ${unknown.join(", ")} (known: ${KNOWN_FINALIZERS.join(", ")})`, where);
    }
}

export interface ManifestDeclarations {
    applications: Record<string, ApplicationSpec>;
    origins: Record<string, string>;
}

/**
 * Applications from Argo CD manifests in `paths` (files or folders), relative to `baseDir`. These are
 * the teams' files: an AppProject among them is refused, naming its file and name.
 */
export function readArgoManifests(paths: readonly string[], baseDir: string): ManifestDeclarations {
    const result: ManifestDeclarations = { applications: {}, origins: {} };
    for (const p of paths) {
        const full = resolve(baseDir, p);
        if (!existsSync(full)) throw new SyncWaveInputError(`${p} does not exist`, { field: "syncwave:manifests" });
        for (const file of yamlFiles(full)) {
            const shown = relative(baseDir, file);
            for (const { manifest } of parseManifests("", shown, readFileSync(file, "utf8"))) {
                const name = manifest.metadata?.name;
                if (isAppProject(manifest)) {
                    throw new SyncWaveInputError(
                        "Projects come only from the platform source (syncwave:platform); an AppProject in syncwave:manifests is refused, even one that matches the platform's",
                        { file: shown, resource: `AppProject ${name ?? "(unnamed)"}`, field: "kind" },
                    );
                }
                if (manifest.apiVersion !== ARGO_API_VERSION || manifest.kind !== "Application") {
                    throw new SyncWaveInputError(`expected argoproj.io/v1alpha1 Application, found ${manifest.apiVersion} ${manifest.kind}`, {
                        file: shown,
                        resource: name,
                        field: "kind",
                    });
                }
                if (!name) throw new SyncWaveInputError("Application has no metadata.name", { file: shown, field: "metadata.name" });
                const spec = requireObject(manifest.spec, { file: shown, field: `Application ${name} spec` });
                if (result.applications[name] !== undefined) {
                    throw new SyncWaveInputError(`Application ${name} is declared twice (also in ${result.origins[`Application/${name}`]})`, { file: shown });
                }
                // An Argo CD Application's finalizers sit in its metadata; they decide what deleting it deletes.
                validateFinalizers(name, manifest.metadata.finalizers, { file: shown, field: "metadata.finalizers" });
                const finalizers = manifest.metadata.finalizers as string[] | undefined;
                result.applications[name] = validateApplication(name, finalizers ? { ...spec, finalizers } : spec, "spec", shown);
                result.origins[`Application/${name}`] = shown;
            }
        }
    }
    return result;
}

/**
 * Every Project and Application of the stack. Projects come only from `syncwave:platform`;
 * `syncwave:projects` is refused because stack configuration is changed by pull requests to the same
 * repository as the Applications it would confine. Applications come from `syncwave:applications`
 * and `syncwave:manifests`; each must name a Project the platform assigned to it.
 */
export function readDeclarations(input: StackConfigInput, baseDir: string): Declarations {
    if (input.projects !== undefined) {
        throw new SyncWaveInputError(
            "Projects are declared only by the platform: move them to syncwave:platform.projects (AppProject YAML the platform owns, or inline), and assign them with syncwave:platform.applications",
            { field: "syncwave:projects" },
        );
    }
    const platform = readPlatformSource(input.platform, baseDir);
    const manifests = readArgoManifests(input.manifests ?? [], baseDir);
    const result: Declarations = {
        projects: { ...platform.projects },
        applications: { ...manifests.applications },
        origins: { ...platform.origins, ...manifests.origins },
        assignments: platform.assignments,
        gpgKeys: platform.gpgKeys,
    };
    for (const [name, spec] of Object.entries(input.applications ?? {})) {
        if (result.applications[name]) {
            throw new SyncWaveInputError(`application ${name} is declared in stack config and in ${result.origins[`Application/${name}`]}`, {
                field: `syncwave:applications.${name}`,
            });
        }
        result.applications[name] = validateApplication(name, requireObject(spec, { field: `syncwave:applications.${name}` }), `syncwave:applications.${name}`);
        result.origins[`Application/${name}`] = "stack config";
    }
    for (const [name, app] of Object.entries(result.applications)) {
        const origin = result.origins[`Application/${name}`];
        const violation = checkProjectAssignment(result.assignments, { name, project: app.project });
        if (violation) {
            throw new SyncWaveInputError(`${violation.message} (allowed: ${violation.allowed.join(", ") || "none"})`, {
                application: name,
                file: origin === "stack config" ? undefined : origin,
                field: origin === "stack config" ? `syncwave:applications.${name}.project` : "spec.project",
            });
        }
        if (!result.projects[app.project] && app.project === "default") result.projects.default = DEFAULT_PROJECT;
    }
    return result;
}
