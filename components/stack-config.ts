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
import type { Manifest } from "./sync/manifest";
import { declaredSources } from "./source/sources-spec";
import { parseDuration } from "./duration";
import { SyncWaveInputError } from "./sync/errors";
import { subdomainProblem } from "./sync/names";
import { CASCADE_FINALIZERS } from "./sync/prune";
import { notificationAnnotations } from "./notification-facts";

export interface Declarations {
    projects: Record<string, ProjectSpec>;
    applications: Record<string, ApplicationSpec>;
    /** ApplicationSets by name; what they generate is known only when they generate (components/application-set.ts). */
    applicationSets: Record<string, ApplicationSetDeclaration>;
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
    /** `syncwave:manifests`: files or folders of Argo CD Application (and ApplicationSet) manifests. */
    manifests?: readonly string[];
    /** `syncwave:applicationSets`: ApplicationSet specs by name (Argo CD's fields; `annotations` beside them). */
    applicationSets?: Record<string, unknown>;
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

/** Checks an Application spec (Argo CD's field names) and returns it as SyncWave reads it; refuses what it does not know. */
export function validateApplication(name: string, spec: Record<string, unknown>, where: string, file?: string): ApplicationSpec {
    const field = (f: string) => ({ file, field: `${where}.${f}` });
    // An Application is a Kubernetes object in Argo CD: its name follows the same rule (RFC 1123 subdomain).
    const badName = subdomainProblem(name);
    if (badName) throw new SyncWaveInputError(`application name "${name}" ${badName}`, { file, field: where });
    if (spec.dependsOn !== undefined && (!Array.isArray(spec.dependsOn) || !spec.dependsOn.every((d) => typeof d === "string" && d !== ""))) {
        throw new SyncWaveInputError("must be a list of application names", field("dependsOn"));
    }
    if (typeof spec.project !== "string" || !spec.project) throw new SyncWaveInputError(`application ${name} names no project`, field("project"));
    // `source` or `sources`, each source checked (components/source/sources-spec.ts).
    declaredSources(name, spec as Pick<ApplicationSpec, "source" | "sources">, file, `${where}.`);
    if (spec.destination !== undefined) {
        const destination = requireObject(spec.destination, field("destination"));
        // Argo CD's destination names its cluster by server URL or by name.
        if (!destination.server && !destination.name) throw new SyncWaveInputError(`application ${name} names no cluster: set destination.server or destination.name`, field("destination"));
        for (const key of ["server", "name", "namespace"]) {
            if (destination[key] !== undefined && typeof destination[key] !== "string") throw new SyncWaveInputError("must be a string", field(`destination.${key}`));
        }
    }
    validateFinalizers(name, spec.finalizers, field("finalizers"));
    if (spec.cascade !== undefined && typeof spec.cascade !== "boolean") throw new SyncWaveInputError("must be true or false", field("cascade"));
    for (const key of ["annotations", "labels"]) {
        const value = spec[key];
        if (value !== undefined && (!value || typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string"))) {
            throw new SyncWaveInputError("must be a map of strings", field(key));
        }
    }
    checkApplicationAnnotations(spec.annotations as Record<string, string> | undefined, (key) => field(`annotations["${key}"]`));
    checkFields(spec, APPLICATION_FIELDS, where, file);
    checkAutoRollback(name, spec, field("autoRollback"));
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
        if (policy.retry !== undefined) validateRetry(requireObject(policy.retry, field("syncPolicy.retry")), `${where}.syncPolicy.retry`, file);
    }
    return spec as unknown as ApplicationSpec;
}

/**
 * autoRollback is a promise about automated syncs: what reverts a bad release by itself must be what
 * deploys one by itself. Without syncPolicy.automated (or with `enabled: false`) it is refused, not ignored.
 */
export function checkAutoRollback(name: string, spec: { autoRollback?: unknown; syncPolicy?: unknown; sources?: unknown }, where: SyncWaveInputError["details"]): void {
    if (spec.autoRollback === undefined) return;
    if (typeof spec.autoRollback !== "boolean") throw new SyncWaveInputError("must be true or false", where);
    // The history records, and a pin holds, one commit per Application: a bad change in a second
    // source (a values repository, a chart) would be deployed again by the "rollback".
    if (spec.autoRollback && Array.isArray(spec.sources) && spec.sources.length > 1) {
        throw new SyncWaveInputError(`application ${name} has several sources: automatic rollback goes back to one commit and is refused for multi-source Applications`, where);
    }
    const automated = (spec.syncPolicy as { automated?: { enabled?: boolean } } | undefined)?.automated;
    if (spec.autoRollback && (automated === undefined || automated === null || automated.enabled === false)) {
        throw new SyncWaveInputError(`application ${name} asks for automatic rollback without syncPolicy.automated: only an automated Application is rolled back automatically`, where);
    }
}

/**
 * An Application's annotations in stack configuration or TypeScript carry notification subscriptions
 * only; anything else would be dropped, so it is refused, naming where it belongs.
 */
export function checkApplicationAnnotations(annotations: Record<string, string> | undefined, where: (key: string) => SyncWaveInputError["details"]): void {
    for (const key of Object.keys(annotations ?? {})) {
        const refused = refusedAnnotation(key);
        if (refused) throw new SyncWaveInputError(refused, where(key));
    }
}

function refusedAnnotation(key: string): string | undefined {
    if (key.startsWith("notifications.argoproj.io/")) return undefined;
    if (key === AUTO_ROLLBACK_ANNOTATION) return "in stack configuration and TypeScript this is the field autoRollback: true";
    if (key === DEPENDS_ON_ANNOTATION) return "in stack configuration and TypeScript this is the field dependsOn";
    if (key.startsWith("argocd-image-updater.argoproj.io/")) return "Image Updater's annotations are read from Argo CD Application manifests (syncwave:manifests) only";
    return "only notifications.argoproj.io/ annotations are read here (notification subscriptions); SyncWave reads no other Application annotation";
}

/** Argo CD's retry policy: a limit, and a backoff of durations and a factor, each checked here rather than defaulted later. */
function validateRetry(retry: Record<string, unknown>, where: string, file?: string): void {
    checkFields(retry, RETRY_FIELDS, where, file);
    if (retry.limit !== undefined && !Number.isInteger(retry.limit)) throw new SyncWaveInputError("must be a whole number", { file, field: `${where}.limit` });
    if (retry.backoff === undefined) return;
    const backoff = requireObject(retry.backoff, { file, field: `${where}.backoff` });
    checkFields(backoff, BACKOFF_FIELDS, `${where}.backoff`, file);
    for (const key of ["duration", "maxDuration"]) {
        const value = backoff[key];
        if (value !== undefined && (typeof value !== "string" || parseDuration(value) === undefined)) {
            throw new SyncWaveInputError(`"${String(value)}" is not a duration (5s, 2m, 1h)`, { file, field: `${where}.backoff.${key}` });
        }
    }
    // An integer, as Argo CD's CRD has it (int64).
    if (backoff.factor !== undefined && !Number.isInteger(backoff.factor)) {
        throw new SyncWaveInputError("must be a whole number", { file, field: `${where}.backoff.factor` });
    }
}

const BACKOFF_FIELDS: FieldSet = { known: ["duration", "factor", "maxDuration"] };

/** Fields SyncWave reads, and those it refuses with the reason; anything else is refused as unknown. */
interface FieldSet {
    known: string[];
    refused?: Record<string, string>;
}

const APPLICATION_FIELDS: FieldSet = {
    // `info` is shown by Argo CD's UI only; `revisionHistoryLimit` bounds Argo CD's status history, whose
    // place the stack history takes: both change nothing a sync does.
    // `annotations` and `labels`: the Application's metadata (notification subscriptions and the labels they select on).
    known: ["project", "source", "sources", "destination", "syncPolicy", "ignoreDifferences", "finalizers", "cascade", "info", "revisionHistoryLimit", "dependsOn", "autoRollback", "annotations", "labels"],
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
    applicationSets: Record<string, ApplicationSetDeclaration>;
    origins: Record<string, string>;
}

/** An ApplicationSet as declared: its spec is checked when it generates (components/fleet/applicationset-spec.ts). */
export interface ApplicationSetDeclaration {
    spec: Record<string, unknown>;
    annotations: Record<string, string>;
    /** The manifest file, or undefined for stack config / TypeScript. */
    file?: string;
}

/** SyncWave's annotation on an Argo CD Application manifest naming the Applications it syncs after. */
export const DEPENDS_ON_ANNOTATION = "syncwave.dev/depends-on";

/** SyncWave's annotation on an Argo CD Application manifest turning on automatic rollback (`autoRollback`). */
export const AUTO_ROLLBACK_ANNOTATION = "syncwave.dev/auto-rollback";

/** The SyncWave annotations an Application manifest may carry; any other syncwave.dev/ annotation is refused. */
const APPLICATION_ANNOTATIONS = [DEPENDS_ON_ANNOTATION, AUTO_ROLLBACK_ANNOTATION];

/**
 * One Argo CD Application manifest (from syncwave:manifests, or rendered by a parent Application) as
 * SyncWave reads it: its finalizers, and `syncwave.dev/depends-on` as `dependsOn`.
 */
export function applicationFromManifest(manifest: Manifest, file: string): { name: string; spec: ApplicationSpec } {
    const name = manifest.metadata?.name;
    if (!name) throw new SyncWaveInputError("Application has no metadata.name", { file, field: "metadata.name" });
    // An Application is a Kubernetes object in Argo CD: its API server refuses any other name.
    if (name.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name)) {
        throw new SyncWaveInputError(`"${name}" is not a valid Application name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`, {
            file,
            resource: `Application ${name}`,
            field: "metadata.name",
        });
    }
    const spec = requireObject(manifest.spec, { file, field: `Application ${name} spec` });
    // An Argo CD Application's finalizers sit in its metadata; they decide what deleting it deletes.
    validateFinalizers(name, manifest.metadata.finalizers, { file, field: "metadata.finalizers" });
    const finalizers = manifest.metadata.finalizers as string[] | undefined;
    const annotations = manifest.metadata.annotations ?? {};
    for (const key of Object.keys(annotations)) {
        if (key.startsWith("syncwave.dev/") && !APPLICATION_ANNOTATIONS.includes(key)) {
            throw new SyncWaveInputError(`unknown SyncWave annotation on an Application (known: ${APPLICATION_ANNOTATIONS.join(", ")})`, {
                file,
                resource: `Application ${name}`,
                field: `metadata.annotations["${key}"]`,
            });
        }
    }
    if (spec.dependsOn !== undefined) {
        throw new SyncWaveInputError(`dependsOn is not an Argo CD field: use the annotation ${DEPENDS_ON_ANNOTATION}`, { file, resource: `Application ${name}`, field: "spec.dependsOn" });
    }
    const dependsOn = annotations[DEPENDS_ON_ANNOTATION]
        ?.split(",")
        .map((d) => d.trim())
        .filter((d) => d !== "");
    if (spec.autoRollback !== undefined) {
        throw new SyncWaveInputError(`autoRollback is not an Argo CD field: use the annotation ${AUTO_ROLLBACK_ANNOTATION}`, { file, resource: `Application ${name}`, field: "spec.autoRollback" });
    }
    const rollbackValue = annotations[AUTO_ROLLBACK_ANNOTATION];
    if (rollbackValue !== undefined && rollbackValue !== "true" && rollbackValue !== "false") {
        throw new SyncWaveInputError(`must be "true" or "false", not "${rollbackValue}"`, { file, resource: `Application ${name}`, field: `metadata.annotations["${AUTO_ROLLBACK_ANNOTATION}"]` });
    }
    const autoRollback = rollbackValue === undefined ? undefined : rollbackValue === "true";
    checkAutoRollback(name, { ...spec, autoRollback }, { file, resource: `Application ${name}`, field: `metadata.annotations["${AUTO_ROLLBACK_ANNOTATION}"]` });
    if (spec.annotations !== undefined || spec.labels !== undefined) {
        throw new SyncWaveInputError("annotations and labels belong in metadata, not spec", { file, resource: `Application ${name}`, field: spec.annotations !== undefined ? "spec.annotations" : "spec.labels" });
    }
    // The notification subscriptions and the labels global subscriptions select on (cli/notifications).
    const subscriptions = notificationAnnotations(annotations);
    const labels = manifest.metadata.labels as Record<string, string> | undefined;
    const withMetadata = {
        ...spec,
        ...(finalizers ? { finalizers } : {}),
        ...(dependsOn ? { dependsOn } : {}),
        ...(autoRollback !== undefined ? { autoRollback } : {}),
        ...(Object.keys(subscriptions).length ? { annotations: subscriptions } : {}),
        ...(labels && Object.keys(labels).length ? { labels } : {}),
    };
    return { name, spec: validateApplication(name, withMetadata, "spec", file) };
}

/** Whether a manifest is an Argo CD Application (app of apps: a parent's rendered manifests declare children). */
export function isArgoApplication(manifest: Manifest): boolean {
    return manifest.apiVersion === ARGO_API_VERSION && manifest.kind === "Application";
}

/**
 * Applications and ApplicationSets from Argo CD manifests in `paths` (files or folders), relative to
 * `baseDir`. These are the teams' files: an AppProject among them is refused, naming its file and name.
 */
export function readArgoManifests(paths: readonly string[], baseDir: string): ManifestDeclarations {
    const result: ManifestDeclarations = { applications: {}, applicationSets: {}, origins: {} };
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
                if (manifest.apiVersion === ARGO_API_VERSION && manifest.kind === "ApplicationSet") {
                    if (!name) throw new SyncWaveInputError("ApplicationSet has no metadata.name", { file: shown, field: "metadata.name" });
                    if (result.applicationSets[name] !== undefined) {
                        throw new SyncWaveInputError(`ApplicationSet ${name} is declared twice (also in ${result.origins[`ApplicationSet/${name}`]})`, { file: shown });
                    }
                    result.applicationSets[name] = {
                        spec: requireObject(manifest.spec, { file: shown, field: `ApplicationSet ${name} spec` }),
                        annotations: manifest.metadata.annotations ?? {},
                        file: shown,
                    };
                    result.origins[`ApplicationSet/${name}`] = shown;
                    continue;
                }
                if (!isArgoApplication(manifest)) {
                    throw new SyncWaveInputError(`expected argoproj.io/v1alpha1 Application or ApplicationSet, found ${manifest.apiVersion} ${manifest.kind}`, {
                        file: shown,
                        resource: name,
                        field: "kind",
                    });
                }
                const app = applicationFromManifest(manifest, shown);
                if (result.applications[app.name] !== undefined) {
                    throw new SyncWaveInputError(`Application ${app.name} is declared twice (also in ${result.origins[`Application/${app.name}`]})`, { file: shown });
                }
                result.applications[app.name] = app.spec;
                result.origins[`Application/${app.name}`] = shown;
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
        applicationSets: { ...manifests.applicationSets },
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
    for (const [name, raw] of Object.entries(input.applicationSets ?? {})) {
        const where = `syncwave:applicationSets.${name}`;
        if (result.applicationSets[name]) {
            throw new SyncWaveInputError(`ApplicationSet ${name} is declared in stack config and in ${result.origins[`ApplicationSet/${name}`]}`, { field: where });
        }
        const { annotations, ...spec } = requireObject(raw, { field: where });
        if (annotations !== undefined && (typeof annotations !== "object" || annotations === null || Array.isArray(annotations) || !Object.values(annotations).every((v) => typeof v === "string"))) {
            throw new SyncWaveInputError("must be a map of strings", { field: `${where}.annotations` });
        }
        result.applicationSets[name] = { spec, annotations: (annotations ?? {}) as Record<string, string> };
        result.origins[`ApplicationSet/${name}`] = "stack config";
    }
    for (const name of Object.keys(result.applicationSets)) {
        if (result.applications[name]) {
            // Component names are the stack's Application names: one name, one thing.
            throw new SyncWaveInputError(`ApplicationSet ${name} has the name of an Application (${result.origins[`Application/${name}`]})`, { field: "metadata.name", file: result.origins[`ApplicationSet/${name}`] });
        }
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
