// Repairs what a killed Pulumi leaves in a file backend. The backend's blob store (gocloud.dev fileblob)
// writes each blob to a temporary file and renames it into place, but writes the blob's attributes
// file (`X.attrs`: content type, checksum) in place: a process killed between truncating and writing
// it leaves an empty `.attrs`, and every later command fails with "failed to load checkpoint: EOF".
// fileblob reads a missing attributes file as default attributes (fileblob/attrs.go, getAttrs), so an
// empty or unreadable one is removed; temporary files of writes that never finished go too. Only run
// when the stack's lock is held by a process that is gone (stale-lock.ts): nobody is writing.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { backupsFolder, historyFolder, stackRef } from "../backend/stack-keys";
import { fileBackendRoot, shortStackName } from "../fast/stack-files";

/** fileblob's temporary files: `<blob>.<16 hex digits>.tmp`. */
const TEMPORARY = /\.[0-9a-f]{16}\.tmp$/;

function readableAttributes(path: string): boolean {
    try {
        const value = JSON.parse(readFileSync(path, "utf8")) as unknown;
        return Boolean(value) && typeof value === "object";
    } catch {
        return false;
    }
}

/** Of a folder's files, those a killed write left: unreadable attributes of an existing blob, unfinished temporary files. */
export function leftByKilledWrites(folder: string, files: readonly string[], readable: (path: string) => boolean = readableAttributes): string[] {
    return files.filter((f) => (f.endsWith(".attrs") && !readable(join(folder, f))) || TEMPORARY.test(f));
}

/** Removes them from the stack's folders of a file backend; returns the paths removed (none for another backend). */
export function repairFileBackend(backendUrl: string | undefined, project: string, stack: string): string[] {
    const root = fileBackendRoot(backendUrl);
    if (!root) return [];
    const name = shortStackName(stack);
    const ref = stackRef(project, stack);
    const folders = [join(root, ".pulumi", "stacks", project), join(root, historyFolder(ref)), join(root, backupsFolder(ref)), join(root, ".pulumi", "locks")];
    const removed: string[] = [];
    for (const folder of folders) {
        if (!existsSync(folder)) continue;
        const files = readdirSync(folder, { recursive: true }).map(String);
        // In the stacks folder only this stack's blobs; elsewhere the folder is the stack's own (locks: its subfolder).
        const mine = folder.endsWith(join("stacks", project))
            ? files.filter((f) => f.startsWith(`${name}.json`))
            : folder.endsWith("locks")
              ? files.filter((f) => f.split("/").slice(-3, -1).join("/") === `${project}/${name}`)
              : files;
        for (const file of leftByKilledWrites(folder, mine)) {
            rmSync(join(folder, file), { force: true });
            removed.push(join(folder, file));
        }
    }
    return removed;
}
