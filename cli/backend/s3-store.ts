// An S3 bucket (AWS S3 or a compatible server) as a BlobStore, with the client and credentials the
// Pulumi CLI itself would use for the same URL: the AWS SDK's default chain (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the URL's profile, web identity, instance roles), the URL's
// region, endpoint and path style. `create` is a conditional write (If-None-Match: *, S3's
// write-if-absent), which AWS S3, versitygw, MinIO and Cloudflare R2 honour: two runners racing for
// a lock cannot both get it. Every request has its own deadline.
import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Location } from "./backend-location";
import type { BlobStore } from "./blob-store";

const REQUEST_TIMEOUT_MS = 30_000;

export class S3Store implements BlobStore {
    readonly description: string;
    private client: S3Client | undefined;

    constructor(
        private readonly location: S3Location,
        private readonly env: Record<string, string | undefined> = process.env,
    ) {
        this.description = `s3://${location.bucket}${location.prefix ? `/${location.prefix.replace(/\/$/, "")}` : ""}`;
    }

    private async s3(): Promise<{ client: S3Client; sdk: typeof import("@aws-sdk/client-s3") }> {
        // Loaded when first used: only S3 backends pay for the SDK.
        const sdk = await import("@aws-sdk/client-s3");
        if (!this.client) {
            const l = this.location;
            const credentials = l.anonymous ? { accessKeyId: "", secretAccessKey: "" } : this.credentials();
            this.client = new sdk.S3Client({
                region: l.region ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION ?? "us-east-1",
                ...(l.endpoint ? { endpoint: l.endpoint } : {}),
                forcePathStyle: l.forcePathStyle,
                useDualstackEndpoint: l.useDualstackEndpoint,
                useFipsEndpoint: l.useFipsEndpoint,
                useAccelerateEndpoint: l.useAccelerateEndpoint,
                ...(credentials ? { credentials } : {}),
                ...(l.profile ? { profile: l.profile } : {}),
                // Retried requests are safe: a lock whose first attempt was stored is found as ours (sync-lock.ts).
                maxAttempts: 4,
                requestHandler: { connectionTimeout: 10_000, requestTimeout: REQUEST_TIMEOUT_MS },
                // Small objects: no streaming checksums some S3-compatible servers do not take.
                requestChecksumCalculation: "WHEN_REQUIRED",
                responseChecksumValidation: "WHEN_REQUIRED",
            });
        }
        return { client: this.client, sdk };
    }

    /** Explicit keys from this run's environment (which may differ from the process's), else the SDK's default chain (profiles, roles). */
    private credentials() {
        const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = this.env;
        if (accessKeyId && secretAccessKey && !this.location.profile) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
        return undefined;
    }

    private key(key: string): string {
        return `${this.location.prefix}${key}`;
    }

    private failed(what: string, key: string, err: unknown): Error {
        const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : "";
        return new Error(`${this.description}: ${what} ${key}: ${e.name ?? "error"}${status}: ${e.message ?? String(err)}`);
    }

    async read(key: string): Promise<Buffer | undefined> {
        const { client, sdk } = await this.s3();
        try {
            const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(key) }), { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            return Buffer.from(await out.Body!.transformToByteArray());
        } catch (err) {
            if ((err as { name?: string }).name === "NoSuchKey" || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
            throw this.failed("read", key, err);
        }
    }

    async write(key: string, data: string | Buffer): Promise<void> {
        const { client, sdk } = await this.s3();
        try {
            await client.send(new sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(key), Body: data }), { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        } catch (err) {
            throw this.failed("write", key, err);
        }
    }

    /**
     * Once per store: a server that ignores If-None-Match would let two runners both take a lock, so
     * a probe key is created twice (the second must be refused) before any lock is trusted to it.
     */
    private conditionalWrites: Promise<void> | undefined;

    private checkConditionalWrites(): Promise<void> {
        this.conditionalWrites ??= (async () => {
            const probe = `.pulumi/syncwave-locks/.conditional-write-probe-${randomUUID()}`;
            try {
                const first = await this.putIfAbsent(probe, "probe");
                const second = await this.putIfAbsent(probe, "probe");
                if (!first || second) {
                    throw new Error(`${this.description}: the S3 server does not honour conditional writes (PutObject with If-None-Match: * on an existing key must be refused with 412): SyncWave cannot lock stacks there safely; use a store that does (AWS S3, versitygw, MinIO, Cloudflare R2)`);
                }
            } finally {
                await this.remove(probe).catch(() => undefined);
            }
        })();
        return this.conditionalWrites;
    }

    async create(key: string, data: string): Promise<boolean> {
        await this.checkConditionalWrites();
        return this.putIfAbsent(key, data);
    }

    private async putIfAbsent(key: string, data: string): Promise<boolean> {
        const { client, sdk } = await this.s3();
        try {
            await client.send(new sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(key), Body: data, IfNoneMatch: "*" }), { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            return true;
        } catch (err) {
            const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            // 412: the key exists. 409: a conditional write raced another one to the same key (AWS).
            if (status === 412 || status === 409) return false;
            throw this.failed("create", key, err);
        }
    }

    async list(folder: string): Promise<string[]> {
        const { client, sdk } = await this.s3();
        const keys: string[] = [];
        let token: string | undefined;
        try {
            do {
                const out = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.key(folder), ContinuationToken: token }), { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
                for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.location.prefix.length));
                token = out.IsTruncated ? out.NextContinuationToken : undefined;
            } while (token);
        } catch (err) {
            throw this.failed("list", folder, err);
        }
        return keys.sort();
    }

    async remove(key: string): Promise<void> {
        const { client, sdk } = await this.s3();
        try {
            await client.send(new sdk.DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.key(key) }), { abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        } catch (err) {
            throw this.failed("remove", key, err);
        }
    }
}
