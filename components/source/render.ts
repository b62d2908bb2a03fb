// Rendering a source folder into manifests: plain YAML/JSON directories, Kustomize (through the
// toolchain's kubectl) and Helm charts (through the Kubernetes provider's template support, passed in
// by the caller because it needs the Pulumi runtime). Offline: nothing is fetched. Nothing outside the
// Application's own checkout is read: see checkout-paths.ts.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { globMatch } from "../project/glob";
import { SyncWaveInputError } from "../sync/errors";
import type { Manifest, SourcedManifest } from "../sync/manifest";
import { CheckoutPathError, realCheckoutRoot, realPathWithin, resolveSourcePath } from "./checkout-paths";
import { buildEnv, type BuildContext } from "./envsubst";
import { helmTemplateOptions, type HelmTemplateInvokeOptions } from "./helm-invoke";
import { helmTemplateRequest } from "./helm-options";
import { checkKustomizeOptions, hasKustomizeEdits, KustomizeEditError } from "./kustomize-overrides";
import { assertKustomizationInside, kustomizationFile } from "./kustomize-references";
import { prepareKustomizeWorkspace } from "./kustomize-workspace";
import { assertNoOutOfBoundsSymlinks } from "./out-of-bounds-symlinks";
import { checkSourceFields } from "./source-field-checks";
import { withSourceOverrides } from "./source-overrides";
import type { RefCheckouts } from "./ref-value-files";
import type { DirectorySource, HelmSource, KustomizeSource } from "./source-types";

const execFileAsync = promisify(execFile);

export type { DirectorySource, HelmSource, KustomizeSource } from "./source-types";
export type { HelmTemplateInvokeOptions } from "./helm-invoke";

export interface RenderSpec {
    application: string;
    /** The Application's own checkout (the repository root at the fetched commit): nothing outside it is read. */
    checkoutDir: string;
    /** `source.path` as written: relative to the checkout root, "." for the root itself. */
    path: string;
    directory?: DirectorySource;
    helm?: HelmSource;
    kustomize?: KustomizeSource;
    /** The destination namespace. */
    namespace?: string;
    /** What Argo CD's build environment (ARGOCD_APP_REVISION, ...) is made of, beside application, namespace and path. */
    build?: Pick<BuildContext, "project" | "revision" | "repoURL" | "targetRevision">;
    /** A multi-source Application's `ref` checkouts, for `$ref/...` value files; undefined with one source. */
    refs?: RefCheckouts;
}

/** Renders a Helm chart folder; provided by the Pulumi wiring, which passes the options to the provider's helm:template invoke. */
export type HelmTemplate = (options: HelmTemplateInvokeOptions) => Promise<Manifest[]>;

export type SourceType = "Directory" | "Kustomize" | "Helm";

/** Which renderer the source folder `dir` needs, as Argo CD decides: explicit settings first, then the folder's files. */
export function sourceType(spec: Pick<RenderSpec, "helm" | "kustomize">, dir: string): SourceType {
    if (spec.helm || existsSync(join(dir, "Chart.yaml"))) return "Helm";
    if (spec.kustomize || kustomizationFile(dir)) return "Kustomize";
    return "Directory";
}

/** A source located in its checkout: both real paths, the folder inside the root. */
interface Located {
    spec: RenderSpec;
    root: string;
    dir: string;
}

/**
 * A manifest file's text. Bytes that are not UTF-8 (a Latin-1 file, a binary one) are refused rather
 * than read as U+FFFD, which would change data values without anyone noticing.
 */
export function readText(application: string, file: string, path: string): string {
    const bytes = readFileSync(path);
    try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        const at = firstInvalidUtf8(bytes);
        throw new SyncWaveInputError(`not UTF-8 text: byte ${at} (0x${bytes[at]?.toString(16).padStart(2, "0")}) is not valid UTF-8; manifests are UTF-8 YAML or JSON`, { application, file });
    }
}

/** Where UTF-8 breaks first (for the message: the fatal decoder decides what is valid). */
function firstInvalidUtf8(bytes: Buffer): number {
    let i = 0;
    while (i < bytes.length) {
        const c = bytes[i];
        const following = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
        if (following < 0) return i;
        for (let k = 1; k <= following; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
        i += following + 1;
    }
    return i;
}

/** Parses a YAML or JSON stream; each document's error names the file and line. */
export function parseManifests(application: string, file: string, text: string): SourcedManifest[] {
    const result: SourcedManifest[] = [];
    // A .json file holding one JSON value is read as JSON, strictly, as Argo CD's decoder reads it
    // (k8s.io/apimachinery's YAMLOrJSONDecoder): a trailing comma is an error, not YAML's tolerance.
    if (file.endsWith(".json") && /^\s*[{[]/.test(text)) {
        try {
            JSON.parse(text);
        } catch (err) {
            throw new SyncWaveInputError(`invalid JSON: ${(err as Error).message}`, { application, file });
        }
    }
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

/** Whether a directory entry is a regular file, or a symlink to one (dangling links are skipped, as Argo CD does). */
function isFileEntry(dir: string, entry: Dirent): boolean {
    if (entry.isFile()) return true;
    if (!entry.isSymbolicLink()) return false;
    try {
        return statSync(join(dir, entry.name)).isFile();
    } catch {
        return false;
    }
}

// Symlinked folders are not descended into, as Argo CD's directory walk (filepath.Walk) does not: that
// also keeps a link to an ancestor from looping.
// Argo CD's manifestFile pattern (reposerver/repository/repository.go), unless disableExtensionFilter.
const MANIFEST_FILE = /\.(ya?ml|json|jsonnet)$/;

function listFiles(root: string, dir: string, recurse: boolean, anyExtension: boolean): string[] {
    const files: string[] = [];
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
        if (entry.name.startsWith(".")) continue;
        if (entry.isDirectory()) {
            if (recurse) files.push(...listFiles(root, join(dir, entry.name), recurse, anyExtension));
        } else if ((anyExtension || MANIFEST_FILE.test(entry.name)) && isFileEntry(dir, entry)) {
            files.push(relative(root, join(dir, entry.name)));
        }
    }
    return files;
}

/** Jsonnet is not evaluated: its settings and its files are refused rather than skipped. */
function refuseJsonnetSettings(spec: RenderSpec): void {
    const jsonnet = spec.directory?.jsonnet;
    if (jsonnet && (jsonnet.extVars?.length || jsonnet.tlas?.length || jsonnet.libs?.length)) {
        throw new SyncWaveInputError("Jsonnet is not supported: SyncWave renders plain YAML and JSON files only", {
            application: spec.application,
            field: "source.directory.jsonnet",
        });
    }
}

function renderDirectory({ spec, root, dir }: Located): SourcedManifest[] {
    const d = spec.directory ?? {};
    const files = listFiles(dir, dir, Boolean(d.recurse), Boolean(d.disableExtensionFilter)).filter(
        (f) => (!d.include || globMatch(d.include, f)) && (!d.exclude || !globMatch(d.exclude, f)),
    );
    const jsonnet = files.find((f) => f.endsWith(".jsonnet"));
    if (jsonnet) {
        throw new SyncWaveInputError("Jsonnet is not supported: SyncWave renders plain YAML and JSON files only (leave the file out with source.directory.exclude)", {
            application: spec.application,
            file: join(spec.path, jsonnet),
            field: "source.directory",
        });
    }
    return files.flatMap((f) => {
        const shown = join(spec.path, f);
        // Checked again at the read: the file that is read is the file that was checked.
        const real = realPathWithin(root, join(dir, f), shown);
        if (real === undefined) throw new CheckoutPathError(shown, "disappeared while rendering");
        return parseManifests(spec.application, shown, readText(spec.application, shown, real));
    });
}

async function kustomizeBuild(spec: RenderSpec, dir: string): Promise<SourcedManifest[]> {
    const kubectl = process.env.SYNCWAVE_KUBECTL ?? "kubectl";
    try {
        const { stdout } = await execFileAsync(kubectl, ["kustomize", dir], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
        return parseManifests(spec.application, `${spec.path} (kustomize build)`, stdout);
    } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new SyncWaveInputError(`kustomize build failed: ${(e.stderr || e.message).trim()}`, {
            application: spec.application,
            file: spec.path,
        });
    }
}

function envOf(spec: RenderSpec) {
    return buildEnv({ application: spec.application, namespace: spec.namespace, path: spec.path, ...spec.build });
}

/** As Argo CD: `source.kustomize` edits the kustomization (on a copy here), then kustomize builds it. */
async function renderKustomize({ spec, root, dir }: Located): Promise<SourcedManifest[]> {
    if (!spec.kustomize || !hasKustomizeEdits(spec.kustomize)) return kustomizeBuild(spec, dir);
    const workspace = refusingKustomize(spec, () => prepareKustomizeWorkspace(root, dir, spec.kustomize ?? {}, envOf(spec)));
    try {
        return await kustomizeBuild(spec, workspace.dir);
    } finally {
        workspace.dispose();
    }
}

async function renderHelm({ spec, root, dir }: Located, helmTemplate: HelmTemplate | undefined): Promise<SourcedManifest[]> {
    if (!helmTemplate) throw new Error("rendering a Helm chart needs the Kubernetes provider's template support");
    // Value and file parameters first, so that one symlinked out is reported as the file it is.
    const request = helmTemplateRequest({ application: spec.application, root, chartDir: dir, namespace: spec.namespace, env: envOf(spec), refs: spec.refs }, spec.helm);
    refusing(spec, "source.path", () => assertNoOutOfBoundsSymlinks(root));
    const manifests = await helmTemplate(helmTemplateOptions(request));
    return manifests.map((manifest) => ({ manifest, file: `${spec.path} (helm template)` }));
}

/** Like `refusing`, for the kustomize edits: a refused edit names its `source.kustomize` field. */
function refusingKustomize<T>(spec: RenderSpec, run: () => T): T {
    try {
        return refusing(spec, "source.kustomize", run);
    } catch (err) {
        if (err instanceof KustomizeEditError) throw new SyncWaveInputError(err.message, { application: spec.application, field: err.field });
        throw err;
    }
}

/** Runs `check`, turning a path that leaves the checkout into an input error naming application, field and file. */
function refusing<T>(spec: RenderSpec, field: string, check: () => T): T {
    try {
        return check();
    } catch (err) {
        if (err instanceof CheckoutPathError) throw new SyncWaveInputError(err.message, { application: spec.application, file: err.file, field });
        throw err;
    }
}

/** The spec with the source folder's parameter override files merged in; unchanged when the folder is missing (locate reports it). */
function withFolderOverrides(spec: RenderSpec): RenderSpec {
    const { root, dir } = sourceFolder(spec);
    if (dir === undefined) return spec;
    return refusing(spec, "source.path", () => withSourceOverrides(spec.application, spec, root, dir, spec.path, (real, shown) => readText(spec.application, shown, real)));
}

/** Finds the source folder inside the checkout; refused when it leaves it, an input error when it is missing. */
function locate(spec: RenderSpec): Located {
    const { root, dir } = sourceFolder(spec);
    if (dir === undefined) throw new SyncWaveInputError(`path ${spec.path} does not exist in the source`, { application: spec.application, field: "source.path" });
    return { spec, root, dir };
}

/** The checkout's real root and the source folder in it (undefined when there is no such folder); refused when the path leaves the checkout. */
function sourceFolder(spec: RenderSpec): { root: string; dir: string | undefined } {
    const root = realCheckoutRoot(spec.checkoutDir);
    const dir = refusing(spec, "source.path", () => resolveSourcePath(root, spec.path));
    return { root, dir: dir !== undefined && statSync(dir).isDirectory() ? dir : undefined };
}

/**
 * Renders the source folder. An empty result is returned as is; the plan decides if that is allowed.
 * Refused before anything is rendered when `path`, a value file or any symlink in the checkout leads
 * outside the Application's own checkout.
 */
export async function renderSource(declared: RenderSpec, helmTemplate?: HelmTemplate): Promise<SourcedManifest[]> {
    // Argo CD merges the folder's .argocd-source*.yaml over the Application's settings first, so they
    // also decide the renderer (a `kustomize` key makes it Kustomize): see source-overrides.ts.
    const spec = withFolderOverrides(declared);
    checkSourceFields(spec.application, spec);
    refuseJsonnetSettings(spec);
    if (spec.kustomize) {
        const problem = checkKustomizeOptions(spec.kustomize);
        if (problem) throw new SyncWaveInputError(problem.message, { application: spec.application, field: problem.field });
    }
    const located = locate(spec);
    switch (sourceType(spec, located.dir)) {
        case "Helm":
            return renderHelm(located, helmTemplate);
        case "Kustomize":
            refusing(spec, "source.path", () => {
                assertNoOutOfBoundsSymlinks(located.root);
                assertKustomizationInside(located.root, located.dir);
            });
            return renderKustomize(located);
        default:
            refusing(spec, "source.path", () => assertNoOutOfBoundsSymlinks(located.root));
            return refusing(spec, "source.path", () => renderDirectory(located));
    }
}
