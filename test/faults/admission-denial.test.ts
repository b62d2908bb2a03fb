// An admission policy of the cluster refuses an object of wave 1: a ValidatingAdmissionPolicy (the API
// server's own CEL admission, no webhook server needed) with a binding, on the local cluster. Refused
// in the preview's dry run, nothing is applied; refused only when written for real (the policy lets
// dry runs through), the sync stops at wave 1. Either way the Application's SyncFail hook runs and the
// message names the object and the policy's words; once the policy is gone the next sync converges.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync } from "../../cli/commands/sync";
import { apply, ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { waveConfigMap } from "../helpers/manifests";
import { webApplicationStack, type SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `admission-${run}`;
const policy = `syncwave-freeze-${run}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

/** A SyncFail hook: a Job, a new object (generateName) every time it runs. */
const onFail = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { generateName: "on-fail-", annotations: { "argocd.argoproj.io/hook": "SyncFail" } },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "notify", image: "example.com/notify:1" }] } } },
};

/** Refuses the ConfigMap "guarded" (and the test's "probe") of the test's namespace holding `value: <frozen>`; with `realWritesOnly`, dry runs pass. */
function freezePolicy(frozen: string, realWritesOnly: boolean) {
    return [
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: policy },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["configmaps"] }] },
                matchConditions: [
                    { name: "guarded-only", expression: `object.metadata.name in ['guarded', 'probe'] && object.metadata.namespace == '${ns}'` },
                    ...(realWritesOnly ? [{ name: "real-writes-only", expression: "request.dryRun != true" }] : []),
                ],
                validations: [{ expression: `!has(object.data) || !('value' in object.data) || object.data.value != '${frozen}'`, message: `guarded is frozen at its current value (change freeze ${run})` }],
            },
        },
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name: policy },
            spec: { policyName: policy, validationActions: ["Deny"] },
        },
    ];
}

describe("an admission policy refuses an object of wave 1", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };

    function commit(value: string): void {
        repo.commit({
            "app/first.yaml": yaml(waveConfigMap("first", 0, { value })),
            "app/guarded.yaml": yaml(waveConfigMap("guarded", 1, { value })),
            "app/last.yaml": yaml(waveConfigMap("last", 2, { value })),
            "app/on-fail.yaml": yaml(onFail),
        });
    }

    const valueOf = (name: string) => k("get", "configmap", name, "-n", ns, "-o", "jsonpath={.data.value}");
    const hookRuns = async () => (await k("get", "jobs", "-n", ns, "-o", "jsonpath={range .items[*]}{.metadata.uid}{\"\\n\"}{end}")).split("\n").filter(Boolean);

    /** Applies the policy and waits until the API server enforces it (it loads policies asynchronously): a probe object it covers is refused. */
    async function enforce(frozen: string, realWritesOnly: boolean): Promise<void> {
        await apply(...freezePolicy(frozen, realWritesOnly));
        for (let i = 0; i < 60; i++) {
            const probe = await kTry("create", "configmap", "probe", "-n", ns, `--from-literal=value=${frozen}`);
            if (!probe.ok && probe.output.includes("frozen")) return;
            if (probe.ok) await k("delete", "configmap", "probe", "-n", ns);
            await new Promise((r) => setTimeout(r, 500));
        }
        throw new Error(`the admission policy ${policy} was not enforced within 30s`);
    }

    /** The sync's error message ("synced" if it did not fail). */
    const failureOf = () =>
        sync(options).then(
            () => "synced",
            (err: Error) => err.message,
        );

    /** The message names the object and quotes the policy; the SyncFail hook ran. */
    function expectRefusal(failure: string, start: RegExp): void {
        expect(failure).toMatch(start);
        expect(failure).toContain(`ConfigMap ${ns}/guarded was not successfully`);
        expect(failure).toContain(`guarded is frozen at its current value (change freeze ${run})`);
        expect(failure).toMatch(/web: SyncFail hook on-fail-[a-z0-9]+: Healthy/);
    }

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        commit("v1");
        stack = await webApplicationStack("admission", repo.url, "app", ns);
        options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).failed).toEqual([]);
        // A sync that succeeded ran no SyncFail hook.
        expect(await hookRuns()).toEqual([]);
    });
    afterAll(async () => {
        await kTry("delete", "validatingadmissionpolicybinding", policy);
        await kTry("delete", "validatingadmissionpolicy", policy);
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("in the preview's dry run: nothing is applied, the SyncFail hook runs, the message names the object and the denial", async () => {
        await enforce("v2", false);
        commit("v2");
        expectRefusal(await failureOf(), /^the preview failed, nothing was synced:/);
        expect(await valueOf("first")).toBe("v1");
        expect(await valueOf("guarded")).toBe("v1");
        expect(await valueOf("last")).toBe("v1");
        expect(await hookRuns()).toHaveLength(1);
    });

    it("only when written: wave 0 is applied, the sync stops at wave 1, the SyncFail hook runs, the next sync converges once the policy is gone", async () => {
        await enforce("v3", true);
        commit("v3");
        const before = await hookRuns();
        expectRefusal(await failureOf(), /^the sync failed:/);
        expect(await valueOf("first")).toBe("v3");
        expect(await valueOf("guarded")).toBe("v1");
        // Stopped at wave 1: wave 2 is not applied.
        expect(await valueOf("last")).toBe("v1");
        const after = await hookRuns();
        expect(after).toHaveLength(1);
        expect(after).not.toEqual(before);

        await k("delete", "validatingadmissionpolicybinding", policy);
        await k("delete", "validatingadmissionpolicy", policy);
        // The API server drops a deleted policy asynchronously: retry until it has.
        let lines: string[] = [];
        let result = await sync({ ...options, progress: (l) => lines.push(l) }).catch((err: Error) => err);
        for (let i = 0; i < 10 && result instanceof Error && result.message.includes("frozen"); i++) {
            await new Promise((r) => setTimeout(r, 2_000));
            lines = [];
            result = await sync({ ...options, progress: (l) => lines.push(l) }).catch((err: Error) => err);
        }
        expect(result instanceof Error ? result.message : result.failed, lines.join("\n")).toEqual([]);
        for (const name of ["first", "guarded", "last"]) expect(await valueOf(name)).toBe("v3");
    });
});
