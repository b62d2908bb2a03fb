// Symlinks that lead out of a checkout. Argo CD refuses a whole repository that holds one, whatever
// the source type and wherever the link sits, before it renders anything: util/app/path/path.go
// `CheckOutOfBoundsSymlinks`, run on every git checkout by reposerver/repository/repository.go with
// `.git` skipped. Renderers (kustomize, helm) follow links on their own, so checking only the files
// SyncWave itself reads would not be enough.
import { readdirSync, readlinkSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { CheckoutPathError, isWithin } from "./checkout-paths";

/** Whether the symlink at `link` is absolute or leads, at any step or in the end, outside `root`. */
function leavesRoot(root: string, link: string): boolean {
    const target = readlinkSync(link);
    // Every absolute link is refused, as Argo CD does, even one that happens to point inside.
    if (isAbsolute(target)) return true;
    // Step through the target as Argo CD does: `a/../../x` climbs out at its second `..` even when
    // the end result would be back inside.
    let current = dirname(link);
    for (const part of target.split(sep)) {
        current = join(current, part);
        if (!isWithin(root, current)) return true;
    }
    // The steps above treat every segment as a plain folder; a `..` taken after another link goes
    // where that link points. The resolved target settles it.
    try {
        return !isWithin(root, realpathSync(link));
    } catch {
        // Dangling or looping: nothing outside is reachable through it.
        return false;
    }
}

/** The first out-of-bounds symlink below `root` (relative to it, `.git` skipped), in a stable order. */
export function findOutOfBoundsSymlink(root: string): string | undefined {
    const pending = [root];
    while (pending.length > 0) {
        const dir = pending.shift()!;
        let entries;
        try {
            entries = readdirSync(dir, { withFileTypes: true });
        } catch (err) {
            // A file removed while walking (a lock file, say) is not a link.
            if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
            throw err;
        }
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
            const path = join(dir, entry.name);
            if (dir === root && entry.name === ".git") continue;
            if (entry.isSymbolicLink()) {
                if (leavesRoot(root, path)) return relative(root, path);
            } else if (entry.isDirectory()) {
                pending.push(path);
            }
        }
    }
    return undefined;
}

// A checkout holds one commit and is never changed once made, so a verdict of "clean" holds for the
// program's lifetime; Argo CD caches it per root and revision in the same way. Only clean roots are kept.
const clean = new Set<string>();

/** Refuses a checkout that holds an out-of-bounds symlink anywhere; `root` is its real path. */
export function assertNoOutOfBoundsSymlinks(root: string): void {
    if (clean.has(root)) return;
    const link = findOutOfBoundsSymlink(root);
    if (link !== undefined) throw new CheckoutPathError(link, "is a symlink pointing outside the checkout (absolute or climbing out of it)");
    clean.add(root);
}
