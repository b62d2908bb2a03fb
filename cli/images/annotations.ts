// Argo CD Image Updater's annotation model on an Application (the legacy model of
// argoproj-labs/argocd-image-updater, read in pkg/argocd/annotations.go and pkg/argocd/types.go),
// parsed into a typed configuration. Every key under the prefix that SyncWave does not act on is
// refused, naming the Application and the annotation: nothing is silently ignored.
import { parseImageRef, type ImageRef } from "./image-ref";
import { constraintRange } from "./tag-selection";

export const IMAGE_UPDATER_PREFIX = "argocd-image-updater.argoproj.io/";

export type UpdateStrategy = "semver" | "newest-build" | "digest" | "alphabetical";

/** Where the new versions are written in the Application's repository. */
export type WriteBackTarget =
    /** `.argocd-source-<app>.yaml` in the source folder (Image Updater's default git target). */
    | { kind: "argocd-source" }
    /** A kustomization's `images:`; `base` is relative to the repository root. */
    | { kind: "kustomization"; base: string }
    /** A Helm values file, relative to the repository root. */
    | { kind: "helmvalues"; file: string };

export interface ImageConfig {
    /** The alias of `alias=image`; "" when the entry has none (it then takes the application-wide settings only). */
    alias: string;
    /** The image to track, without its constraint. */
    image: ImageRef;
    /** What follows the last `:` of the entry: a semver constraint, or the tag the digest strategy tracks. */
    constraint?: string;
    strategy: UpdateStrategy;
    /** `regexp:<re>` of allow-tags, compiled; undefined allows every tag. */
    allowTags?: RegExp;
    /** ignore-tags globs (Go's filepath.Match). */
    ignoreTags: string[];
    helm?: { imageName?: string; imageTag?: string; imageSpec?: string };
    kustomize?: { imageName?: string };
}

export interface ImageUpdaterConfig {
    images: ImageConfig[];
    target: WriteBackTarget;
    /** git-branch: the branch to commit to; undefined means the Application's targetRevision. */
    branch?: string;
}

export class AnnotationError extends Error {
    constructor(
        readonly application: string,
        readonly annotation: string,
        message: string,
    ) {
        super(`application ${application}, annotation ${annotation}: ${message}`);
        this.name = "AnnotationError";
    }
}

// Image Updater's ParseUpdateStrategy (registry-scanner/pkg/image/options.go) still takes the old names
// latest and name, with a deprecation warning; it falls back to semver on an unknown name, which
// SyncWave refuses instead.
const STRATEGIES: Record<string, UpdateStrategy> = {
    semver: "semver",
    "newest-build": "newest-build",
    latest: "newest-build",
    digest: "digest",
    alphabetical: "alphabetical",
    name: "alphabetical",
};

const APPLICATION_WIDE = new Set(["image-list", "write-back-method", "write-back-target", "git-branch", "update-strategy", "allow-tags", "ignore-tags"]);
const PER_ALIAS = new Set(["update-strategy", "allow-tags", "ignore-tags", "helm.image-name", "helm.image-tag", "helm.image-spec", "kustomize.image-name"]);

/** Why a key Image Updater knows is refused (or, for any other key, that it is unknown). */
function refusal(setting: string): string {
    switch (setting) {
        case "pull-secret":
            return "registry credentials are not supported: SyncWave reads registries anonymously or with the token a registry's WWW-Authenticate challenge hands out";
        case "platforms":
            return "platform selection is not supported: newest-build reads the created date of the linux/amd64 image of an index (or its first image)";
        case "force-update":
            return "force-update is not supported: an image is updated only when it is live in what the Application's last sync applied";
        case "git-repository":
            return "write-back goes to the Application's own source repository; another repository is not supported";
        case "git-credentials":
        case "write-back-credentials":
            return "git credentials come from the environment of git itself (credential helpers, SSH agent), not from an annotation";
        case "kustomize.image-name":
        case "helm.image-name":
        case "helm.image-tag":
        case "helm.image-spec":
            return "is an image setting: write it with the image's alias, <alias>.";
        default:
            if (/^(?:[^.]+\.)?(?:plugin\.|sign|verify|cosign)/.test(setting)) return "plugin targets and signature verification are not supported";
            return `not an annotation SyncWave's image update supports (supported: ${[...APPLICATION_WIDE].join(", ")}, and per alias <alias>.${[...PER_ALIAS].join(", <alias>.")})`;
    }
}

/** Splits an image-list entry's `image[:constraint]`: the constraint is what follows the last `:` after the last `/`. */
function splitConstraint(text: string): { image: string; constraint?: string } {
    const slash = text.lastIndexOf("/");
    const colon = text.lastIndexOf(":");
    if (colon > slash) return { image: text.slice(0, colon), constraint: text.slice(colon + 1).trim() || undefined };
    return { image: text };
}

function globPatternProblem(glob: string): string | undefined {
    // Go's filepath.Match reports ErrBadPattern for an unclosed class or a trailing backslash.
    let inClass = false;
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === "\\") {
            if (i === glob.length - 1) return "ends with a backslash";
            i++;
        } else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
    }
    return inClass ? "has an unclosed [" : undefined;
}

/**
 * The Image Updater configuration of one Application from its annotations; undefined when it has no
 * annotation under the prefix. The Application's source type decides where Helm and Kustomize
 * settings matter; that is checked where the edit is made.
 */
export function parseImageUpdaterAnnotations(application: string, annotations: Record<string, string>): ImageUpdaterConfig | undefined {
    const own = Object.entries(annotations).filter(([k]) => k.startsWith(IMAGE_UPDATER_PREFIX));
    if (own.length === 0) return undefined;
    const get = (setting: string) => {
        const v = annotations[IMAGE_UPDATER_PREFIX + setting];
        return v === undefined ? undefined : v.trim();
    };
    const fail = (setting: string, message: string) => new AnnotationError(application, IMAGE_UPDATER_PREFIX + setting, message);

    const list = get("image-list");
    if (list === undefined) throw fail("image-list", "missing: the Application has Image Updater annotations but no image list");

    // Aliases first: a per-alias key is recognised only for an alias the list declares.
    const entries = list.split(",").map((e) => e.trim()).filter((e) => e !== "");
    if (entries.length === 0) throw fail("image-list", "is empty");
    const aliases = new Set<string>();
    for (const entry of entries) {
        const eq = entry.indexOf("=");
        if (eq >= 0) aliases.add(entry.slice(0, eq).trim());
    }
    for (const [key] of own) {
        const setting = key.slice(IMAGE_UPDATER_PREFIX.length);
        if (APPLICATION_WIDE.has(setting)) continue;
        const dot = setting.indexOf(".");
        const alias = dot > 0 ? setting.slice(0, dot) : "";
        const rest = dot > 0 ? setting.slice(dot + 1) : setting;
        if (alias && aliases.has(alias) && PER_ALIAS.has(rest)) continue;
        if (alias && !aliases.has(alias) && PER_ALIAS.has(rest)) throw fail(setting, `names the alias ${alias}, which image-list does not declare (declared: ${[...aliases].join(", ") || "none"})`);
        throw fail(setting, refusal(aliases.has(alias) ? rest : setting));
    }

    const method = get("write-back-method");
    if (method !== undefined && method !== "" && method !== "git") {
        if (method === "argocd") throw fail("write-back-method", "argocd writes the new versions into the Application object through Argo CD's API, which SyncWave does not have: use git (the default here), so the change is a commit");
        if (method.startsWith("git:")) throw fail("write-back-method", `${method}: git credentials from a secret are not supported; use git, with credentials from git's own configuration`);
        throw fail("write-back-method", `${method}: expected git`);
    }

    const readStrategy = (setting: string): UpdateStrategy | undefined => {
        const v = get(setting);
        if (v === undefined || v === "") return undefined;
        const s = STRATEGIES[v.toLowerCase()];
        if (!s) throw fail(setting, `unknown update strategy ${v} (expected semver, newest-build, digest or alphabetical)`);
        return s;
    };
    const readAllow = (setting: string): RegExp | undefined => {
        const v = get(setting);
        if (v === undefined || v === "" || v.toLowerCase() === "any") return undefined;
        const colon = v.indexOf(":");
        if (colon < 0 || v.slice(0, colon).toLowerCase() !== "regexp") throw fail(setting, `${v}: expected regexp:<expression> or any`);
        try {
            return new RegExp(v.slice(colon + 1));
        } catch (err) {
            throw fail(setting, `not a valid regular expression: ${(err as Error).message}`);
        }
    };
    const readIgnore = (setting: string): string[] | undefined => {
        const v = annotations[IMAGE_UPDATER_PREFIX + setting];
        if (v === undefined) return undefined;
        const globs = v.split(",").map((g) => g.trim()).filter((g) => g !== "");
        for (const g of globs) {
            const p = globPatternProblem(g);
            if (p) throw fail(setting, `pattern ${g} ${p}`);
        }
        return globs;
    };

    const appStrategy = readStrategy("update-strategy");
    const appAllow = readAllow("allow-tags");
    const appIgnore = readIgnore("ignore-tags");

    const images: ImageConfig[] = entries.map((entry) => {
        const eq = entry.indexOf("=");
        const alias = eq >= 0 ? entry.slice(0, eq).trim() : "";
        const imageText = eq >= 0 ? entry.slice(eq + 1).trim() : entry;
        if (eq >= 0 && (alias === "" || !/^[A-Za-z0-9_-]+$/.test(alias))) throw fail("image-list", `${entry}: an alias is letters, digits, - and _`);
        if (imageText === "") throw fail("image-list", `${entry}: empty image name`);
        const { image: name, constraint } = splitConstraint(imageText);
        const image = parseImageRef(name);
        if (!image || image.digest) throw fail("image-list", `${entry}: ${name} is not an image name ([registry/]repository[:constraint])`);
        // Per alias first, then application-wide (Image Updater's settings precedence).
        const strategy = (alias && readStrategy(`${alias}.update-strategy`)) || appStrategy || "semver";
        const allowTags = (alias ? readAllow(`${alias}.allow-tags`) : undefined) ?? appAllow;
        const ignoreTags = (alias ? readIgnore(`${alias}.ignore-tags`) : undefined) ?? appIgnore ?? [];
        if (strategy === "digest" && !constraint) throw fail("image-list", `${entry}: the digest strategy tracks one tag: write it as ${name}:<tag>`);
        const strategySetting = alias && get(`${alias}.update-strategy`) ? `${alias}.update-strategy` : "update-strategy";
        if (constraint && (strategy === "newest-build" || strategy === "alphabetical")) {
            // Image Updater reads the constraint only for semver and digest (GetNewestVersionFromTags)
            // and chooses among every tag otherwise: keeping it would promise a limit that is not there.
            throw fail("image-list", `${entry}: the ${strategy} strategy (${IMAGE_UPDATER_PREFIX}${strategySetting}) takes no constraint; Image Updater ignores :${constraint} and considers every tag: remove it, or limit the tags with allow-tags`);
        }
        if (constraint && strategy === "semver") {
            try {
                constraintRange(constraint);
            } catch (err) {
                throw fail("image-list", `${entry}: ${constraint} is not a semver constraint (${(err as Error).message})`);
            }
        }
        const config: ImageConfig = { alias, image: { registry: image.registry, repository: image.repository }, strategy, ignoreTags, ...(constraint ? { constraint } : {}), ...(allowTags ? { allowTags } : {}) };
        if (alias) {
            const helm = { imageName: get(`${alias}.helm.image-name`), imageTag: get(`${alias}.helm.image-tag`), imageSpec: get(`${alias}.helm.image-spec`) };
            const kustomizeName = get(`${alias}.kustomize.image-name`);
            const hasHelm = Object.values(helm).some((v) => v);
            if (hasHelm && kustomizeName) throw fail(`${alias}.kustomize.image-name`, `alias ${alias} has both helm and kustomize settings (as Image Updater, one kind per image)`);
            if (helm.imageSpec && (helm.imageName || helm.imageTag)) throw fail(`${alias}.helm.image-spec`, "image-spec sets the whole image in one parameter: leave out image-name and image-tag");
            if (hasHelm) config.helm = Object.fromEntries(Object.entries(helm).filter(([, v]) => v)) as ImageConfig["helm"];
            if (kustomizeName) config.kustomize = { imageName: kustomizeName };
        }
        return config;
    });

    return { images, target: parseWriteBackTarget(get("write-back-target"), (m) => fail("write-back-target", m)), ...(get("git-branch") ? { branch: parseBranch(get("git-branch")!, (m) => fail("git-branch", m)) } : {}) };
}

/**
 * write-back-target as Image Updater reads it (pkg/argocd/update.go, parseKustomizeBase and
 * parseTarget): `kustomization` is the source folder's kustomization, `kustomization:<path>` a folder
 * relative to the source folder, or to the repository root when it starts with `/`; `helmvalues`
 * is values.yaml in the source folder, `helmvalues:<path>` likewise relative. Paths are returned
 * relative to the repository root, resolved against `sourcePath` by the caller (resolveTarget).
 */
export function parseWriteBackTarget(value: string | undefined, fail: (message: string) => Error): WriteBackTarget {
    if (value === undefined || value === "") return { kind: "argocd-source" };
    const colon = value.indexOf(":");
    const kind = colon < 0 ? value : value.slice(0, colon);
    const path = colon < 0 ? undefined : value.slice(colon + 1).trim();
    if (path === "") throw fail(`${value}: the path after ${kind}: is empty`);
    if (kind === "kustomization") return { kind: "kustomization", base: path ?? "" };
    if (kind === "helmvalues") return { kind: "helmvalues", file: path ?? "values.yaml" };
    throw fail(`${value}: expected kustomization, kustomization:<path>, helmvalues or helmvalues:<path> (absent: .argocd-source-<app>.yaml)`);
}

/** git-branch; Image Updater's `base:write-branch` form (a new branch per update, with templates) is refused. */
function parseBranch(value: string, fail: (message: string) => Error): string {
    if (value.includes(":")) throw fail(`${value}: committing to a separate write branch (base:write-branch) is not supported; name the one branch to commit to`);
    if (!/^[\w][\w./-]*$/.test(value) || value.includes("..")) throw fail(`${value}: not a branch name`);
    return value;
}
