// A client of the OCI distribution API (the subset Argo CD Image Updater's registry-scanner uses):
// tags with pagination, a tag's manifest digest, and an image's created date from its config blob.
// Anonymous, or with the Bearer token a registry's WWW-Authenticate challenge hands out (Docker Hub,
// GHCR and most public registries). Every request has a timeout, and every error names its URL.
import { createHash } from "node:crypto";
import { isMap } from "../../components/source/is-map";
import { canonicalName, type ImageRef } from "./image-ref";

const MANIFEST_TYPES = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

export class RegistryError extends Error {
    constructor(
        readonly url: string,
        message: string,
    ) {
        super(`${url}: ${message}`);
        this.name = "RegistryError";
    }
}

export interface RegistryClientOptions {
    /** Per request, default 20 s. */
    timeoutMs?: number;
    /** Tests and proxies: the fetch to use. */
    fetch?: typeof fetch;
}

/**
 * The API's base URL for a registry host. Plain http only for this machine (localhost, 127.0.0.1,
 * [::1]), as a registry for tests or a local mirror; anything else is https. Image Updater reads the
 * same choice from registries.conf (`insecure`); SyncWave has no such file.
 */
export function registryBaseUrl(registry: string): string {
    const host = canonicalName({ registry, repository: "x" }).registry;
    if (host === "docker.io") return "https://registry-1.docker.io";
    const hostname = host.replace(/:\d+$/, "");
    const local = hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
    return `${local ? "http" : "https"}://${host}`;
}

/** The next page's URL from an RFC 5988 Link header (`<...>; rel="next"`), resolved against `base`. */
export function nextPageUrl(link: string | null, base: string): string | undefined {
    if (!link) return undefined;
    for (const part of link.split(",")) {
        const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
        if (m) return new URL(m[1], base).toString();
    }
    return undefined;
}

/** The parameters of a `Bearer realm="...",service="...",scope="..."` challenge; undefined for any other scheme. */
export function bearerChallenge(header: string | null): { realm: string; service?: string; scope?: string } | undefined {
    if (!header || !/^bearer\s/i.test(header.trim())) return undefined;
    const params: Record<string, string> = {};
    for (const m of header.trim().slice(6).matchAll(/(\w+)="([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
    if (!params.realm) return undefined;
    return { realm: params.realm, service: params.service, scope: params.scope };
}

export class RegistryClient {
    private readonly timeoutMs: number;
    private readonly fetchImpl: typeof fetch;
    /** Tokens by realm, service and scope: one token request per repository. */
    private readonly tokens = new Map<string, string>();

    constructor(options: RegistryClientOptions = {}) {
        this.timeoutMs = options.timeoutMs ?? 20_000;
        this.fetchImpl = options.fetch ?? fetch;
    }

    /** Every tag of the image's repository, following the Link header's pages. */
    async tags(image: Pick<ImageRef, "registry" | "repository">): Promise<string[]> {
        const { base, repository } = this.where(image);
        const all: string[] = [];
        // A registry whose Link header points back to a page already read would otherwise be asked
        // the same pages again until the page limit.
        const fetched = new Set<string>();
        let url: string | undefined = `${base}/v2/${repository}/tags/list?n=1000`;
        for (let page = 0; url; page++) {
            if (page >= 1000) throw new RegistryError(url, "more than 1,000 pages of tags");
            if (fetched.has(url)) throw new RegistryError(url, "the tags list's Link header leads back to a page already read");
            fetched.add(url);
            const res = await this.request(url, { method: "GET", headers: { Accept: "application/json" } }, repository);
            const body = await this.json(res, url);
            if (!isMap(body)) throw new RegistryError(url, "the tags list is not a JSON object");
            if (body.tags !== undefined && body.tags !== null) {
                // A string would otherwise be spread into one "tag" per character.
                if (!Array.isArray(body.tags) || !body.tags.every((t) => typeof t === "string")) throw new RegistryError(url, "tags is not a list of strings");
                all.push(...(body.tags as string[]));
            }
            url = nextPageUrl(res.headers.get("link"), url);
        }
        return all;
    }

    /** The digest of the manifest (or index) a tag names: Docker-Content-Digest from a HEAD, else the sha256 of the body. */
    async digest(image: Pick<ImageRef, "registry" | "repository">, tag: string): Promise<string> {
        const { base, repository } = this.where(image);
        const url = `${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
        const head = await this.request(url, { method: "HEAD", headers: { Accept: MANIFEST_TYPES.join(", ") } }, repository);
        const digest = head.headers.get("docker-content-digest");
        if (digest) return digest;
        const res = await this.request(url, { method: "GET", headers: { Accept: MANIFEST_TYPES.join(", ") } }, repository);
        const body = Buffer.from(await this.body(res, url));
        return `sha256:${createHash("sha256").update(body).digest("hex")}`;
    }

    /**
     * When the tag's image was built: its config's `created`. For an index, the linux/amd64 image's
     * (or the first image's when it has none).
     */
    async created(image: Pick<ImageRef, "registry" | "repository">, tag: string): Promise<Date | undefined> {
        const { base, repository } = this.where(image);
        let url = `${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
        let manifest = await this.manifest(url, repository);
        if (INDEX_TYPES.has(manifest.mediaType ?? "") || manifest.manifests) {
            const entries = manifest.manifests ?? [];
            const chosen = entries.find((m) => m.platform?.os === "linux" && m.platform?.architecture === "amd64") ?? entries[0];
            if (!chosen) throw new RegistryError(url, "an image index without images");
            url = `${base}/v2/${repository}/manifests/${chosen.digest}`;
            manifest = await this.manifest(url, repository);
        }
        if (!manifest.config?.digest) throw new RegistryError(url, "a manifest without a config");
        const blobUrl = `${base}/v2/${repository}/blobs/${manifest.config.digest}`;
        const res = await this.request(blobUrl, { method: "GET" }, repository);
        const config = (await this.json(res, blobUrl)) as { created?: string };
        if (!config.created) return undefined;
        const date = new Date(config.created);
        if (Number.isNaN(date.getTime())) throw new RegistryError(blobUrl, `created is not a date: ${config.created}`);
        return date;
    }

    private where(image: Pick<ImageRef, "registry" | "repository">): { base: string; repository: string } {
        return { base: registryBaseUrl(image.registry), repository: canonicalName(image).repository };
    }

    private async manifest(url: string, repository: string): Promise<{ mediaType?: string; manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[]; config?: { digest?: string } }> {
        const res = await this.request(url, { method: "GET", headers: { Accept: MANIFEST_TYPES.join(", ") } }, repository);
        const body = (await this.json(res, url)) as { mediaType?: string };
        return { ...body, mediaType: body.mediaType ?? res.headers.get("content-type") ?? undefined };
    }

    /** One request, answering a Bearer challenge once; any status but 2xx is an error naming the URL. */
    private async request(url: string, init: RequestInit, repository: string): Promise<Response> {
        let res = await this.send(url, init, this.tokens.get(this.tokenKey(url, repository)));
        if (res.status === 401) {
            const challenge = bearerChallenge(res.headers.get("www-authenticate"));
            await res.body?.cancel();
            if (!challenge) throw new RegistryError(url, "401 Unauthorized, and the registry offers no Bearer token: private registries are not supported");
            const token = await this.token(challenge, repository);
            this.tokens.set(this.tokenKey(url, repository), token);
            res = await this.send(url, init, token);
        }
        if (res.status < 200 || res.status > 299) {
            const text = init.method === "HEAD" ? "" : (await res.text().catch(() => "")).slice(0, 300);
            throw new RegistryError(url, `${res.status} ${res.statusText}${text ? `: ${text.trim()}` : ""}`);
        }
        return res;
    }

    private tokenKey(url: string, repository: string): string {
        return `${new URL(url).host}/${repository}`;
    }

    private async token(challenge: { realm: string; service?: string; scope?: string }, repository: string): Promise<string> {
        const url = new URL(challenge.realm);
        if (challenge.service) url.searchParams.set("service", challenge.service);
        url.searchParams.set("scope", challenge.scope ?? `repository:${repository}:pull`);
        const res = await this.send(url.toString(), { method: "GET" }, undefined);
        if (!res.ok) throw new RegistryError(url.toString(), `token request failed: ${res.status} ${res.statusText}`);
        const body = (await this.json(res, url.toString())) as { token?: string; access_token?: string };
        const token = body.token ?? body.access_token;
        if (!token) throw new RegistryError(url.toString(), "the token response has no token");
        return token;
    }

    /**
     * One fetch. Every request here is a GET or HEAD, so one that failed because the connection broke
     * before any answer (a kept-alive connection the registry closed meanwhile: `UND_ERR_SOCKET`,
     * `ECONNRESET`) is sent once more on a new connection; the error then names what that attempt met.
     */
    private async send(url: string, init: RequestInit, token: string | undefined): Promise<Response> {
        const headers = new Headers(init.headers);
        if (token) headers.set("Authorization", `Bearer ${token}`);
        const attempt = () => this.fetchImpl(url, { ...init, headers, redirect: "follow", signal: AbortSignal.timeout(this.timeoutMs) });
        try {
            try {
                return await attempt();
            } catch (err) {
                if (!BROKEN_CONNECTION.has(causeCode(err) ?? "")) throw err;
                return await attempt();
            }
        } catch (err) {
            const e = err as Error & { cause?: { code?: string; message?: string } };
            if (e.name === "TimeoutError" || e.name === "AbortError") throw new RegistryError(url, `no answer within ${this.timeoutMs / 1000} s`);
            throw new RegistryError(url, e.cause?.code ?? e.cause?.message ?? e.message);
        }
    }

    private async body(res: Response, url: string): Promise<ArrayBuffer> {
        try {
            return await res.arrayBuffer();
        } catch (err) {
            throw new RegistryError(url, `reading the answer: ${(err as Error).message}`);
        }
    }

    private async json(res: Response, url: string): Promise<unknown> {
        const text = Buffer.from(await this.body(res, url)).toString("utf8");
        try {
            return JSON.parse(text);
        } catch {
            throw new RegistryError(url, `not JSON: ${text.slice(0, 120)}`);
        }
    }
}

/** Errors that mean the connection broke before an answer, so a GET may be sent again. */
const BROKEN_CONNECTION = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

function causeCode(err: unknown): string | undefined {
    return (err as { cause?: { code?: string } }).cause?.code;
}
