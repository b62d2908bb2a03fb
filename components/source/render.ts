// Rendering a source folder into manifests: plain YAML/JSON directories, Kustomize (through the
// toolchain's kubectl) and Helm charts (through the Kubernetes provider's template support, passed in
// by the caller because it needs the Pulumi runtime). Offline: nothing is fetched.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { globMatch } from "../project/glob";
import { SyncWaveInputError } from "../sync/errors";
import type { Manifest, SourcedManifest } from "../sync/manifest";

const execFileAsync = promisify(execFile);

export interface DirectorySource {
    recurse?: boolean;
    /** Glob of file paths (relative to the source path) to include, e.g. "*.yaml" or "{a.yaml,b.yaml}". */
    include?: string;
    exclude?: string;
}

export interface HelmSource {
    releaseName?: string;
    values?: Record<string, unknown> | string;
    valueFiles?: string[];
}

export interface RenderSpec {
    application: string;
    /** The source folder inside the checkout. */
    dir: string;
    /** The source path as the user wrote it, for messages. */
    path: string;
    directory?: DirectorySource;
    helm?: HelmSource;
    kustomize?: Record<string, unknown>;
    namespace?: string;
}

/** Renders a Helm chart folder; provided by the Pulumi wiring (the provider's helm:template invoke). */
export type HelmTemplate = (chartDir: string, values: Record<string, unknown>, releaseName: string, namespace?: string) => Promise<Manifest[]>;

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export type SourceType = "Directory" | "Kustomize" | "Helm";

/** Which renderer a folder needs, as Argo CD decides: explicit settings first, then the folder's files. */
export function sourceType(spec: RenderSpec): SourceType {
    if (spec.helm || existsSync(join(spec.dir, "Chart.yaml"))) return "Helm";
    if (spec.kustomize || KUSTOMIZATION_FILES.some((f) => existsSync(join(spec.dir, f)))) return "Kustomize";
    return "Directory";
}

/** Parses a YAML or JSON stream; each document's error names the file and line. */
export function parseManifests(application: string, file: string, text: string): SourcedManifest[] {
    const result: SourcedManifest[] = [];
    for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) {
            const e = doc.errors[0];
            const line = e.linePos?.[0]?.line;
            throw new SyncWaveInputError(`invalid YAML${line ? ` at line ${line}` : ""}: ${e.message.split("\n")[0]}`, { application, file });
        }
        const value = doc.toJS() as unknown;
        if (value === null || value === undefined) continue;
        if (typeof value !== "object" || Array.isArray(value)) {
            throw new SyncWaveInputError("a YAML document is not a Kubernetes object", { application, file });
        }
        const object = value as Manifest & { items?: Manifest[] };
        // A v1 List is a container: its items are the manifests.
        if (object.kind === "List" && Array.isArray(object.items)) {
            for (const item of object.items) result.push({ manifest: item, file });
        } else {
            result.push({ manifest: object, file });
        }
    }
    return result;
}

function listFiles(root: string, dir: string, recurse: boolean): string[] {
    const files: string[] = [];
    for (const entry of readdirSync(dir).sort()) {
        if (entry.startsWith(".")) continue;
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) {
            if (recurse) files.push(...listFiles(root, full, recurse));
        } else if (/\.(ya?ml|json)$/.test(entry)) {
            files.push(relative(root, full));
        }
    }
    return files;
}

function renderDirectory(spec: RenderSpec): SourcedManifest[] {
    const d = spec.directory ?? {};
    const files = listFiles(spec.dir, spec.dir, Boolean(d.recurse)).filter(
        (f) => (!d.include || globMatch(d.include, f)) && (!d.exclude || !globMatch(d.exclude, f)),
    );
    return files.flatMap((f) => parseManifests(spec.application, join(spec.path, f), readFileSync(join(spec.dir, f), "utf8")));
}

async function renderKustomize(spec: RenderSpec): Promise<SourcedManifest[]> {
    const kubectl = process.env.SYNCWAVE_KUBECTL ?? "kubectl";
    try {
        const { stdout } = await execFileAsync(kubectl, ["kustomize", spec.dir], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
        return parseManifests(spec.application, `${spec.path} (kustomize build)`, stdout);
    } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new SyncWaveInputError(`kustomize build failed: ${(e.stderr || e.message).trim()}`, {
            application: spec.application,
            file: spec.path,
        });
    }
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        const b = out[k];
        out[k] =
            b && v && typeof b === "object" && typeof v === "object" && !Array.isArray(b) && !Array.isArray(v)
                ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
                : v;
    }
    return out;
}

/** Helm values as Argo CD layers them: the chart's values.yaml, then valueFiles in order, then values. */
export function helmValues(spec: RenderSpec): Record<string, unknown> {
    let values: Record<string, unknown> = {};
    for (const file of spec.helm?.valueFiles ?? []) {
        const path = join(spec.dir, file);
        if (!existsSync(path)) {
            throw new SyncWaveInputError(`value file ${file} does not exist in the chart`, {
                application: spec.application,
                file: join(spec.path, file),
                field: "source.helm.valueFiles",
            });
        }
        const docs = parseAllDocuments(readFileSync(path, "utf8"));
        values = deepMerge(values, (docs[0]?.toJS() as Record<string, unknown>) ?? {});
    }
    const inline = spec.helm?.values;
    if (typeof inline === "string") {
        values = deepMerge(values, (parseAllDocuments(inline)[0]?.toJS() as Record<string, unknown>) ?? {});
    } else if (inline) {
        values = deepMerge(values, inline);
    }
    return values;
}

/** Renders the source folder. An empty result is returned as is; the plan decides if that is allowed. */
export async function renderSource(spec: RenderSpec, helmTemplate?: HelmTemplate): Promise<SourcedManifest[]> {
    if (!existsSync(spec.dir) || !statSync(spec.dir).isDirectory()) {
        throw new SyncWaveInputError(`path ${spec.path} does not exist in the source`, { application: spec.application, field: "source.path" });
    }
    switch (sourceType(spec)) {
        case "Helm": {
            if (!helmTemplate) throw new Error("rendering a Helm chart needs the Kubernetes provider's template support");
            const values = helmValues(spec);
            const manifests = await helmTemplate(spec.dir, values, spec.helm?.releaseName ?? spec.application, spec.namespace);
            return manifests.map((manifest) => ({ manifest, file: `${spec.path} (helm template)` }));
        }
        case "Kustomize":
            return renderKustomize(spec);
        default:
            return renderDirectory(spec);
    }
}
