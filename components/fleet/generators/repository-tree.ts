// What the git generators see of a checked-out revision, listed as Argo CD's repo-server lists it
// (reposerver/repository/repository.go):
//  - directories (GetGitDirectories): filepath.WalkDir from the root, depth first in name order, every
//    directory but the root; a directory whose name starts with "." is skipped with all it contains
//    (the repo-server's default; --include-hidden-directories is off); symlinks are not followed;
//  - files (GetGitFiles): what `git ls-files` lists, i.e. every file of the commit, hidden ones
//    included; a checkout holds exactly those, so they are read from disk, without ".git".
import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";

/** Go's sort.Strings order: by UTF-8 bytes. */
export function compareBytes(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

async function entries(dir: string) {
    const found = await readdir(dir, { withFileTypes: true });
    return found.sort((a, b) => compareBytes(a.name, b.name));
}

export async function listDirectories(root: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string) => {
        for (const entry of await entries(dir)) {
            if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
            const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
            out.push(path);
            await walk(join(dir, entry.name), path);
        }
    };
    await walk(root, "");
    return out;
}

export async function listFiles(root: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string) => {
        for (const entry of await entries(dir)) {
            if (entry.name === ".git") continue;
            const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
            if (entry.isDirectory()) await walk(join(dir, entry.name), path);
            else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
        }
    };
    await walk(root, "");
    return out.sort(compareBytes);
}

/**
 * A listed file's content. A symlink is followed (git ls-files lists it and the repo-server reads
 * through it), but only within the checkout: a repository must not read files of the machine.
 */
export async function readRepositoryFile(root: string, path: string): Promise<Buffer> {
    const full = join(root, ...path.split("/"));
    if ((await lstat(full)).isSymbolicLink()) {
        const [target, realRoot] = await Promise.all([realpath(full), realpath(root)]);
        const inside = relative(realRoot, target);
        if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
            throw new Error(`${path} is a symlink to a file outside the repository`);
        }
    }
    return readFile(full);
}
