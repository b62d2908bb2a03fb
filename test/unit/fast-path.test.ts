// The pure parts of the fast paths: the digest of what decides a sync, the stack's files read without
// the Pulumi CLI, bounded concurrency, and the timings table.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { applicationDigest, kubeconfigText, stackDigest, syncwaveCodeDigest, type StackInputs } from "../../cli/fast/fingerprint";
import { bounded, refKey } from "../../components/cluster/live-objects";
import { configObject, readFileCheckpoint, readProjectFile, stackConfigFile, stackConfigValues } from "../../cli/fast/stack-files";
import { desiredObjects } from "../../cli/commands/drift";
import { Timings } from "../../cli/timings";

const inputs: StackInputs = {
    projectText: "name: syncwave\n",
    stackConfigText: "config:\n  syncwave:healthTimeout: 5m\n",
    declarations: { applications: { shop: { project: "shop" } } },
    kubeconfigText: "kubeconfig",
    policyPacks: [],
    policyPackConfigs: [],
    syncKind: "automated",
};

describe("the digest of what decides a sync", () => {
    it("changes with every input, and only with them", () => {
        const base = stackDigest(inputs);
        expect(stackDigest({ ...inputs })).toBe(base);
        const variants: Partial<StackInputs>[] = [
            { projectText: "name: other\n" },
            { stackConfigText: "config:\n  syncwave:healthTimeout: 6m\n" },
            { declarations: { applications: { shop: { project: "other" } } } },
            { kubeconfigText: "another cluster" },
            { syncKind: "manual" },
            { policyPackConfigs: ["/nonexistent/config.json"] },
        ];
        const digests = variants.map((v) => stackDigest({ ...inputs, ...v }));
        for (const d of digests) expect(d).not.toBe(base);
        expect(new Set(digests).size).toBe(digests.length);
    });

    it("a policy pack's content and its configuration's content are part of it", () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-pack-"));
        writeFileSync(join(dir, "index.ts"), "rule 1");
        const config = join(dir, "config.json");
        writeFileSync(config, '{"a":1}');
        const first = stackDigest({ ...inputs, policyPacks: [dir], policyPackConfigs: [config] });
        writeFileSync(join(dir, "index.ts"), "rule 2");
        const second = stackDigest({ ...inputs, policyPacks: [dir], policyPackConfigs: [config] });
        writeFileSync(config, '{"a":2}');
        const third = stackDigest({ ...inputs, policyPacks: [dir], policyPackConfigs: [config] });
        expect(new Set([first, second, third]).size).toBe(3);
    });

    it("each Application's digest has its own name and every source's commit", () => {
        const s = stackDigest(inputs);
        const a = applicationDigest(s, "shop", ["a".repeat(40)]);
        expect(applicationDigest(s, "shop", ["a".repeat(40)])).toBe(a);
        expect(applicationDigest(s, "shop", ["b".repeat(40)])).not.toBe(a);
        expect(applicationDigest(s, "metrics", ["a".repeat(40)])).not.toBe(a);
        expect(applicationDigest(s, "shop", ["a".repeat(40), "c".repeat(40)])).not.toBe(a);
        expect(applicationDigest(stackDigest({ ...inputs, syncKind: "manual" }), "shop", ["a".repeat(40)])).not.toBe(a);
    });

    it("SyncWave's code digest is stable within a process", () => {
        expect(syncwaveCodeDigest()).toMatch(/^[0-9a-f]{64}$/);
        expect(syncwaveCodeDigest()).toBe(syncwaveCodeDigest());
    });

    it("the kubeconfig's content, not only its path, counts", () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-kc-"));
        const file = join(dir, "config");
        writeFileSync(file, "one");
        const a = kubeconfigText({ KUBECONFIG: file });
        writeFileSync(file, "two");
        expect(kubeconfigText({ KUBECONFIG: file })).not.toBe(a);
    });
});

describe("the stack's files, read without the Pulumi CLI", () => {
    const backend = () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-backend-"));
        mkdirSync(join(dir, ".pulumi", "stacks", "syncwave"), { recursive: true });
        return dir;
    };
    const checkpoint = { version: 3, checkpoint: { stack: "dev", latest: { resources: [{ urn: "u", type: "t" }], pending_operations: [{ type: "creating" }] } } };

    it("reads a file backend's checkpoint, plain or gzipped", () => {
        const dir = backend();
        const file = join(dir, ".pulumi", "stacks", "syncwave", "dev.json");
        writeFileSync(file, JSON.stringify(checkpoint));
        expect(readFileCheckpoint(pathToFileURL(dir).href, "syncwave", "dev")).toEqual(checkpoint.checkpoint.latest);
        const zipped = backend();
        writeFileSync(join(zipped, ".pulumi", "stacks", "syncwave", "dev.json.gz"), gzipSync(JSON.stringify(checkpoint)));
        expect(readFileCheckpoint(`file://${zipped}`, "syncwave", "dev")).toEqual(checkpoint.checkpoint.latest);
    });

    it("leaves everything else to `pulumi stack export`: other backends, a missing stack, both files", () => {
        expect(readFileCheckpoint("s3://bucket", "syncwave", "dev")).toBeUndefined();
        expect(readFileCheckpoint(undefined, "syncwave", "dev")).toBeUndefined();
        const dir = backend();
        expect(readFileCheckpoint(`file://${dir}`, "syncwave", "dev")).toBeUndefined();
        const base = join(dir, ".pulumi", "stacks", "syncwave", "dev.json");
        writeFileSync(base, JSON.stringify(checkpoint));
        writeFileSync(`${base}.gz`, gzipSync(JSON.stringify(checkpoint)));
        expect(readFileCheckpoint(`file://${dir}`, "syncwave", "dev")).toBeUndefined();
    });

    it("a stack that was never updated has no resources", () => {
        const dir = backend();
        writeFileSync(join(dir, ".pulumi", "stacks", "syncwave", "new.json"), JSON.stringify({ version: 3, checkpoint: { stack: "new" } }));
        expect(readFileCheckpoint(`file://${dir}`, "syncwave", "new")).toEqual({});
    });

    it("finds the stack's configuration file through stackConfigDir, and reads its values as the program does", () => {
        const dir = mkdtempSync(join(tmpdir(), "syncwave-project-"));
        writeFileSync(join(dir, "Pulumi.yaml"), "name: p\nstackConfigDir: stacks\nruntime: nodejs\n");
        mkdirSync(join(dir, "stacks"));
        writeFileSync(join(dir, "stacks", "Pulumi.dev.yaml"), 'config:\n  syncwave:pins: \'{"shop":{"revision":"abc"}}\'\n  syncwave:applications:\n    shop: { project: shop }\n');
        const project = readProjectFile(dir);
        expect(project.name).toBe("p");
        const file = stackConfigFile(dir, project, "org/p/dev");
        expect(file.path).toBe(join(dir, "stacks", "Pulumi.dev.yaml"));
        const values = stackConfigValues(file.text);
        expect(configObject(values, "syncwave:pins")).toEqual({ shop: { revision: "abc" } });
        expect(configObject(values, "syncwave:applications")).toEqual({ shop: { project: "shop" } });
        expect(stackConfigFile(dir, project, "prod").text).toBe("");
        expect(() => readProjectFile(join(dir, "stacks"))).toThrow(/no Pulumi.yaml/);
    });
});

describe("the desired objects of the state", () => {
    it("are the Applications' Kubernetes objects, without the provider's annotations, secrets unread", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" };
        const objects = desiredObjects([
            { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack" },
            {
                urn: "urn:a",
                type: "kubernetes:core/v1:Secret",
                parent: "urn:pulumi:s::p::syncwave:index:Application::shop",
                inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "shop", annotations: { "pulumi.com/patchForce": "true", keep: "1" } }, data: secret },
            },
            { urn: "urn:b", type: "kubernetes:core/v1:ConfigMap", parent: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", inputs: { apiVersion: "v1", kind: "ConfigMap" } },
        ]);
        expect(objects).toEqual([
            {
                application: "shop",
                urn: "urn:a",
                ref: { apiVersion: "v1", kind: "Secret", namespace: "shop", name: "s" },
                desired: { apiVersion: "v1", kind: "Secret", data: undefined, metadata: { labels: undefined, annotations: { keep: "1" } } },
            },
        ]);
    });
});

describe("helpers", () => {
    it("bounded runs every task, at most `limit` at once, keeping their order", async () => {
        let running = 0;
        let most = 0;
        const tasks = Array.from({ length: 20 }, (_, i) => async () => {
            running++;
            most = Math.max(most, running);
            await new Promise((r) => setTimeout(r, 5 + (i % 3)));
            running--;
            return i;
        });
        expect(await bounded(tasks, 4)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(most).toBe(4);
        expect(await bounded([], 4)).toEqual([]);
    });

    it("refKey tells objects apart by version, kind, namespace and name", () => {
        const keys = [
            refKey({ apiVersion: "v1", kind: "ConfigMap", namespace: "a", name: "x" }),
            refKey({ apiVersion: "v1", kind: "ConfigMap", namespace: "b", name: "x" }),
            refKey({ apiVersion: "v1", kind: "Secret", namespace: "a", name: "x" }),
            refKey({ apiVersion: "v1", kind: "ConfigMap", name: "x" }),
        ];
        expect(new Set(keys).size).toBe(4);
    });

    it("timings add spans of the same name, synchronous or not, failed or not", async () => {
        const t = new Timings();
        t.span("a", () => 1);
        await t.span("a", () => new Promise((r) => setTimeout(r, 20)));
        expect(() => t.span("b", () => { throw new Error("x"); })).toThrow("x");
        await expect(t.span("c", () => Promise.reject(new Error("y")))).rejects.toThrow("y");
        const rows = t.table();
        expect(rows.map((r) => [r.name, r.count])).toEqual([["a", 2], ["b", 1], ["c", 1]]);
        expect(rows[0].ms).toBeGreaterThanOrEqual(15);
        expect(t.format(1000)).toMatch(/a\s+0\.0\d\ds {2}\(2×\)[\s\S]*total\s+1\.000s/);
    });
});
