// Fetching and rendering every source of an Application: git repositories are checked out at the commit
// their targetRevision resolves to, Helm repository charts are downloaded at the version theirs resolves
// to, and each rendering source is rendered in declaration order, the results concatenated. The checkouts
// of `ref` sources are handed to the Helm renders for `$ref/...` value files.
import type { SourcedManifest } from "../sync/manifest";
import { SyncWaveInputError } from "../sync/errors";
import { fetchRevision, GitSourceError, type GitCredentials } from "./git";
import { fetchChart, HelmRepositoryError } from "./helm-repository";
import type { RefCheckouts } from "./ref-value-files";
import { renderSource, type HelmTemplate } from "./render";
import { rendersManifests, type DeclaredSource } from "./sources-spec";

export interface FetchedSource extends DeclaredSource {
    kind: "git" | "chart";
    repoURL: string;
    /** As declared (HEAD for a git source that names none). */
    targetRevision: string;
    /** What it resolved to: a commit SHA, or a chart version. */
    revision: string;
    /** What the render reads from: the checkout, or the folder holding the unpacked chart. */
    checkoutDir: string;
    /** The folder to render, relative to checkoutDir. */
    path: string;
}

export interface SourceFetchOptions {
    /** The git cache; charts are cached in its `charts` folder. */
    cacheDir: string;
    baseDir?: string;
    /** Credentials for each source, in the same order. */
    credentials: readonly (GitCredentials | undefined)[];
    /** Exact revisions to use instead of resolving targetRevision (a pin, a reviewed preview), by source. */
    pins?: readonly (string | undefined)[];
}

async function fetchOne(application: string, d: DeclaredSource, index: number, options: SourceFetchOptions): Promise<FetchedSource> {
    const { source } = d;
    const pin = options.pins?.[index];
    const credentials = options.credentials[index];
    try {
        if (source.chart !== undefined) {
            const chart = await fetchChart(source.repoURL, source.chart, pin ?? source.targetRevision, {
                cacheDir: options.cacheDir,
                credentials,
                passCredentials: source.helm?.passCredentials,
            });
            return { ...d, kind: "chart", repoURL: source.repoURL, targetRevision: source.targetRevision ?? "", revision: chart.version, checkoutDir: chart.rootDir, path: chart.chartFolder };
        }
        const fetched = await fetchRevision(source.repoURL, pin ?? source.targetRevision, { cacheDir: options.cacheDir, baseDir: options.baseDir, credentials });
        return { ...d, kind: "git", repoURL: source.repoURL, targetRevision: source.targetRevision ?? "HEAD", revision: fetched.commit, checkoutDir: fetched.checkoutDir, path: source.path ?? "." };
    } catch (err) {
        if (err instanceof GitSourceError || err instanceof HelmRepositoryError) {
            const field = err instanceof HelmRepositoryError ? err.field : "repoURL";
            throw new SyncWaveInputError(err.message, { application, field: `${d.field}.${field}` });
        }
        throw err;
    }
}

/** Fetches every source (concurrently); fails on the first that cannot be fetched, naming its field. */
export function fetchSources(application: string, declared: readonly DeclaredSource[], options: SourceFetchOptions): Promise<FetchedSource[]> {
    return Promise.all(declared.map((d, i) => fetchOne(application, d, i, options)));
}

/** The checkouts `$ref/...` value files read, or undefined for a single-source Application (which has no refs). */
export function refCheckouts(fetched: readonly FetchedSource[]): RefCheckouts | undefined {
    if (!fetched.some((f) => f.multi)) return undefined;
    return Object.fromEntries(fetched.filter((f) => f.source.ref !== undefined).map((f) => [f.source.ref!, f.checkoutDir]));
}

export interface SourcesRenderOptions {
    namespace?: string;
    helmTemplate?: HelmTemplate;
    /** The Application's Project, for Argo CD's build environment (ARGOCD_APP_PROJECT_NAME). */
    project?: string;
}

/** Renders the sources in order and concatenates them; a multi-source error says which source failed. */
export async function renderSources(application: string, fetched: readonly FetchedSource[], options: SourcesRenderOptions): Promise<SourcedManifest[]> {
    const refs = refCheckouts(fetched);
    const all: SourcedManifest[] = [];
    for (const f of fetched) {
        if (!rendersManifests(f)) continue;
        try {
            const manifests = await renderSource(
                {
                    application,
                    checkoutDir: f.checkoutDir,
                    path: f.path,
                    directory: f.source.directory,
                    helm: f.source.helm,
                    kustomize: f.source.kustomize,
                    namespace: options.namespace,
                    refs,
                    build: { project: options.project, revision: f.revision, repoURL: f.repoURL, targetRevision: f.targetRevision },
                },
                options.helmTemplate,
            );
            // The file names the source too when there are several, and the chart for a repository chart.
            for (const m of manifests) {
                const file = f.kind === "chart" ? `chart ${f.source.chart} ${f.revision} from ${f.repoURL} (helm template)` : m.file;
                all.push({ ...m, file: f.multi ? `${f.field}: ${file}` : file });
            }
        } catch (err) {
            if (f.multi && err instanceof SyncWaveInputError) throw new SyncWaveInputError(`${f.field} (${f.repoURL}): ${err.message}`);
            throw err;
        }
    }
    return all;
}
