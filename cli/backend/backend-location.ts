// Where a stack's state lives, from PULUMI_BACKEND_URL as the Pulumi CLI reads it: a folder (file://),
// an S3 bucket (s3://, optionally with a key prefix: the URL's path), or another backend (Pulumi
// Cloud, azblob, gs) whose own locking SyncWave leaves alone. SyncWave keeps its lock and its
// notifications' state beside Pulumi's files, so it must address exactly the objects the Pulumi CLI
// addresses: an s3:// parameter that would change where requests go and that SyncWave does not
// understand is refused, never dropped (the CLI's gocloud.dev s3blob and aws packages define them).
import { fileURLToPath } from "node:url";

export interface S3Location {
    kind: "s3";
    bucket: string;
    /** Keys under this prefix ("" or ending in "/"), as Pulumi's diy backend uses the URL's path. */
    prefix: string;
    endpoint?: string;
    region?: string;
    profile?: string;
    forcePathStyle: boolean;
    useDualstackEndpoint: boolean;
    useFipsEndpoint: boolean;
    useAccelerateEndpoint: boolean;
    anonymous: boolean;
}

export type BackendLocation = { kind: "file"; root: string } | S3Location | { kind: "other"; url: string };

// Parameters that change nothing about where SyncWave's few small objects go or how they are signed.
const NEUTRAL_S3_PARAMETERS = new Set(["awssdk", "sse_type", "kmskeyid", "rate_limiter_capacity", "request_checksum_calculation", "response_checksum_validation"]);

function flag(url: string, name: string, value: string): boolean {
    if (value === "" || value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    throw new Error(`PULUMI_BACKEND_URL ${url}: ${name}=${value} is not a boolean`);
}

/** The backend a URL names; an s3:// URL with a parameter SyncWave cannot follow throws, naming it. */
export function backendLocation(url: string | undefined): BackendLocation {
    if (!url) return { kind: "other", url: "" };
    if (url.startsWith("file://")) return { kind: "file", root: fileURLToPath(url.split("?")[0]) };
    if (!url.startsWith("s3://")) return { kind: "other", url };
    const parsed = new URL(url);
    const location: S3Location = {
        kind: "s3",
        bucket: decodeURIComponent(parsed.hostname),
        prefix: prefixOf(decodeURIComponent(parsed.pathname)),
        forcePathStyle: false,
        useDualstackEndpoint: false,
        useFipsEndpoint: false,
        useAccelerateEndpoint: false,
        anonymous: false,
    };
    if (!location.bucket) throw new Error(`PULUMI_BACKEND_URL ${url}: no bucket name`);
    if (parsed.port || parsed.username || parsed.password) throw new Error(`PULUMI_BACKEND_URL ${url}: a bucket name has no port or user (the server goes in endpoint=)`);
    let disableHttps = false;
    for (const [name, value] of parsed.searchParams) {
        if (name === "region") location.region = value;
        else if (name === "endpoint") location.endpoint = value;
        else if (name === "profile") location.profile = value;
        else if (name === "use_path_style" || name === "s3ForcePathStyle") location.forcePathStyle = flag(url, name, value);
        else if (name === "disable_https") disableHttps = flag(url, name, value);
        else if (name === "dualstack") location.useDualstackEndpoint = flag(url, name, value);
        else if (name === "fips") location.useFipsEndpoint = flag(url, name, value);
        else if (name === "accelerate") location.useAccelerateEndpoint = flag(url, name, value);
        else if (name === "anonymous") location.anonymous = flag(url, name, value);
        else if (!NEUTRAL_S3_PARAMETERS.has(name)) {
            throw new Error(`PULUMI_BACKEND_URL ${url}: SyncWave does not support the s3 parameter ${name} (it keeps its lock beside Pulumi's and must address the same objects); supported: region, endpoint, profile, use_path_style, disable_https, dualstack, fips, accelerate, anonymous`);
        }
    }
    // gocloud: an endpoint without a scheme is https, or http with disable_https.
    if (location.endpoint && !/^https?:\/\//.test(location.endpoint)) location.endpoint = `${disableHttps ? "http" : "https"}://${location.endpoint}`;
    return location;
}

function prefixOf(path: string): string {
    const trimmed = path.replace(/^\/+/, "");
    return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}
