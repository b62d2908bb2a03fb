// The edits Argo CD Image Updater's git write-back makes (pkg/argocd/update.go marshalParamsOverride,
// SetHelmImage and SetKustomizeImage in pkg/argocd/argocd.go, writeKustomization in pkg/argocd/git.go),
// as text in, text out. Edits go through the `yaml` package's document model, so comments and the
// layout of what is not changed stay as they were.
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from "yaml";
import { yamlErrorText } from "../../components/source/yaml-error";
import type { ImageConfig } from "./annotations";
import { fullName, nameWithoutTag, parseImageRef, tagWithDigest, type ImageRef } from "./image-ref";

/** One image moving to a new version. */
export interface ImageChange {
    config: ImageConfig;
    /** What the Application runs now (from its last sync). */
    from: { tag?: string; digest?: string };
    to: { tag?: string; digest?: string };
}

export interface HelmParameter {
    name: string;
    value: string;
    forceString?: boolean;
}

/** The image with its new version (registry, repository, tag, digest). */
function newImage(change: ImageChange): ImageRef {
    return { ...change.config.image, ...(change.to.tag ? { tag: change.to.tag } : {}), ...(change.to.digest ? { digest: change.to.digest } : {}) };
}

/**
 * The Helm parameters of a change (SetHelmImage): `<alias>.helm.image-spec` takes the whole image;
 * otherwise image-name (default `image.name`) takes `registry/repository` and image-tag (default
 * `image.tag`) the tag, `tag@digest` with a digest. Always forceString, as Image Updater writes them.
 */
export function helmParameters(change: ImageChange): HelmParameter[] {
    const helm = change.config.helm ?? {};
    const image = newImage(change);
    if (helm.imageSpec) return [{ name: helm.imageSpec, value: fullName(image), forceString: true }];
    const params: HelmParameter[] = [{ name: helm.imageName ?? "image.name", value: nameWithoutTag(image), forceString: true }];
    const tag = tagWithDigest(change.to);
    if (tag) params.push({ name: helm.imageTag ?? "image.tag", value: tag, forceString: true });
    return params;
}

/** A kustomize `images` entry (SetKustomizeImage): `[<kustomize.image-name>=]registry/repository:tag[@digest]`. */
export function kustomizeImageEntry(change: ImageChange): string {
    const name = change.config.kustomize?.imageName;
    return `${name ? `${name}=` : ""}${fullName(newImage(change))}`;
}

/** Which image a kustomize `images` entry overrides: the part before `=`, or the image without its tag. */
function kustomizeEntryKey(entry: string): string {
    const eq = entry.indexOf("=");
    if (eq >= 0) return entry.slice(0, eq);
    const ref = parseImageRef(entry);
    return ref ? nameWithoutTag(ref) : entry;
}

function kustomizeChangeKey(change: ImageChange): string {
    return change.config.kustomize?.imageName ?? nameWithoutTag(change.config.image);
}

function parseYaml(text: string, file: string): Document {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`${file}: ${yamlErrorText(doc.errors[0])}`);
    if (doc.contents === null) doc.contents = doc.createNode({}) as never;
    if (!isMap(doc.contents)) throw new Error(`${file}: expected a YAML map`);
    return doc;
}

/** The sequence at `path`, created (from `seed`, when given) if it is missing. */
function seqAt(doc: Document, path: string[], seed: unknown[] | undefined, file: string): YAMLSeq {
    const existing = doc.getIn(path, true);
    if (existing === undefined || existing === null) {
        doc.setIn(path, doc.createNode(seed ?? []));
        return doc.getIn(path, true) as YAMLSeq;
    }
    if (!isSeq(existing)) throw new Error(`${file}: ${path.join(".")} is not a list`);
    return existing;
}

/**
 * `.argocd-source-<app>.yaml` with the changes (marshalParamsOverride): Helm Applications get
 * `helm.parameters`, Kustomize Applications `kustomize.images`. Argo CD merges the file over the
 * Application as a JSON merge patch, in which a list replaces the Application's list whole: so a list
 * the file does not have yet starts as a copy of the Application's own, and nothing of it is lost.
 */
export function editArgocdSource(
    existing: string | undefined,
    file: string,
    sourceType: "Helm" | "Kustomize",
    declared: { helmParameters?: HelmParameter[]; kustomizeImages?: string[] },
    changes: readonly ImageChange[],
): string {
    const doc = parseYaml(existing ?? "", file);
    if (sourceType === "Helm") {
        const seq = seqAt(doc, ["helm", "parameters"], declared.helmParameters, file);
        for (const param of changes.flatMap(helmParameters)) {
            const at = seq.items.findIndex((item) => isMap(item) && item.get("name") === param.name);
            const node = doc.createNode(param);
            if (at >= 0) seq.items[at] = node;
            else seq.items.push(node);
        }
    } else {
        const seq = seqAt(doc, ["kustomize", "images"], declared.kustomizeImages, file);
        for (const change of changes) {
            const entry = kustomizeImageEntry(change);
            const key = kustomizeChangeKey(change);
            const at = seq.items.findIndex((item) => kustomizeEntryKey(String((item as { value?: unknown })?.value ?? item)) === key);
            if (at >= 0) seq.items[at] = doc.createNode(entry);
            else seq.items.push(doc.createNode(entry));
        }
    }
    return doc.toString();
}

/**
 * A kustomization's `images:` with the changes (writeKustomization): the entry whose `name` is the
 * image's (or `<alias>.kustomize.image-name`) is replaced by `{name, newName?, newTag?, digest?}`:
 * newName only when the kustomize image name differs from the image, as parseImageOverride does.
 */
export function editKustomization(text: string, file: string, changes: readonly ImageChange[]): string {
    const doc = parseYaml(text, file);
    const seq = seqAt(doc, ["images"], undefined, file);
    for (const change of changes) {
        const name = kustomizeChangeKey(change);
        const entry: Record<string, string> = { name };
        if (change.config.kustomize?.imageName) entry.newName = nameWithoutTag(change.config.image);
        if (change.to.tag) entry.newTag = change.to.tag;
        if (change.to.digest) entry.digest = change.to.digest;
        const at = seq.items.findIndex((item) => isMap(item) && (item as YAMLMap).get("name") === name);
        if (at >= 0) seq.items[at] = doc.createNode(entry);
        else seq.items.push(doc.createNode(entry));
    }
    return doc.toString();
}

/**
 * A Helm values file with the changes (helmvalues target): the same keys as the Helm parameters
 * (`image.name`/`image.tag` by default), each a dotted path into the values, created if missing.
 */
export function editHelmValues(text: string, file: string, changes: readonly ImageChange[]): string {
    const doc = parseYaml(text, file);
    for (const param of changes.flatMap(helmParameters)) {
        const path = param.name.split(".");
        if (path.some((p) => p === "" || /[[\]]/.test(p))) throw new Error(`${file}: ${param.name} is not a dotted key path (list indexes are not supported)`);
        for (let i = 1; i < path.length; i++) {
            const above = doc.getIn(path.slice(0, i), true);
            if (above !== undefined && above !== null && !isMap(above)) throw new Error(`${file}: ${path.slice(0, i).join(".")} is not a map, so ${param.name} cannot be set`);
        }
        const current = doc.getIn(path, true) as { value?: unknown } | undefined;
        // Keep the scalar node (and its comment) when only its value changes.
        if (current && typeof current === "object" && "value" in current && !isMap(current) && !isSeq(current)) current.value = param.value;
        else doc.setIn(path, param.value);
    }
    return doc.toString();
}

/**
 * Image Updater's default commit message (pkg/common/constants.go DefaultGitCommitMessage): one line
 * per image, `updates image <repository> tag '<old>' to '<new>'`, a digest standing for a tag when there is one.
 */
export function commitMessage(application: string, changes: readonly ImageChange[]): string {
    const show = (v: { tag?: string; digest?: string }) => v.digest ?? v.tag ?? "";
    return `build: automatic update of ${application}\n\n${changes.map((c) => `updates image ${c.config.image.repository} tag '${show(c.from)}' to '${show(c.to)}'\n`).join("")}`;
}
