// The preview identity of examples/ci/preview-identity.yaml on a real API server: as that
// ServiceAccount, a server-side dry run in its namespace passes, the same write for real is refused by
// the admission policy (Kubernetes authorises a dry run like the write, so RBAC alone could not), and
// a write outside its namespace is refused by RBAC. The example is applied as written, moved into a
// namespace of its own and with run-unique names for its cluster-scoped objects.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";

const EXAMPLE = resolve(__dirname, "../../examples/ci/preview-identity.yaml");
const EXAMPLE_NAMESPACE = "shop";
const run = Date.now().toString(36);
const ns = `preview-${run}`;
const user = `system:serviceaccount:${ns}:syncwave-preview`;

type Doc = {
    kind: string;
    metadata: { name: string; namespace?: string };
    subjects?: { namespace?: string }[];
    roleRef?: { kind: string; name: string };
    spec?: { policyName?: string; matchConditions?: { expression: string }[] };
};

function check(condition: boolean, what: string): void {
    if (!condition) throw new Error(`examples/ci/preview-identity.yaml changed shape: ${what}`);
}

/** The example's objects, moved from the shop namespace to this run's, cluster-scoped names made unique. */
function exampleForThisRun(): Doc[] {
    const docs = parseAllDocuments(readFileSync(EXAMPLE, "utf8")).map((d) => d.toJS() as Doc);
    const unique = (name: string) => `${name}-${run}`;
    return docs.map((d) => {
        const doc: Doc = structuredClone(d);
        if (doc.metadata.namespace !== undefined) {
            check(doc.metadata.namespace === EXAMPLE_NAMESPACE, `${doc.kind} ${doc.metadata.name} is not in namespace ${EXAMPLE_NAMESPACE}`);
            doc.metadata.namespace = ns;
        } else {
            doc.metadata.name = unique(doc.metadata.name);
        }
        for (const s of doc.subjects ?? []) if (s.namespace !== undefined) s.namespace = ns;
        if (doc.roleRef?.kind === "ClusterRole") doc.roleRef.name = unique(doc.roleRef.name);
        if (doc.spec?.policyName) doc.spec.policyName = unique(doc.spec.policyName);
        for (const c of doc.spec?.matchConditions ?? []) {
            check(c.expression.includes(`system:serviceaccount:${EXAMPLE_NAMESPACE}:syncwave-preview`), "the policy no longer matches the preview ServiceAccount by name");
            c.expression = c.expression.replace(`system:serviceaccount:${EXAMPLE_NAMESPACE}:syncwave-preview`, user);
        }
        return doc;
    });
}

function configMapFile(name: string, namespace: string): string {
    const file = join(tmpdir(), `syncwave-preview-${run}-${name}-${namespace}.yaml`);
    writeFileSync(file, stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { run } }));
    return file;
}

const asPreview = (...args: string[]) => kTry(...args, `--as=${user}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the dry-run-only preview identity", () => {
    const docs = exampleForThisRun();
    const policy = docs.find((d) => d.kind === "ValidatingAdmissionPolicy")!.metadata.name;

    beforeAll(async () => {
        await ensureCluster();
        await k("create", "namespace", ns);
        await apply(...docs);
        // The API server loads a new admission policy within a few seconds; until then a real write
        // would pass, so wait until a throwaway one is refused (and remove any that got through).
        for (let i = 0; ; i++) {
            const probe = await asPreview("create", "configmap", `probe-${i}`, "-n", ns);
            if (!probe.ok && probe.output.includes(policy)) break;
            if (probe.ok) await k("delete", "configmap", `probe-${i}`, "-n", ns);
            if (i > 60) throw new Error(`policy ${policy} never refused a write: ${probe.output}`);
            await sleep(500);
        }
    });

    afterAll(async () => {
        await kTry("delete", "namespace", ns, "--wait=false");
        for (const d of docs.filter((x) => x.metadata.namespace === undefined)) {
            await kTry("delete", d.kind.toLowerCase(), d.metadata.name, "--ignore-not-found");
        }
    });

    it("may dry-run a write in its namespace", async () => {
        const dryRun = await asPreview("apply", "--dry-run=server", "-f", configMapFile("app-config", ns));
        expect(dryRun.output).toContain("configmap/app-config created (server dry run)");
        expect(dryRun.ok).toBe(true);
        expect((await kTry("get", "configmap", "app-config", "-n", ns)).ok).toBe(false);
    });

    it("is refused the same write for real, by the admission policy", async () => {
        const real = await asPreview("apply", "-f", configMapFile("app-config", ns));
        expect(real.ok).toBe(false);
        expect(real.output).toContain(`ValidatingAdmissionPolicy '${policy}'`);
        expect(real.output).toContain("the syncwave-preview identity may only dry-run");
        expect((await kTry("get", "configmap", "app-config", "-n", ns)).ok).toBe(false);
    });

    it("is refused a delete for real, and a dry-run delete passes", async () => {
        await k("create", "configmap", "keep", "-n", ns);
        expect((await asPreview("delete", "configmap", "keep", "-n", ns, "--dry-run=server")).ok).toBe(true);
        const real = await asPreview("delete", "configmap", "keep", "-n", ns);
        expect(real.ok).toBe(false);
        expect(real.output).toContain(`ValidatingAdmissionPolicy '${policy}'`);
        expect((await kTry("get", "configmap", "keep", "-n", ns)).ok).toBe(true);
    });

    it("is refused by RBAC outside its namespace, even as a dry run", async () => {
        const outside = await asPreview("apply", "--dry-run=server", "-f", configMapFile("escape", "default"));
        expect(outside.ok).toBe(false);
        expect(outside.output).toMatch(/forbidden: User "system:serviceaccount:preview-[a-z0-9]+:syncwave-preview" cannot (get|create|patch) resource "configmaps" in API group "" in the namespace "default"/);
    });

    it("may not impersonate, so it cannot borrow a writer's rights", async () => {
        // can-i answers "no" and exits 1.
        const borrowed = await kTry("auth", "can-i", "impersonate", "serviceaccounts", `--as=${user}`, "-A");
        expect(borrowed.ok).toBe(false);
        expect(borrowed.output).toMatch(/\bno\s*$/);
    });
});
