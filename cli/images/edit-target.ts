// The write-back target's new text: the edit the target's kind calls for, with what the Application's
// source says about itself read as rendering reads it (the folder's parameter override files merged
// over the Application's settings, validated, before the source type is decided).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { realCheckoutRoot, resolveSourcePath } from "../../components/source/checkout-paths";
import { sourceType } from "../../components/source/render";
import { sourceOverrideFiles, withSourceOverrides } from "../../components/source/source-overrides";
import type { ImageUpdaterConfig } from "./annotations";
import type { DeclaredApplication } from "./declared-applications";
import { namingPath, TARGET_ANNOTATION } from "./target-file";
import { editArgocdSource, editHelmValues, editKustomization, type HelmParameter, type ImageChange } from "./write-back";

/** The target's text with the changes made; `before` is undefined when the file does not exist yet. */
export function editedTarget(app: DeclaredApplication, config: ImageUpdaterConfig, file: string, before: string | undefined, changes: readonly ImageChange[], checkoutDir: string): string {
    const source = app.spec.source!;
    switch (config.target.kind) {
        case "kustomization":
            return editKustomization(before!, file, changes);
        case "helmvalues":
            if (before === undefined) throw new Error(`${TARGET_ANNOTATION}: ${file} does not exist in ${source.repoURL}`);
            return editHelmValues(before, file, changes);
        case "argocd-source":
            return editOverrideFile(app, file, before, changes, checkoutDir);
    }
}

function editOverrideFile(app: DeclaredApplication, file: string, before: string | undefined, changes: readonly ImageChange[], checkoutDir: string): string {
    const source = app.spec.source!;
    const sourcePath = source.path ?? ".";
    const root = realCheckoutRoot(checkoutDir);
    const dir = namingPath(() => resolveSourcePath(root, sourcePath));
    if (dir === undefined) throw new Error(`spec.source.path: ${sourcePath} does not exist in ${source.repoURL}`);
    const settings = { helm: source.helm, kustomize: source.kustomize, directory: source.directory };
    const read = (real: string) => readFileSync(real, "utf8");
    // As rendering: both override files count when deciding the type (a `kustomize` key in one makes it Kustomize).
    const rendered = namingPath(() => withSourceOverrides(app.name, settings, root, dir, sourcePath, read));
    const type = sourceType(rendered, dir);
    if (type === "Directory") {
        throw new Error(`its source ${sourcePath} is a plain directory: Argo CD's parameter override files change Helm and Kustomize sources only; use write-back-target kustomization:<path> or helmvalues:<path>`);
    }
    for (const change of changes) {
        if (type === "Helm" && change.config.kustomize) throw new Error(`annotation argocd-image-updater.argoproj.io/${change.config.alias}.kustomize.image-name: the source is a Helm chart`);
        if (type === "Kustomize" && change.config.helm) throw new Error(`annotation argocd-image-updater.argoproj.io/${change.config.alias}.helm.*: the source is a Kustomize folder`);
    }
    // The lists the rewritten file starts from: every override file but itself over the Application's
    // own, since a list in the file replaces the one below it whole.
    const others = sourceOverrideFiles(app.name).filter((name) => name !== basename(file));
    const base = namingPath(() => withSourceOverrides(app.name, settings, root, dir, sourcePath, read, others)) as { helm?: { parameters?: HelmParameter[] }; kustomize?: { images?: string[] } };
    return editArgocdSource(before, file, type, { helmParameters: base.helm?.parameters, kustomizeImages: base.kustomize?.images }, changes);
}
