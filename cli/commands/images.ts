// `syncwave images update`: Argo CD Image Updater's model, through git. For each Application with
// Image Updater annotations, each listed image that it runs (as its last sync applied it) is compared
// with its registry's tags under the image's strategy; newer versions are written to the Application's
// repository (`.argocd-source-<app>.yaml`, a kustomization or a Helm values file) in one commit per
// Application, which the next sync deploys. --dry-run shows the change and commits nothing.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseImageUpdaterAnnotations, type ImageConfig, type ImageUpdaterConfig } from "../images/annotations";
import { chooseVersion } from "../images/choose-version";
import { declaredApplications, type DeclaredApplication } from "../images/declared-applications";
import { editedTarget } from "../images/edit-target";
import { cloneForWriteBack, commitAndPush, diffOf } from "../images/git-write-back";
import { fullName, nameWithoutTag, sameImage, versionText, type ImageRef } from "../images/image-ref";
import { liveImages } from "../images/live-images";
import { RegistryClient } from "../images/registry-client";
import { sameYamlData } from "../images/same-data";
import { needsUpdate } from "../images/tag-selection";
import { readInside, targetFile } from "../images/target-file";
import { commitMessage, type ImageChange } from "../images/write-back";
import { readState } from "./state";
import type { StackOptions } from "../stack";

export interface ImagesUpdateOptions extends StackOptions {
    app?: string;
    dryRun?: boolean;
    progress?: (line: string) => void;
    registry?: RegistryClient;
}

export interface ImageOutcome {
    image: string;
    /** What the Application runs now; absent when the image is not live in it. */
    from?: string;
    to?: string;
    result: "update" | "up to date" | "not live" | "no matching tag";
}

export interface ApplicationImagesResult {
    application: string;
    result: "updated" | "would update" | "up to date" | "failed";
    images: ImageOutcome[];
    /** The file written (repository-relative). */
    file?: string;
    branch?: string;
    commit?: string;
    /** The unified diff of the file (--dry-run, and after a commit). */
    diff?: string;
    /** Why it failed: names the application, annotation, registry URL or file. */
    reason?: string;
}

/** Every Application with Image Updater annotations (or the one --app names), updated one after another. */
export async function imagesUpdate(options: ImagesUpdateOptions): Promise<ApplicationImagesResult[]> {
    const cwd = resolve(options.cwd ?? process.cwd());
    const progress = options.progress ?? (() => undefined);
    const declared = declaredApplications(cwd, options.stack);
    const managed = declared.filter((a) => Object.keys(a.annotations).some((k) => k.startsWith("argocd-image-updater.argoproj.io/")));
    if (options.app) {
        const app = declared.find((a) => a.name === options.app);
        if (!app) throw new Error(`no application ${options.app} among the stack's Argo CD Application manifests (syncwave:manifests): only those carry Image Updater annotations`);
        if (!managed.includes(app)) throw new Error(`application ${options.app} has no argocd-image-updater.argoproj.io/ annotations`);
    }
    const apps = options.app ? managed.filter((a) => a.name === options.app) : managed;
    if (apps.length === 0) progress("no application has argocd-image-updater.argoproj.io/ annotations");
    const live = liveImages(readState(options.stack, cwd, options.env ?? {}));
    const registry = options.registry ?? new RegistryClient();
    const results: ApplicationImagesResult[] = [];
    for (const app of apps) {
        try {
            results.push(await updateApplication(app, live.get(app.name) ?? [], registry, { cwd, dryRun: Boolean(options.dryRun), progress }));
        } catch (err) {
            const reason = (err as Error).message.startsWith(`application ${app.name}`) ? (err as Error).message : `application ${app.name}: ${(err as Error).message}`;
            progress(`${app.name}: failed: ${reason}`);
            results.push({ application: app.name, result: "failed", images: [], reason });
        }
    }
    return results;
}

interface RunContext {
    cwd: string;
    dryRun: boolean;
    progress: (line: string) => void;
}

async function updateApplication(app: DeclaredApplication, live: readonly ImageRef[], registry: RegistryClient, run: RunContext): Promise<ApplicationImagesResult> {
    const config = parseImageUpdaterAnnotations(app.name, app.annotations)!;
    const source = app.spec.source;
    if (!source) throw new Error("spec.sources: Applications with several sources are not supported by image update (Image Updater writes to one source)");
    if (source.chart) throw new Error(`spec.source.chart: a Helm repository chart has no git repository to write the new versions to`);
    run.progress(`${app.name}: checking ${config.images.length} image${config.images.length === 1 ? "" : "s"}`);

    const outcomes: ImageOutcome[] = [];
    const changes: ImageChange[] = [];
    for (const image of config.images) {
        const name = nameWithoutTag(image.image);
        const running = live.find((l) => sameImage(l, image.image));
        if (!running) {
            run.progress(`${app.name}: ${name} is not live in what the last sync applied: skipped`);
            outcomes.push({ image: name, result: "not live" });
            continue;
        }
        const chosen = await chooseVersion(image, registry);
        const from = { tag: running.tag, digest: running.digest };
        if (!chosen) {
            run.progress(`${app.name}: ${name}: no tag matches (${describeRule(image)}); stays at ${versionText(from) || "its current version"}`);
            outcomes.push({ image: name, from: versionText(from), result: "no matching tag" });
            continue;
        }
        const to = image.strategy === "digest" ? { tag: chosen.name, digest: chosen.digest } : { tag: chosen.name };
        if (!needsUpdate(from, chosen, image.strategy)) {
            run.progress(`${app.name}: ${name} is up to date at ${versionText(from)}`);
            outcomes.push({ image: name, from: versionText(from), to: versionText(to), result: "up to date" });
            continue;
        }
        run.progress(`${app.name}: ${name}: ${versionText(from) || "(untagged)"} -> ${versionText(to)}`);
        outcomes.push({ image: name, from: versionText(from), to: versionText(to), result: "update" });
        changes.push({ config: image, from, to });
    }
    if (changes.length === 0) {
        run.progress(`${app.name}: nothing to change`);
        return { application: app.name, result: "up to date", images: outcomes };
    }
    return writeBack(app, config, changes, outcomes, run);
}

function describeRule(image: ImageConfig): string {
    const parts = [`strategy ${image.strategy}`];
    if (image.constraint) parts.push(image.strategy === "digest" ? `tag ${image.constraint}` : `constraint ${image.constraint}`);
    if (image.allowTags) parts.push(`allow-tags ${image.allowTags.source}`);
    if (image.ignoreTags.length) parts.push(`ignore-tags ${image.ignoreTags.join(",")}`);
    return parts.join(", ");
}

async function writeBack(app: DeclaredApplication, config: ImageUpdaterConfig, changes: ImageChange[], outcomes: ImageOutcome[], run: RunContext): Promise<ApplicationImagesResult> {
    const source = app.spec.source!;
    const branch = config.branch ?? (source.targetRevision && source.targetRevision !== "HEAD" ? source.targetRevision : undefined);
    const checkout = await cloneForWriteBack(source.repoURL, branch, run.cwd);
    try {
        const file = targetFile(config, app.name, source.path ?? ".", checkout.dir);
        const full = join(checkout.dir, file);
        const before = readInside(checkout.dir, file);
        const edited = editedTarget(app, config, file, before, changes, checkout.dir);
        const done = { application: app.name, images: outcomes, file, branch: checkout.branch };
        if (sameYamlData(before, edited)) {
            run.progress(`${app.name}: ${file} already has ${changes.map((c) => fullName({ ...c.config.image, ...c.to })).join(", ")}: nothing to commit`);
            return { ...done, result: "up to date" };
        }
        writeFileSync(full, edited);
        const diff = await diffOf(checkout, file);
        if (run.dryRun) {
            run.progress(`${app.name}: would commit ${file} to ${checkout.branch} of ${source.repoURL} (dry run: nothing committed)`);
            return { ...done, result: "would update", diff };
        }
        const commit = await commitAndPush(checkout, file, commitMessage(app.name, changes));
        run.progress(`${app.name}: committed ${commit.slice(0, 12)} to ${checkout.branch} of ${source.repoURL} (${file})`);
        return { ...done, result: "updated", commit, diff };
    } finally {
        checkout.dispose();
    }
}

/** The result as a person reads it: a line per Application, the diff under a dry run's. */
export function formatImagesUpdate(results: readonly ApplicationImagesResult[]): string {
    if (results.length === 0) return "no application has Image Updater annotations";
    return results
        .map((r) => {
            const images = r.images.filter((i) => i.result === "update").map((i) => `${i.image} ${i.from} -> ${i.to}`).join(", ");
            switch (r.result) {
                case "updated":
                    return `${r.application}: updated ${images} (commit ${r.commit!.slice(0, 12)} on ${r.branch}, ${r.file})`;
                case "would update":
                    return `${r.application}: would update ${images} in ${r.file} on ${r.branch}\n${r.diff ?? ""}`.trimEnd();
                case "up to date":
                    return `${r.application}: up to date`;
                case "failed":
                    return `${r.application}: failed: ${r.reason}`;
            }
        })
        .join("\n");
}
