// A chart archive (.tgz) checked and unpacked: its sha256 must be the digest index.yaml publishes, and
// every entry must be a plain file or folder inside the chart's own top folder. An archive with a
// symlink, a hard link, a device, an absolute path or a `..` segment is refused whole, before anything
// is written (npm `tar` would strip such paths silently; a chart has no use for them).
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { extract, list, type ReadEntry } from "tar";

export class ChartArchiveError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ChartArchiveError";
    }
}

/** Argo CD's default limit on what a chart may unpack to is larger; 256 MiB is far above any real chart. */
export const MAX_EXTRACTED_BYTES = 256 * 1024 * 1024;

const PLAIN_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory"]);

/** The digest index.yaml gives (hex, optionally `sha256:`-prefixed), checked against the archive. */
export function verifyDigest(archive: Buffer, digest: string | undefined): void {
    if (!digest) return;
    const expected = digest.replace(/^sha256:/i, "").toLowerCase();
    const actual = createHash("sha256").update(archive).digest("hex");
    if (actual !== expected) throw new ChartArchiveError(`the archive's sha256 is ${actual}, index.yaml says ${expected}`);
}

/** Why one entry is refused, or undefined when it is a plain file or folder under `topFolder`. */
export function unsafeEntry(path: string, type: string, topFolder: string): string | undefined {
    if (!PLAIN_TYPES.has(type)) return `${path}: a ${type} entry (only plain files and folders are accepted)`;
    if (path.startsWith("/") || path.startsWith("\\") || /^[a-zA-Z]:/.test(path)) return `${path}: an absolute path`;
    const segments = path.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
    if (segments.includes("..")) return `${path}: a path with ".." that leaves the chart folder`;
    if (segments[0] !== topFolder) return `${path}: outside the chart's folder ${topFolder}/`;
    return undefined;
}

/** Every refusal in the archive (empty when it is safe), reading it without writing anything. */
export async function inspectArchive(file: string, topFolder: string): Promise<{ problems: string[]; hasChartYaml: boolean }> {
    const problems: string[] = [];
    let hasChartYaml = false;
    let total = 0;
    try {
        await list({
            file,
            strict: true,
            onReadEntry: (entry: ReadEntry) => {
                const problem = unsafeEntry(entry.path, entry.type, topFolder);
                if (problem) problems.push(problem);
                total += entry.size ?? 0;
                if (entry.path.replace(/^\.\//, "") === `${topFolder}/Chart.yaml`) hasChartYaml = true;
            },
        });
    } catch (err) {
        throw new ChartArchiveError(`the archive is not a readable .tgz: ${(err as Error).message}`);
    }
    if (total > MAX_EXTRACTED_BYTES) problems.push(`it unpacks to ${total} bytes, more than the limit of ${MAX_EXTRACTED_BYTES}`);
    return { problems, hasChartYaml };
}

/** Unpacks `file` into `targetDir` once inspectArchive found nothing to refuse; returns the chart folder. */
export async function extractChart(file: string, targetDir: string, topFolder: string): Promise<string> {
    const { problems, hasChartYaml } = await inspectArchive(file, topFolder);
    if (problems.length > 0) throw new ChartArchiveError(`the archive is refused: ${problems.slice(0, 5).join("; ")}`);
    if (!hasChartYaml) throw new ChartArchiveError(`the archive has no ${topFolder}/Chart.yaml`);
    mkdirSync(targetDir, { recursive: true });
    // Checked above; the filter keeps the same rule at the write, and tar's own path checks stay on.
    await extract({ file, cwd: targetDir, strict: true, preservePaths: false, noChmod: true, filter: (path, entry) => !unsafeEntry(path, (entry as ReadEntry).type, topFolder) });
    return `${targetDir}/${topFolder}`;
}
