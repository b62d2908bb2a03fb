// The write-back target as a file of the clone: which file the target names, and its text, read as
// rendering reads files (a symlink out of the repository is refused).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CheckoutPathError, realCheckoutRoot, realPathWithin } from "../../components/source/checkout-paths";
import type { ImageUpdaterConfig } from "./annotations";
import { targetPath } from "./target-path";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
export const TARGET_ANNOTATION = "annotation argocd-image-updater.argoproj.io/write-back-target";

/** `read`, with a checkout path error naming its path: the error's own message leaves it out, and the reason shown for an Application needs it. */
export function namingPath<T>(read: () => T): T {
    try {
        return read();
    } catch (err) {
        if (err instanceof CheckoutPathError) throw new Error(`${err.file} ${err.message}`);
        throw err;
    }
}

/** A repository-relative file of the clone, undefined when missing. */
export function readInside(checkoutDir: string, file: string): string | undefined {
    const real = namingPath(() => realPathWithin(realCheckoutRoot(checkoutDir), join(checkoutDir, file), file));
    return real === undefined ? undefined : readFileSync(real, "utf8");
}

/** The repository-relative file the target edits: for a kustomization, the kustomization file in its folder. */
export function targetFile(config: ImageUpdaterConfig, application: string, sourcePath: string, checkoutDir: string): string {
    const path = targetPath(config.target, application, sourcePath);
    if (config.target.kind !== "kustomization") return path;
    const found = KUSTOMIZATION_FILES.map((n) => join(path, n)).find((f) => existsSync(join(checkoutDir, f)));
    if (!found) throw new Error(`${TARGET_ANNOTATION}: no kustomization in ${path}`);
    return found;
}
