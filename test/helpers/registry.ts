// A local OCI registry for the image promotion tests: the toolchain's syncwave-registry (distribution
// with its filesystem driver) on 127.0.0.1 with a free port and a temporary folder, and image pushes
// through the distribution HTTP API (blob uploads, then an OCI image manifest), so a test can publish
// tags with distinct digests and build dates.
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startListening, stopListening } from "./local-server";

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export class TestRegistry {
    private constructor(
        private readonly child: ChildProcess,
        private readonly root: string,
        /** `127.0.0.1:PORT`: the registry part of image names. */
        readonly host: string,
    ) {}

    static async start(): Promise<TestRegistry> {
        const bin = process.env.SYNCWAVE_REGISTRY_BIN;
        if (!bin) throw new Error("SYNCWAVE_REGISTRY_BIN is not set: run the tests through the toolchain's environment (npm test), after 'npm run setup -- --only registry'");
        const root = mkdtempSync(join(tmpdir(), "syncwave-registry-"));
        const { child, address: host } = await startListening("syncwave-registry", bin, ["-addr", "127.0.0.1:0", "-root", root]);
        return new TestRegistry(child, root, host);
    }

    async stop(): Promise<void> {
        await stopListening(this.child);
        rmSync(this.root, { recursive: true, force: true });
    }

    /** `host/repository`, the image name without a tag. */
    image(repository: string): string {
        return `${this.host}/${repository}`;
    }

    /**
     * Publishes `repository:tag` as a one-layer OCI image whose config says it was built at `created`;
     * every push is a new image (new layer bytes), so its digest is new. Returns the manifest digest.
     */
    async push(repository: string, tag: string, created: Date = new Date()): Promise<string> {
        const layer = randomBytes(64);
        const config = Buffer.from(JSON.stringify({ created: created.toISOString(), architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] }, config: {} }));
        await this.uploadBlob(repository, layer);
        await this.uploadBlob(repository, config);
        const manifest = Buffer.from(
            JSON.stringify({
                schemaVersion: 2,
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
                layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(layer), size: layer.length }],
            }),
        );
        const res = await fetch(`http://${this.host}/v2/${repository}/manifests/${tag}`, {
            method: "PUT",
            headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
            body: manifest,
        });
        if (res.status !== 201) throw new Error(`PUT manifest ${repository}:${tag}: ${res.status} ${await res.text()}`);
        return res.headers.get("docker-content-digest") ?? sha256(manifest);
    }

    /** A monolithic upload: POST a session, then PUT the bytes with their digest. */
    private async uploadBlob(repository: string, data: Buffer): Promise<void> {
        const start = await fetch(`http://${this.host}/v2/${repository}/blobs/uploads/`, { method: "POST" });
        if (start.status !== 202) throw new Error(`POST upload ${repository}: ${start.status} ${await start.text()}`);
        const location = new URL(start.headers.get("location")!, `http://${this.host}`);
        location.searchParams.set("digest", sha256(data));
        const put = await fetch(location, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: data });
        if (put.status !== 201) throw new Error(`PUT blob ${repository}: ${put.status} ${await put.text()}`);
    }
}
