// Charts from Helm repositories (`source.chart` with an http or https `repoURL`): index.yaml is read at
// every sync, `targetRevision` (a version or a semver constraint) picks the version, and that version's
// archive is downloaded, its digest checked and unpacked once into a cache kept by repository, chart,
// version and digest. Nothing is bundled: a chart comes from its repository at sync time, as in Argo CD
// (reposerver/repository/repository.go, newHelmClientResolveRevision; util/helm/client.go ExtractChart).
// OCI registries are refused for now.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { extractChart, ChartArchiveError, verifyDigest } from "./chart-archive";
import type { GitCredentials } from "./git";
import { HelmIndexError, indexURL, isOciRepoURL, parseIndex, pickChart, type HelmIndex } from "./helm-index";
import { httpGet, HttpGetError, shownURL } from "./http-get";

export interface ChartFetchOptions {
    /** The cache's root; charts go to `<cacheDir>/charts`. */
    cacheDir: string;
    credentials?: GitCredentials;
    passCredentials?: boolean;
    timeoutMs?: number;
}

export interface FetchedChart {
    repoURL: string;
    chart: string;
    /** As the Application asks: a version or a constraint. */
    targetRevision: string;
    /** The version it resolved to: the revision SyncWave records for this source. */
    version: string;
    /** The folder that holds the unpacked chart folder (the "checkout" a render reads). */
    rootDir: string;
    /** The chart folder's name inside rootDir. */
    chartFolder: string;
}

/** Why a chart source cannot be fetched; the message names the repository without credentials. */
export class HelmRepositoryError extends Error {
    constructor(
        message: string,
        /** The source field to look at. */
        readonly field: "repoURL" | "chart" | "targetRevision" = "repoURL",
    ) {
        super(message);
        this.name = "HelmRepositoryError";
    }
}

const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** Refuses what SyncWave cannot fetch a chart from, before any request. */
export function checkChartRepoURL(repoURL: string): void {
    if (isOciRepoURL(repoURL)) {
        throw new HelmRepositoryError(
            `${shownURL(repoURL)} names an OCI registry: OCI Helm charts are not supported yet; use the chart's http(s) Helm repository (one that serves index.yaml)`,
        );
    }
    let url: URL;
    try {
        url = new URL(repoURL);
    } catch {
        throw new HelmRepositoryError(`${shownURL(repoURL)} is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new HelmRepositoryError(`${repoURL}: a Helm chart repository is served over http or https, not ${url.protocol}`);
    }
    if (url.username || url.password) {
        throw new HelmRepositoryError(`${shownURL(repoURL)} holds credentials: put them in syncwave:repoCredentials, which are kept secret`);
    }
}

/** The chart's folder name inside its archive: the last segment of its name, as Argo CD's normalizeChartName. */
export function chartFolderName(chart: string): string {
    const last = chart.split("/").pop() ?? "";
    if (last === "" || last === "." || last === ".." || !/^[A-Za-z0-9._-]+$/.test(last)) {
        throw new HelmRepositoryError(`"${chart}" is not a chart name`, "chart");
    }
    return last;
}

function hashOf(s: string): string {
    return createHash("sha256").update(s).digest("hex").slice(0, 24);
}

// One index per repository and program: Applications of one sync that share a repository read it once.
const indexesInFlight = new Map<string, Promise<HelmIndex>>();
const chartsInFlight = new Map<string, Promise<string>>();

function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let pending = cache.get(key);
    if (!pending) {
        pending = make();
        cache.set(key, pending);
        pending.catch(() => cache.delete(key));
    }
    return pending;
}

async function readIndex(repoURL: string, options: ChartFetchOptions): Promise<HelmIndex> {
    const url = indexURL(repoURL);
    const body = await httpGet(url, { ...options, repoURL, maxBytes: MAX_INDEX_BYTES, expected: "the repository's index.yaml" });
    try {
        return parseIndex(body.toString("utf8"));
    } catch (err) {
        if (err instanceof HelmIndexError) throw new HelmRepositoryError(`${shownURL(url)}: ${err.message}`);
        throw err;
    }
}

/**
 * Moves a finished download into its place. Another process (a parallel sync of another stack) may
 * have put the same chart there first and be rendering from it: that one is kept, never removed
 * under it; only a folder without its completion mark (left by an older, interrupted download) is
 * moved aside for the new one.
 */
function publishChart(partial: string, dir: string, done: string): void {
    if (existsSync(dir) && !existsSync(done)) {
        const aside = `${dir}.incomplete-${process.pid}`;
        try {
            renameSync(dir, aside);
            rmSync(aside, { recursive: true, force: true });
        } catch {
            // another process moved it first
        }
    }
    try {
        renameSync(partial, dir);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The same chart, finished by another process between the check and here: use that one.
        if ((code === "ENOTEMPTY" || code === "EEXIST") && existsSync(done)) rmSync(partial, { recursive: true, force: true });
        else throw err;
    }
}

/** Downloads, checks and unpacks one chart version into the cache (once); returns the folder holding it. */
async function cachedChart(repoURL: string, entry: { archiveURL: string; digest?: string; version: string }, folder: string, options: ChartFetchOptions): Promise<string> {
    const charts = join(options.cacheDir, "charts");
    const dir = join(charts, hashOf(`${repoURL}\n${folder}\n${entry.version}\n${entry.digest ?? ""}`));
    const done = join(dir, ".complete");
    if (existsSync(done)) return join(dir, "chart");
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
        const archive = await httpGet(entry.archiveURL, { ...options, repoURL, maxBytes: MAX_ARCHIVE_BYTES, expected: `the chart archive of ${folder} ${entry.version}` });
        verifyDigest(archive, entry.digest);
        const file = join(partial, "chart.tgz");
        writeFileSync(file, archive);
        await extractChart(file, join(partial, "chart"), folder);
        writeFileSync(join(partial, ".complete"), `${entry.archiveURL}\n`);
        publishChart(partial, dir, done);
    } catch (err) {
        rmSync(partial, { recursive: true, force: true });
        if (err instanceof ChartArchiveError) throw new HelmRepositoryError(`chart ${folder} ${entry.version} from ${shownURL(entry.archiveURL)}: ${err.message}`);
        throw err;
    }
    return join(dir, "chart");
}

/** Resolves `targetRevision` against the repository's index and returns the unpacked chart. */
export async function fetchChart(repoURL: string, chart: string, targetRevision: string | undefined, options: ChartFetchOptions): Promise<FetchedChart> {
    checkChartRepoURL(repoURL);
    const folder = chartFolderName(chart);
    const revision = targetRevision ?? "";
    try {
        const index = await once(indexesInFlight, `${resolve(options.cacheDir)}\n${repoURL}`, () => readIndex(repoURL, options));
        let entry;
        try {
            entry = pickChart(index, repoURL, chart, revision);
        } catch (err) {
            if (err instanceof HelmIndexError) throw new HelmRepositoryError(`${shownURL(indexURL(repoURL))}: ${err.message}`, index.entries[chart] ? "targetRevision" : "chart");
            throw err;
        }
        const key = `${resolve(options.cacheDir)}\n${repoURL}\n${folder}\n${entry.version}\n${entry.digest ?? ""}`;
        const rootDir = await once(chartsInFlight, key, () => cachedChart(repoURL, entry, folder, options));
        return { repoURL, chart, targetRevision: revision, version: entry.version, rootDir, chartFolder: folder };
    } catch (err) {
        if (err instanceof HttpGetError) throw new HelmRepositoryError(err.message);
        throw err;
    }
}

/** Forgets the program's index reads (tests that change a repository between syncs in one process). */
export function forgetIndexes(): void {
    indexesInFlight.clear();
}
