// A Helm repository's index.yaml, as pure functions: where it is, which version of a chart a
// targetRevision picks, and where that version's archive is. Argo CD: util/helm/client.go (getIndexURL,
// IsHelmOciRepo), util/helm/index.go, util/versions/tags.go (MaxVersion); Helm's repo.ResolveReferenceURL
// for archive URLs relative to the repository.
import semver from "semver";
import { parse } from "yaml";

export interface ChartVersionEntry {
    version: string;
    /** Archive locations, absolute or relative to the repository URL; the first is used, as Helm does. */
    urls: string[];
    /** sha256 of the archive, hex, when the repository publishes one. */
    digest?: string;
}

export interface HelmIndex {
    entries: Record<string, ChartVersionEntry[]>;
}

/** A problem with what a repository serves or what a source asks of it; the caller adds the URL. */
export class HelmIndexError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HelmIndexError";
    }
}

/**
 * Argo CD's IsHelmOciRepo: `oci://…`, or a URL without a scheme (`registry.example.com/charts`),
 * names an OCI registry rather than an index.yaml repository.
 */
export function isOciRepoURL(repoURL: string): boolean {
    if (repoURL.startsWith("oci://")) return true;
    return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL);
}

/** The repository URL with one trailing slash, so relative references resolve below it, not beside it. */
function asFolder(repoURL: string): URL {
    const url = new URL(repoURL);
    if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
    return url;
}

/** `<repoURL>/index.yaml`, the query string kept (some repositories sign their URLs). */
export function indexURL(repoURL: string): string {
    const url = asFolder(repoURL);
    url.pathname = `${url.pathname}index.yaml`;
    return url.toString();
}

/**
 * An archive URL from index.yaml: absolute as is, else relative to the repository folder with the
 * repository's query string, as Helm's ResolveReferenceURL does.
 */
export function chartArchiveURL(repoURL: string, reference: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return new URL(reference).toString();
    const base = asFolder(repoURL);
    const resolved = new URL(reference, base);
    if (!reference.includes("?")) resolved.search = base.search;
    return resolved.toString();
}

/** Reads index.yaml; refused when it is not a Helm repository index. */
export function parseIndex(text: string): HelmIndex {
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (err) {
        throw new HelmIndexError(`index.yaml is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    const entries = (doc as { entries?: unknown } | null)?.entries;
    if (!entries || typeof entries !== "object" || Array.isArray(entries)) {
        throw new HelmIndexError("index.yaml has no `entries` map: this is not a Helm chart repository");
    }
    const result: HelmIndex = { entries: {} };
    for (const [name, versions] of Object.entries(entries as Record<string, unknown>)) {
        if (!Array.isArray(versions)) continue;
        result.entries[name] = versions
            .filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === "object")
            .map((v) => ({
                version: String(v.version ?? ""),
                urls: Array.isArray(v.urls) ? v.urls.map(String) : [],
                digest: typeof v.digest === "string" && v.digest ? v.digest : undefined,
            }));
    }
    return result;
}

/**
 * Masterminds' constraint syntax (Argo CD's) in npm semver's: `,` is AND in Masterminds and a space in
 * npm; `||`, `^`, `~`, `x`, `*` and comparison operators read the same in both.
 */
function asRange(constraint: string): string | null {
    return semver.validRange(constraint.replace(/\s*,\s*/g, " "));
}

/**
 * The version a targetRevision picks among a chart's versions, as Argo CD's MaxVersion: an exact
 * version names itself (and must be published), a semver constraint picks the highest version that
 * satisfies it (prereleases only when the constraint names one), anything else must match a version
 * string exactly.
 */
export function resolveChartVersion(chart: string, available: readonly ChartVersionEntry[], targetRevision: string): ChartVersionEntry {
    const revision = targetRevision.trim();
    if (revision === "") {
        throw new HelmIndexError(`targetRevision is empty: a chart source needs a version (1.2.3) or a semver constraint (^1.2, >=1.0 <2.0, *)`);
    }
    const exact = semver.valid(revision, { loose: true });
    if (exact) {
        const found =
            available.find((e) => e.version === revision) ?? available.find((e) => semver.valid(e.version, { loose: true }) && semver.eq(e.version, exact, { loose: true }));
        if (found) return found;
        throw new HelmIndexError(`chart ${chart} has no version ${revision} (published: ${listVersions(available)})`);
    }
    const range = asRange(revision);
    if (range === null) {
        const found = available.find((e) => e.version === revision);
        if (found) return found;
        throw new HelmIndexError(`targetRevision "${revision}" is neither a version nor a semver constraint, and chart ${chart} has no version named so (published: ${listVersions(available)})`);
    }
    let best: ChartVersionEntry | undefined;
    for (const entry of available) {
        // Versions that are not semver are skipped, as Argo CD skips them.
        if (!semver.valid(entry.version, { loose: true })) continue;
        if (!semver.satisfies(entry.version, range, { loose: true })) continue;
        if (!best || semver.gt(entry.version, best.version, { loose: true })) best = entry;
    }
    if (!best) throw new HelmIndexError(`no version of chart ${chart} satisfies ${revision} (published: ${listVersions(available)})`);
    return best;
}

function listVersions(available: readonly ChartVersionEntry[]): string {
    if (available.length === 0) return "none";
    const shown = available.slice(0, 10).map((e) => e.version);
    return available.length > 10 ? `${shown.join(", ")}, … ${available.length - 10} more` : shown.join(", ");
}

/** The entry for `chart` at `targetRevision`, with the archive URL resolved. */
export function pickChart(index: HelmIndex, repoURL: string, chart: string, targetRevision: string): ChartVersionEntry & { archiveURL: string } {
    const versions = index.entries[chart];
    if (!versions) throw new HelmIndexError(`chart ${chart} is not in the repository's index.yaml`);
    const entry = resolveChartVersion(chart, versions, targetRevision);
    if (entry.urls.length === 0) throw new HelmIndexError(`chart ${chart} version ${entry.version} lists no archive URL in index.yaml`);
    return { ...entry, archiveURL: chartArchiveURL(repoURL, entry.urls[0]) };
}
