// Container image references as Argo CD Image Updater reads them (registry-scanner/pkg/image/image.go,
// which uses github.com/distribution/reference): `[registry/]repository[:tag][@digest]`, the registry
// being the first path segment when it has a dot or a port or is `localhost`, else Docker Hub.

export interface ImageRef {
    /** As written (`ghcr.io`, `127.0.0.1:5000`); "" for Docker Hub written without a registry. */
    registry: string;
    /** The repository path inside the registry (`team/web`; Docker Hub's `nginx` stays `nginx`). */
    repository: string;
    tag?: string;
    /** `sha256:<hex>` */
    digest?: string;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

function isRegistryHost(segment: string): boolean {
    return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

/** Parses a reference; undefined when it is not one. */
export function parseImageRef(text: string): ImageRef | undefined {
    let rest = text.trim();
    if (rest === "" || /\s/.test(rest)) return undefined;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) return undefined;
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) return undefined;
    }
    const segments = rest.split("/");
    let registry = "";
    if (segments.length > 1 && isRegistryHost(segments[0])) registry = segments.shift()!;
    const repository = segments.join("/");
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) return undefined;
    return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Docker Hub's canonical host and repository (`nginx` is `library/nginx` there). */
export function canonicalName(ref: Pick<ImageRef, "registry" | "repository">): { registry: string; repository: string } {
    const registry = ref.registry === "" || ref.registry === "index.docker.io" ? "docker.io" : ref.registry;
    const repository = registry === "docker.io" && !ref.repository.includes("/") ? `library/${ref.repository}` : ref.repository;
    return { registry, repository };
}

/** Whether two references name the same image (registry and repository), whatever their tags. */
export function sameImage(a: Pick<ImageRef, "registry" | "repository">, b: Pick<ImageRef, "registry" | "repository">): boolean {
    const x = canonicalName(a);
    const y = canonicalName(b);
    return x.registry === y.registry && x.repository === y.repository;
}

/** `registry/repository`, as written (Image Updater's GetFullNameWithoutTag). */
export function nameWithoutTag(ref: Pick<ImageRef, "registry" | "repository">): string {
    return ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
}

/** `tag`, `tag@digest`, or `latest@digest` for a digest without a tag (Image Updater's GetTagWithDigest). */
export function tagWithDigest(version: { tag?: string; digest?: string }): string {
    if (!version.digest) return version.tag ?? "";
    return `${version.tag || "latest"}@${version.digest}`;
}

/** `registry/repository[:tag][@digest]` (Image Updater's GetFullNameWithTag). */
export function fullName(ref: ImageRef): string {
    return `${nameWithoutTag(ref)}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** How a version shows in messages and commit lines: the digest when there is one (Image Updater's ImageTag.String). */
export function versionText(version: { tag?: string; digest?: string }): string {
    return version.digest ?? version.tag ?? "";
}
