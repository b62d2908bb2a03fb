// Where `source.kustomize` edits happen: a temporary copy of the checkout (never the cached checkout,
// which later syncs and other Applications reuse), with the source folder's kustomization file edited
// as Argo CD's `kustomize edit` calls would. The copy is checked again for paths leaving it, since
// the edits may add components and patch files.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { isWithin } from "./checkout-paths";
import type { BuildEnv } from "./envsubst";
import { editKustomizationText, KustomizeEditError } from "./kustomize-overrides";
import { assertKustomizationInside, kustomizationFile } from "./kustomize-references";
import type { KustomizeSource } from "./source-types";

export interface KustomizeWorkspace {
    /** The source folder inside the copy. */
    dir: string;
    /** Removes the copy. */
    dispose(): void;
}

/**
 * Copies the checkout (`root`, real path) without `.git`, edits the kustomization of `dir` (a folder
 * inside it) in the copy and checks the edited copy. Refusals are KustomizeEditError (a field at
 * fault) or CheckoutPathError (a path leaving the checkout).
 */
export function prepareKustomizeWorkspace(root: string, dir: string, overrides: KustomizeSource, env: BuildEnv): KustomizeWorkspace {
    const file = kustomizationFile(dir);
    if (!file) throw new KustomizeEditError("source.kustomize", "the source folder has no kustomization file to apply these settings to");
    // A component outside the checkout is left to the escape check on the copy, which names it.
    const componentExists = (path: string) => !isWithin(root, join(dir, path)) || existsSync(join(dir, path));
    const edited = editKustomizationText(readFileSync(file, "utf8"), overrides, env, componentExists);

    const copyRoot = mkdtempSync(join(tmpdir(), "syncwave-kustomize-"));
    const dispose = () => rmSync(copyRoot, { recursive: true, force: true });
    try {
        cpSync(root, copyRoot, {
            recursive: true,
            verbatimSymlinks: true,
            filter: (source) => relative(root, source) !== ".git",
        });
        const copyDir = join(copyRoot, relative(root, dir));
        writeFileSync(join(copyDir, basename(file)), edited);
        assertKustomizationInside(copyRoot, copyDir);
        return { dir: copyDir, dispose };
    } catch (err) {
        dispose();
        throw err;
    }
}
