// Paths inside an Application's checkout. Every path a source names (`source.path`, a Helm value file,
// a file a renderer reads) must resolve, symlinks followed, inside that Application's own checkout: not
// elsewhere on the host, and not in another repository's checkout that shares the cache folder.
import { realpathSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";

/** A path that leaves the checkout or cannot be resolved; `file` is the path as the user wrote it. */
export class CheckoutPathError extends Error {
    constructor(
        readonly file: string,
        message: string,
    ) {
        super(message);
        this.name = "CheckoutPathError";
    }
}

/** True when `path` is `root` itself or lies below it (both absolute). */
export function isWithin(root: string, path: string): boolean {
    const rel = relative(root, path);
    // A plain prefix test would let a root of /c/app accept /c/app2: compare whole segments.
    return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The checkout's real location, so that comparisons hold when the cache sits below a symlinked folder. */
export function realCheckoutRoot(checkoutDir: string): string {
    return realpathSync(checkoutDir);
}

/**
 * The real path of `path` (every symlink on the way followed), or undefined when nothing is there.
 * Refused when it resolves outside `root`; `file` names it in the error.
 */
export function realPathWithin(root: string, path: string, file: string): string | undefined {
    let real: string;
    try {
        real = realpathSync(path);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        if (code === "ELOOP") throw new CheckoutPathError(file, "is a symlink loop");
        throw err;
    }
    if (!isWithin(root, real)) throw new CheckoutPathError(file, "resolves to outside the checkout");
    return real;
}

/**
 * The source folder `source.path` names, or undefined when it does not exist. As Argo CD's
 * util/app/path/path.go `Path`: an absolute path is refused, and so is one whose `..` segments climb
 * out of the repository; symlinks on the way must also stay inside.
 */
export function resolveSourcePath(root: string, path: string): string | undefined {
    if (isAbsolute(path)) throw new CheckoutPathError(path, "source.path is absolute; it is relative to the repository root");
    const joined = join(root, path);
    if (!isWithin(root, joined)) throw new CheckoutPathError(path, "source.path leads outside the checkout");
    return realPathWithin(root, joined, path);
}

/**
 * A Helm value file, or undefined when it does not exist. As Argo CD's util/io/path/resolved.go
 * `ResolveValueFilePathOrUrl`: a relative name is relative to the chart folder and may reach elsewhere
 * in the repository (`../common/values.yaml`); an absolute name is relative to the repository root,
 * never to the host; the resolved file must lie inside the repository and must not be its root.
 */
export function resolveValueFile(root: string, chartDir: string, file: string): string | undefined {
    const joined = isAbsolute(file) ? join(root, file) : join(chartDir, file);
    if (!isWithin(root, joined)) throw new CheckoutPathError(file, "value file leads outside the checkout");
    const real = realPathWithin(root, joined, file);
    if (real === root) throw new CheckoutPathError(file, "value file resolves to the repository root");
    return real;
}
