// PULUMI_BACKEND_URL as SyncWave reads it, to address the same objects the Pulumi CLI does.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { backendLocation } from "../../cli/backend/backend-location";
import { openStore } from "../../cli/backend/open-store";
import { checkpointKeys, pulumiLockFolder, stackRef, syncLockKey } from "../../cli/backend/stack-keys";

describe("the backend a URL names", () => {
    it("a folder", () => {
        expect(backendLocation("file:///var/state?no_tmp_dir=true")).toEqual({ kind: "file", root: "/var/state" });
    });

    it("a bucket with the parameters of a local S3-compatible server", () => {
        expect(backendLocation("s3://syncwave-state?endpoint=http://127.0.0.1:9310&use_path_style=true&region=us-east-1")).toEqual({
            kind: "s3",
            bucket: "syncwave-state",
            prefix: "",
            endpoint: "http://127.0.0.1:9310",
            region: "us-east-1",
            forcePathStyle: true,
            useDualstackEndpoint: false,
            useFipsEndpoint: false,
            useAccelerateEndpoint: false,
            anonymous: false,
        });
    });

    it.each([
        ["s3://b/teams/platform", "teams/platform/"],
        ["s3://b/teams/platform/", "teams/platform/"],
        ["s3://b", ""],
        ["s3://b/", ""],
    ])("%s keeps its keys under %j, as Pulumi's diy backend prefixes its bucket", (url, prefix) => {
        expect((backendLocation(url) as { prefix: string }).prefix).toBe(prefix);
    });

    it("the legacy path style parameter, an endpoint without a scheme, disable_https", () => {
        expect(backendLocation("s3://b?s3ForcePathStyle=true&endpoint=minio:9000&disable_https=true")).toMatchObject({ forcePathStyle: true, endpoint: "http://minio:9000" });
        expect(backendLocation("s3://b?endpoint=s3.example.com")).toMatchObject({ endpoint: "https://s3.example.com" });
    });

    it("parameters that change nothing about where objects go are accepted", () => {
        expect(backendLocation("s3://b?awssdk=v2&request_checksum_calculation=when_required&sse_type=aws:kms")).toMatchObject({ kind: "s3", bucket: "b" });
    });

    it.each([
        ["s3://b?hostname_immutable=true", "SyncWave does not support the s3 parameter hostname_immutable"],
        ["s3://b?use_path_style=maybe", "use_path_style=maybe is not a boolean"],
        ["s3://b:9000", "a bucket name has no port or user (the server goes in endpoint=)"],
    ])("%s is refused, naming the parameter", (url, message) => {
        expect(() => backendLocation(url)).toThrow(message);
    });

    it("Pulumi Cloud and other backends keep their own locks", () => {
        expect(backendLocation("https://api.pulumi.com")).toEqual({ kind: "other", url: "https://api.pulumi.com" });
        expect(backendLocation("gs://bucket")).toEqual({ kind: "other", url: "gs://bucket" });
        expect(openStore({ PULUMI_BACKEND_URL: "azblob://c" })).toBeUndefined();
    });
});

describe("a stack's keys", () => {
    it("follow the diy backend's layout, with the organization only where Pulumi puts it", () => {
        for (const name of ["dev", "organization/dev", "organization/proj/dev"]) {
            const ref = stackRef("proj", name);
            expect(pulumiLockFolder(ref)).toBe(".pulumi/locks/organization/proj/dev/");
            expect(syncLockKey(ref)).toBe(".pulumi/syncwave-locks/organization/proj/dev.json");
            expect(checkpointKeys(ref)).toEqual([".pulumi/stacks/proj/dev.json", ".pulumi/stacks/proj/dev.json.gz"]);
        }
        expect(pulumiLockFolder(stackRef("proj", "acme/dev"))).toBe(".pulumi/locks/acme/proj/dev/");
    });
});

describe("a folder as a store", () => {
    it("creates only when absent, lists recursively, writes whole files", async () => {
        const root = mkdtempSync(join(tmpdir(), "store-"));
        const store = openStore({ PULUMI_BACKEND_URL: pathToFileURL(root).href })!;
        expect(await store.create("a/lock.json", "1")).toBe(true);
        expect(await store.create("a/lock.json", "2")).toBe(false);
        expect((await store.read("a/lock.json"))?.toString()).toBe("1");
        await store.write("a/b/state.json", "{}");
        expect(await store.list("a/")).toEqual(["a/b/state.json", "a/lock.json"]);
        expect(readdirSync(join(root, "a", "b"))).toEqual(["state.json"]);
        await store.remove("a/lock.json");
        await store.remove("a/lock.json");
        expect(await store.read("a/lock.json")).toBeUndefined();
        expect(await store.list("none/")).toEqual([]);
    });
});
