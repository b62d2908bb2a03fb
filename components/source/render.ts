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
import { helmValues } from "./helm-values";
import { assertKustomizationInside, kustomizationFile } from "./kustomize-references";
import { assertNoOutOfBoundsSymlinks } from "./out-of-bounds-symlinks";
import { resolveValueFilesWithRefs, type RefCheckouts } from "./ref-value-files";

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
    /** The Application's own checkout (the repository root at the fetched commit): nothing outside it is read. */
    checkoutDir: string;
    /** `source.path` as written: relative to the checkout root, "." for the root itself. */
    path: string;
    directory?: DirectorySource;
    helm?: HelmSource;
    kustomize?: Record<string, unknown>;
    namespace?: string;
    /** A multi-source Application's `ref` checkouts, for `$ref/...` value files; undefined with one source. */
    refs?: RefCheckouts;
}

/** Renders a Helm chart folder; provided by the Pulumi wiring (the provider's helm:template invoke). */
export type HelmTemplate = (chartDir: string, values: Record<string, unknown>, releaseName: string, namespace?: string) => Promise<Manifest[]>;

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
function listFiles(root: string, dir: string, recurse: boolean): string[] {
    const files: string[] = [];
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
        if (entry.name.startsWith(".")) continue;
        if (entry.isDirectory()) {
            if (recurse) files.push(...listFiles(root, join(dir, entry.name), recurse));
        } else if (/\.(ya?ml|json)$/.test(entry.name) && isFileEntry(dir, entry)) {
            files.push(relative(root, join(dir, entry.name)));
        }
    }
    return files;
}

function renderDirectory({ spec, root, dir }: Located): SourcedManifest[] {
    const d = spec.directory ?? {};
    const files = listFiles(dir, dir, Boolean(d.recurse)).filter(
        (f) => (!d.include || globMatch(d.include, f)) && (!d.exclude || !globMatch(d.exclude, f)),
    );
    return files.flatMap((f) => {
        const shown = join(spec.path, f);
        // Checked again at the read: the file that is read is the file that was checked.
        const real = realPathWithin(root, join(dir, f), shown);
        if (real === undefined) throw new CheckoutPathError(shown, "disappeared while rendering");
        return parseManifests(spec.application, shown, readFileSync(real, "utf8"));
    });
}

async function renderKustomize({ spec, dir }: Located): Promise<SourcedManifest[]> {
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

async function renderHelm({ spec, root, dir }: Located, helmTemplate: HelmTemplate | undefined): Promise<SourcedManifest[]> {
    if (!helmTemplate) throw new Error("rendering a Helm chart needs the Kubernetes provider's template support");
    const valueFiles = refusing(spec, "source.helm.valueFiles", () => resolveValueFilesWithRefs(root, dir, spec.helm?.valueFiles ?? [], spec.refs));
    refusing(spec, "source.path", () => assertNoOutOfBoundsSymlinks(root));
    const values = helmValues(valueFiles, spec.helm?.values);
    const manifests = await helmTemplate(dir, values, spec.helm?.releaseName ?? spec.application, spec.namespace);
    return manifests.map((manifest) => ({ manifest, file: `${spec.path} (helm template)` }));
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

/** Finds the source folder inside the checkout; refused when it leaves it, an input error when it is missing. */
function locate(spec: RenderSpec): Located {
    const root = realCheckoutRoot(spec.checkoutDir);
    const dir = refusing(spec, "source.path", () => resolveSourcePath(root, spec.path));
    if (dir === undefined || !statSync(dir).isDirectory()) {
        throw new SyncWaveInputError(`path ${spec.path} does not exist in the source`, { application: spec.application, field: "source.path" });
    }
    return { spec, root, dir };
}

/**
 * Renders the source folder. An empty result is returned as is; the plan decides if that is allowed.
 * Refused before anything is rendered when `path`, a value file or any symlink in the checkout leads
 * outside the Application's own checkout.
 */
export async function renderSource(spec: RenderSpec, helmTemplate?: HelmTemplate): Promise<SourcedManifest[]> {
    const located = locate(spec);
    switch (sourceType(spec, located.dir)) {
        case "Helm":
            // Value files first, so that a value file symlinked out is reported as the value file it is.
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
