// How a request reaches the API server of a kubeconfig: its server and the TLS and authorization
// settings of its current context. @kubernetes/client-node's KubeConfig does this for every kind of
// kubeconfig, but loading that library costs most of a second in every process that reads the
// cluster (the CLI's drift and "in sync" checks, the program's discovery and takeover check). So a
// kubeconfig whose context is plain — a server, a CA, client certificates, a bearer token, basic auth,
// impersonation, inline or in files named by absolute paths — is served here with a keep-alive connection pool; anything else (exec
// plugins, auth providers, files, proxies) goes through client-node as before.
import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent, type RequestOptions } from "node:https";
import { isAbsolute } from "node:path";
import { parse } from "yaml";

/** The part of client-node's KubeConfig that requests need; KubeConfig itself is one. */
export interface HttpsConfig {
    getCurrentCluster(): { server: string } | null;
    applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

interface KubeconfigDocument {
    "current-context"?: string;
    contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
    clusters?: { name: string; cluster?: Record<string, unknown> }[];
    users?: { name: string; user?: Record<string, unknown> }[];
}

const PLAIN_CLUSTER = new Set(["server", "certificate-authority-data", "certificate-authority", "insecure-skip-tls-verify", "tls-server-name"]);
const PLAIN_USER = new Set(["client-certificate-data", "client-key-data", "client-certificate", "client-key", "token", "as", "username", "password"]);
/** Fields that name a file: plain only when absolute (client-node would read a relative one from the working directory). */
const FILE_FIELDS = ["certificate-authority", "client-certificate", "client-key"];

class PlainConfig implements HttpsConfig {
    private readonly agent: Agent | HttpAgent;
    constructor(
        private readonly cluster: Record<string, unknown>,
        private readonly user: Record<string, unknown>,
    ) {
        // As client-node's bufferFromFileOrString: the file wins over the inline data.
        const read = (file: unknown, data: unknown) =>
            typeof file === "string" ? readFileSync(file) : typeof data === "string" ? Buffer.from(data, "base64") : undefined;
        this.agent = String(cluster.server).startsWith("http://") ? new HttpAgent({ keepAlive: true }) : new Agent({
            keepAlive: true,
            ca: read(cluster["certificate-authority"], cluster["certificate-authority-data"]),
            cert: read(user["client-certificate"], user["client-certificate-data"]),
            key: read(user["client-key"], user["client-key-data"]),
            ...(cluster["insecure-skip-tls-verify"] === true ? { rejectUnauthorized: false } : {}),
            ...(typeof cluster["tls-server-name"] === "string" ? { servername: cluster["tls-server-name"] } : {}),
        });
    }

    getCurrentCluster(): { server: string } {
        return { server: String(this.cluster.server) };
    }

    async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
        options.agent = this.agent;
        const headers = (options.headers ??= {}) as Record<string, string>;
        if (typeof this.user.token === "string") headers.Authorization = `Bearer ${this.user.token}`;
        if (typeof this.user.username === "string") options.auth = `${this.user.username}:${String(this.user.password ?? "")}`;
        if (typeof this.user.as === "string") headers["Impersonate-User"] = this.user.as;
    }
}

/** The plain form of a kubeconfig (YAML content), or undefined when it needs client-node. */
export function plainHttpsConfig(kubeconfig: string): HttpsConfig | undefined {
    let doc: KubeconfigDocument;
    try {
        doc = (parse(kubeconfig) ?? {}) as KubeconfigDocument;
    } catch {
        return undefined;
    }
    const context = doc.contexts?.find((c) => c.name === doc["current-context"])?.context;
    const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
    const user = doc.users?.find((u) => u.name === context?.user)?.user ?? {};
    if (!cluster || typeof cluster.server !== "string" || !/^https?:\/\//.test(cluster.server)) return undefined;
    if (!Object.keys(cluster).every((k) => PLAIN_CLUSTER.has(k)) || !Object.keys(user).every((k) => PLAIN_USER.has(k))) return undefined;
    const fields = { ...cluster, ...user };
    if (FILE_FIELDS.some((f) => f in fields && (typeof fields[f] !== "string" || !isAbsolute(fields[f] as string)))) return undefined;
    try {
        return new PlainConfig(cluster, user);
    } catch {
        // A file that cannot be read: client-node says so in its own words.
        return undefined;
    }
}

const configs = new Map<string, Promise<HttpsConfig>>();

/** The HttpsConfig of a kubeconfig (YAML content), one per content and process. */
export function httpsConfigOf(kubeconfig: string): Promise<HttpsConfig> {
    let config = configs.get(kubeconfig);
    if (!config) {
        const plain = plainHttpsConfig(kubeconfig);
        config = plain
            ? Promise.resolve(plain)
            : import("@kubernetes/client-node").then((k8s) => {
                  const kc = new k8s.KubeConfig();
                  kc.loadFromString(kubeconfig);
                  return kc;
              });
        configs.set(kubeconfig, config);
        config.catch(() => configs.delete(kubeconfig));
    }
    return config;
}
