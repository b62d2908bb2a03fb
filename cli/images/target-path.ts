// Where a write-back target lies in the repository, as Image Updater resolves it (pkg/argocd/update.go
// parseKustomizeBase, parseTarget, parseDefaultTarget): relative to the Application's source path, or
// to the repository root when written with a leading `/`; never outside the repository.
import { posix } from "node:path";
import type { WriteBackTarget } from "./annotations";

/** A repository-relative path, or an error naming what leaves the repository. */
export function repositoryPath(raw: string, sourcePath: string): string {
    const joined = raw.startsWith("/") ? posix.normalize(raw.slice(1) || ".") : posix.join(sourcePath || ".", raw || ".");
    const normal = posix.normalize(joined);
    if (normal === ".." || normal.startsWith("../") || posix.isAbsolute(normal)) throw new Error(`${raw} leads outside the repository`);
    return normal;
}

/**
 * The file (argocd-source, helmvalues) or folder (kustomization) the target names. Argo CD reads
 * `.argocd-source-<app>.yaml` without a namespace in its name for Applications in Argo CD's own
 * namespace, which is the only kind SyncWave has.
 */
export function targetPath(target: WriteBackTarget, application: string, sourcePath: string): string {
    switch (target.kind) {
        case "argocd-source":
            return repositoryPath(`.argocd-source-${application}.yaml`, sourcePath);
        case "kustomization":
            return repositoryPath(target.base, sourcePath);
        case "helmvalues":
            return repositoryPath(target.file, sourcePath);
    }
}
