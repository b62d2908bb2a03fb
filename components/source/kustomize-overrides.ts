// `source.kustomize` as Argo CD applies it (util/kustomize/kustomize.go `Build`): a series of
// `kustomize edit` commands on the kustomization file before `kustomize build`. SyncWave has no
// kustomize binary beside kubectl's, so each edit is done here, as sigs.k8s.io/kustomize/kustomize/v5
// commands/edit does it, on the parsed kustomization: set nameprefix/namesuffix/namespace, set image,
// set replicas, add label (--force, --without-selector, --include-templates), add annotation
// (--force), add component; `patches` are appended to the file's own, as Argo CD does.
import { parseDocument } from "yaml";
import { envsubst, type BuildEnv } from "./envsubst";
import type { KustomizeSource } from "./source-types";

/** An edit kustomize itself would refuse; `field` is the `source.kustomize` field at fault. */
export class KustomizeEditError extends Error {
    constructor(
        readonly field: string,
        message: string,
    ) {
        super(message);
    }
}

type Kustomization = Record<string, unknown>;

interface Image {
    name: string;
    newName?: string;
    newTag?: string;
    digest?: string;
    tagSuffix?: string;
}

/** `edit set image` keeps an existing part where the argument says `*`. */
const PRESERVE = "*";

/** kustomize's image.Split: name, tag and digest of an image reference (a registry port is not a tag). */
export function splitImage(reference: string): { name: string; tag: string; digest: string } {
    const slash = reference.indexOf("/");
    const offset = slash > 0 ? slash : 0;
    const search = reference.slice(offset);
    const at = search.indexOf("@");
    const colon = search.indexOf(":");
    if (colon < 0 && at < 0) return { name: reference, tag: "", digest: "" };
    if (at >= 0 && (at < colon || colon < 0)) {
        return { name: reference.slice(0, at + offset), tag: "", digest: reference.slice(at + offset + 1) };
    }
    if (at >= 0 && colon >= 0) {
        return { name: reference.slice(0, colon + offset), tag: reference.slice(colon + offset + 1, at + offset), digest: reference.slice(at + offset + 1) };
    }
    return { name: reference.slice(0, colon + offset), tag: reference.slice(colon + offset + 1), digest: "" };
}

/** One `kustomize edit set image` argument: `[old=]new[:tag][@digest]`. */
export function parseImageArgument(argument: string): Image {
    const eq = argument.indexOf("=");
    const key = eq >= 0 ? argument.slice(0, eq) : "";
    const value = eq >= 0 ? argument.slice(eq + 1) : argument;
    const { name, tag, digest } = splitImage(value);
    if (name === argument) {
        throw new Error(`invalid image "${argument}": use <image>=<newimage>[:<newtag>][@<digest>] or <image>:<newtag>[@<digest>] or <image>@<digest>`);
    }
    return eq >= 0 ? { name: key, newName: name, newTag: tag, digest } : { name, newTag: tag, digest };
}

function compact(image: Image): Image {
    const out: Image = { name: image.name };
    for (const k of ["newName", "tagSuffix", "newTag", "digest"] as const) if (image[k]) out[k] = image[k];
    return out;
}

function objectList(k: Kustomization, key: string, field: string): Record<string, unknown>[] {
    const value = k[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new KustomizeEditError(field, `the kustomization's ${key} is not a list`);
    return value as Record<string, unknown>[];
}

function setImages(k: Kustomization, args: string[], env: BuildEnv): void {
    const wanted = new Map<string, Image>();
    for (const [i, arg] of args.entries()) {
        try {
            const image = parseImageArgument(envsubst(arg, env));
            wanted.set(image.name, image);
        } catch (err) {
            throw new KustomizeEditError(`source.kustomize.images[${i}]`, (err as Error).message);
        }
    }
    for (const existing of objectList(k, "images", "source.kustomize.images") as unknown as Image[]) {
        const arg = wanted.get(existing.name);
        if (!arg) {
            wanted.set(existing.name, existing);
            continue;
        }
        // An argument replaces the existing entry; only `*` parts keep the existing value (and a tagSuffix is dropped, as kustomize does).
        wanted.set(existing.name, {
            name: arg.name,
            newName: arg.newName === PRESERVE ? existing.newName : arg.newName,
            newTag: arg.newTag === PRESERVE ? existing.newTag : arg.newTag,
            digest: arg.digest === PRESERVE ? existing.digest : arg.digest,
        });
    }
    const images = [...wanted.values()].map((im) =>
        compact({
            ...im,
            newName: im.newName === PRESERVE ? "" : im.newName,
            newTag: im.newTag === PRESERVE ? "" : im.newTag,
            digest: im.digest === PRESERVE ? "" : im.digest,
        }),
    );
    k.images = images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function setReplicas(k: Kustomization, replicas: NonNullable<KustomizeSource["replicas"]>): void {
    const wanted = new Map<string, { name: string; count: number }>();
    for (const [i, r] of replicas.entries()) {
        // Argo CD's KustomizeReplica.GetIntCount: an integer, or a string holding one.
        const count = typeof r.count === "number" ? r.count : /^[-+]?\d+$/.test(r.count.trim()) ? Number.parseInt(r.count, 10) : Number.NaN;
        if (!Number.isInteger(count)) throw new KustomizeEditError(`source.kustomize.replicas[${i}].count`, `"${r.count}" is not an integer`);
        wanted.set(r.name, { name: r.name, count });
    }
    for (const existing of objectList(k, "replicas", "source.kustomize.replicas")) {
        const name = String(existing.name);
        if (!wanted.has(name)) wanted.set(name, existing as { name: string; count: number });
    }
    k.replicas = [...wanted.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function stringMap(k: Kustomization, key: string, field: string): Record<string, string> {
    const value = k[key];
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) throw new KustomizeEditError(field, `the kustomization's ${key} is not a map`);
    return value as Record<string, string>;
}

/** `edit add label|annotation`: an existing key is an error unless forced. */
function addPairs(target: Record<string, string>, pairs: Record<string, string>, force: boolean, kind: string, field: string): void {
    for (const [key, value] of Object.entries(pairs)) {
        if (key in target && !force) {
            throw new KustomizeEditError(field, `${kind} ${key} already in kustomization file (set ${kind === "label" ? "forceCommonLabels" : "forceCommonAnnotations"} to override)`);
        }
        target[key] = value;
    }
}

function addLabels(k: Kustomization, o: KustomizeSource, env: BuildEnv): void {
    const field = "source.kustomize.commonLabels";
    const labels = Object.fromEntries(Object.entries(o.commonLabels ?? {}).map(([key, v]) => [key, envsubst(v, env)]));
    if (o.labelIncludeTemplates && !o.labelWithoutSelector) {
        throw new KustomizeEditError("source.kustomize.labelIncludeTemplates", "labelIncludeTemplates needs labelWithoutSelector");
    }
    if (!o.labelWithoutSelector) {
        const common = { ...stringMap(k, "commonLabels", field) };
        addPairs(common, labels, Boolean(o.forceCommonLabels), "label", field);
        k.commonLabels = common;
        return;
    }
    // --without-selector: a `labels` entry with includeSelectors false (and includeTemplates as asked).
    const includeTemplates = Boolean(o.labelIncludeTemplates);
    const entries = objectList(k, "labels", field).map((e) => ({ ...e }));
    let entry = entries.find((e) => !e.includeSelectors && Boolean(e.includeTemplates) === includeTemplates);
    if (!entry) {
        entry = { pairs: {}, ...(includeTemplates ? { includeTemplates: true } : {}) };
        entries.push(entry);
    }
    const pairs = { ...((entry.pairs as Record<string, string> | undefined) ?? {}) };
    addPairs(pairs, labels, Boolean(o.forceCommonLabels), "label", field);
    entry.pairs = pairs;
    k.labels = entries;
}

function addAnnotations(k: Kustomization, o: KustomizeSource, env: BuildEnv): void {
    const field = "source.kustomize.commonAnnotations";
    const annotations = o.commonAnnotationsEnvsubst
        ? Object.fromEntries(Object.entries(o.commonAnnotations ?? {}).map(([key, v]) => [key, envsubst(v, env)]))
        : (o.commonAnnotations ?? {});
    const common = { ...stringMap(k, "commonAnnotations", field) };
    addPairs(common, annotations, Boolean(o.forceCommonAnnotations), "annotation", field);
    k.commonAnnotations = common;
}

function addComponents(k: Kustomization, components: string[], exists: (path: string) => boolean, ignoreMissing: boolean): void {
    const list = [...(objectList(k, "components", "source.kustomize.components") as unknown as string[])];
    for (const [i, c] of components.entries()) {
        const field = `source.kustomize.components[${i}]`;
        if (/[*?[]/.test(c)) throw new KustomizeEditError(field, `${c}: glob patterns in components are not supported; name each component`);
        if (!exists(c)) {
            if (ignoreMissing) continue;
            throw new KustomizeEditError(field, `component ${c} does not exist in the checkout (set ignoreMissingComponents to leave it out)`);
        }
        if (!list.includes(c)) list.push(c);
    }
    k.components = list;
}

/** Whether `source.kustomize` asks for any edit of the kustomization file. */
export function hasKustomizeEdits(o: KustomizeSource | undefined): boolean {
    if (!o) return false;
    return Boolean(
        o.namePrefix ||
            o.nameSuffix ||
            o.images?.length ||
            o.replicas?.length ||
            Object.keys(o.commonLabels ?? {}).length ||
            Object.keys(o.commonAnnotations ?? {}).length ||
            o.namespace ||
            o.patches?.length ||
            o.components?.length,
    );
}

/** Refuses what SyncWave cannot do with `source.kustomize`, before anything is read. */
export function checkKustomizeOptions(o: KustomizeSource): KustomizeEditError | undefined {
    if (o.version) return new KustomizeEditError("source.kustomize.version", `kustomize version '${o.version}' is not supported: SyncWave builds with the toolchain's kubectl kustomize only`);
    if (o.kubeVersion) return new KustomizeEditError("source.kustomize.kubeVersion", "kubeVersion only reaches Helm charts inflated by kustomize (helmCharts), which SyncWave does not run");
    if (o.apiVersions?.length) return new KustomizeEditError("source.kustomize.apiVersions", "apiVersions only reach Helm charts inflated by kustomize (helmCharts), which SyncWave does not run");
    return undefined;
}

/**
 * The kustomization after Argo CD's edits, in Argo CD's order. `componentExists` says whether a
 * component path (relative to the kustomization's folder) exists; the input is not changed.
 */
export function applyKustomizeOverrides(
    kustomization: Kustomization,
    o: KustomizeSource,
    env: BuildEnv,
    componentExists: (path: string) => boolean = () => true,
): Kustomization {
    const problem = checkKustomizeOptions(o);
    if (problem) throw problem;
    const k: Kustomization = structuredClone(kustomization);
    if (o.namePrefix) k.namePrefix = o.namePrefix;
    if (o.nameSuffix) k.nameSuffix = o.nameSuffix;
    if (o.images?.length) setImages(k, o.images, env);
    if (o.replicas?.length) setReplicas(k, o.replicas);
    if (Object.keys(o.commonLabels ?? {}).length) addLabels(k, o, env);
    if (Object.keys(o.commonAnnotations ?? {}).length) addAnnotations(k, o, env);
    if (o.namespace) k.namespace = o.namespace;
    if (o.patches?.length) k.patches = [...objectList(k, "patches", "source.kustomize.patches"), ...structuredClone(o.patches)];
    if (o.components?.length) addComponents(k, o.components, componentExists, Boolean(o.ignoreMissingComponents));
    return k;
}

/**
 * The kustomization file's text after the edits: only the fields that changed are rewritten, so the
 * file's comments and its other fields stay as they were.
 */
export function editKustomizationText(text: string, o: KustomizeSource, env: BuildEnv, componentExists?: (path: string) => boolean): string {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new KustomizeEditError("source.kustomize", `the kustomization file is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
    const before = (doc.toJS() ?? {}) as unknown;
    if (typeof before !== "object" || Array.isArray(before) || before === null) throw new KustomizeEditError("source.kustomize", "the kustomization file is not a YAML map");
    const after = applyKustomizeOverrides(before as Kustomization, o, env, componentExists);
    for (const [key, value] of Object.entries(after)) {
        if (JSON.stringify(value) !== JSON.stringify((before as Kustomization)[key])) doc.set(key, value);
    }
    return doc.toString();
}
