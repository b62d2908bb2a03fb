// The store of the backend a command's environment names, or undefined for a backend that keeps its
// own locks (Pulumi Cloud and the other self-managed ones SyncWave does not reach into).
import { backendLocation } from "./backend-location";
import type { BlobStore } from "./blob-store";
import { FileStore } from "./file-store";
import { S3Store } from "./s3-store";

/** PULUMI_BACKEND_URL of the run (its env first, then the process's). */
export function backendUrlOf(env: Record<string, string> | undefined): string | undefined {
    return env?.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL;
}

const opened = new Map<string, BlobStore>();

export function openStore(env: Record<string, string> | undefined): BlobStore | undefined {
    const url = backendUrlOf(env);
    const location = backendLocation(url);
    if (location.kind === "other") return undefined;
    const cacheKey = `${url}\0${env?.AWS_ACCESS_KEY_ID ?? ""}\0${env?.AWS_PROFILE ?? ""}`;
    let store = opened.get(cacheKey);
    if (!store) {
        store = location.kind === "file" ? new FileStore(location.root) : new S3Store(location, { ...process.env, ...(env ?? {}) });
        opened.set(cacheKey, store);
    }
    return store;
}
