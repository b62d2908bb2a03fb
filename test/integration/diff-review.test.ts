// `syncwave diff` as a reviewer reads it, on the local cluster: a changed field with its old and new
// values, an added and a removed object, the hooks that will run (and not the one that left git), a
// prune with and without --prune, a Secret changed without its values, the markdown comment's shape
// and the exit codes.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync } from "../../cli/commands/sync";
import { startCli } from "../helpers/cli-run";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { waveConfigMap } from "../helpers/manifests";
import { webApplicationStack, type SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `diff-${run}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

const api = (replicas: number) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "shop-api", annotations: { "argocd.argoproj.io/sync-wave": "1" } },
    spec: { replicas, selector: { matchLabels: { app: "shop-api" } }, template: { metadata: { labels: { app: "shop-api" } }, spec: { containers: [{ name: "api", image: "example.com/shop-api:1" }] } } },
});
const hook = (name: string, phase: string) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, annotations: { "argocd.argoproj.io/hook": phase } },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "task", image: "example.com/task:1" }] } } },
});
const secret = (password: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, type: "Opaque", data: { password: Buffer.from(password).toString("base64"), user: Buffer.from("admin").toString("base64") } });

describe("syncwave diff for a review", () => {
    let repo: TestRepo;
    let stack: SyncStack;

    async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
        const r = startCli(stack, ["--no-color", ...args]);
        const { code } = await r.exited;
        return { code, output: r.output() };
    }

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        repo.commit({
            "web/api.yaml": yaml(api(2)),
            "web/old.yaml": yaml(waveConfigMap("old", 0, { v: "1" })),
            "web/db.yaml": yaml(secret("first-password")),
            "web/smoke.yaml": yaml(hook("smoke", "PostSync")),
            "web/settings.yaml": yaml(waveConfigMap("settings", 0, { mode: "fast" })),
        });
        stack = await webApplicationStack("diff-review", repo.url, "web", ns);
        expect((await sync({ stack: stack.name, cwd: root, env: stack.env })).failed).toEqual([]);
        // Someone edits an object git does not change: the diff shows the sync putting it back.
        await k("patch", "configmap", "settings", "-n", ns, "--type", "merge", "-p", JSON.stringify({ data: { mode: "slow" } }));
        repo.commit({
            "web/api.yaml": yaml(api(3)),
            "web/old.yaml": null,
            "web/new.yaml": yaml(waveConfigMap("new", 0, { v: "1" })),
            "web/db.yaml": yaml(secret("second-password")),
            "web/smoke.yaml": null,
            "web/migrate.yaml": yaml(hook("migrate", "PreSync")),
        });
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("shows fields with old and new values, added, removed and pruned objects, hooks, and a Secret without its values", async () => {
        const { code, output } = await cli("diff", "--exit-code");
        expect(code, output).toBe(1);
        expect(output).toMatch(new RegExp(`~  Deployment ${ns}/shop-api`));
        expect(output).toMatch(/^\s+-\s+replicas: 2$/m);
        expect(output).toMatch(/^\s+\+\s+replicas: 3$/m);
        expect(output).toMatch(new RegExp(`\\+  ConfigMap ${ns}/new`));
        // (The Kubernetes provider replaces a changed ConfigMap, server-side apply onto the same object.)
        expect(output).toMatch(new RegExp(`(~ |\\+-) ConfigMap ${ns}/settings  \\[.*drifted since the last sync`));
        expect(output).not.toMatch(/Secret .*drifted/);
        expect(output).toMatch(/^\s+-\s+mode: slow$/m);
        expect(output).toMatch(/^\s+\+\s+mode: fast$/m);
        expect(output).toMatch(new RegExp(`hook Job ${ns}/migrate  \\[runs: the desired state changed\\]`));
        // Not drifted: the Deployment is as the last sync left it, git changes it.
        expect(output).not.toMatch(/Deployment .*drifted/);
        expect(output).toMatch(new RegExp(`PreSync wave 0\\n\\s+>\\s+hook Job ${ns}/migrate`));
        // The PostSync hook left git: it does not run.
        expect(output).not.toContain("smoke");
        expect(output).toMatch(new RegExp(`requires pruning.*ConfigMap ${ns}/old`));
        // The Kubernetes provider replaces a changed Secret (server-side apply onto the same object).
        expect(output).toMatch(new RegExp(`(~ |\\+-) Secret ${ns}/db`));
        // The state keeps a Secret's data encrypted as a whole: changed, keys and values hidden.
        expect(output).toContain("+data: (hidden, new values of password)");
        for (const value of ["first-password", "second-password", Buffer.from("first-password").toString("base64"), Buffer.from("second-password").toString("base64")]) expect(output).not.toContain(value);
        // Nothing changed for the review: the cluster is as the last sync left it.
        expect((await kTry("get", "configmap", "new", "-n", ns)).ok).toBe(false);
    });

    it("with --prune, says what the sync deletes", async () => {
        const { output } = await cli("diff", "--prune");
        expect(output).toMatch(new RegExp(`prune \\(later waves first\\): ConfigMap ${ns}/old`));
    });

    it("as JSON: each change with its unified diff", async () => {
        const { output } = await cli("--json", "diff");
        const json = JSON.parse(output) as { changes: { resource: string; op: string; unified: string[] }[] };
        const deployment = json.changes.find((c) => c.resource === `Deployment ${ns}/shop-api`)!;
        expect(deployment.op).toBe("update");
        expect(deployment.unified).toContain("+  replicas: 3");
    });

    it("as a pull-request comment: a summary table and a collapsible section per Application", async () => {
        const { code, output } = await cli("diff", "--format", "markdown", "--app", "web");
        expect(code, output).toBe(0);
        expect(output).toMatch(new RegExp(`^### SyncWave diff: stack ${stack.name}, application web$`, "m"));
        expect(output).toMatch(/^\| web \| `[0-9a-f]{12}` \(main\) \| 1 \| \d \| \d \| 1 \| 0 \| 1 \| ✅ \|$/m);
        expect(output).toMatch(/<summary>web: 1 create, .*1 hook<\/summary>/);
        expect(output).toMatch(/```diff\n(.*\n)*\s+\+\s+replicas: 3\n/);
        expect(output).not.toContain(Buffer.from("second-password").toString("base64"));
    });

    it("diffs an unmerged branch with --revision against the live cluster, writing nothing", async () => {
        const main = repo.git("rev-parse", "HEAD").trim();
        repo.git("checkout", "-q", "-b", "feature");
        repo.commit({ "web/api.yaml": yaml(api(5)) }, "five replicas");
        repo.git("checkout", "-q", "main");
        const before = (await stack.run(["stack", "export"])).stdout;
        const { code, output } = await cli("diff", "--app", "web", "--revision", "feature", "--exit-code");
        expect(code, output).toBe(1);
        expect(output).toMatch(/^\s+-\s+replicas: 2$/m);
        expect(output).toMatch(/^\s+\+\s+replicas: 5$/m);
        expect(output).toMatch(/application web {2}file:\/\/\S+@feature \(instead of main\) = [0-9a-f]{12}/);
        expect(output).not.toContain(main.slice(0, 12));
        expect((await stack.run(["stack", "export"])).stdout).toBe(before);
        const markdown = await cli("diff", "--app", "web", "--revision", "feature", "--format", "markdown");
        expect(markdown.output).toMatch(new RegExp(`^### SyncWave diff: stack ${stack.name}, application web at feature$`, "m"));
        const withoutApp = await cli("diff", "--revision", "feature");
        expect(withoutApp.code).not.toBe(0);
        expect(withoutApp.output).toContain("--revision needs --app: the application whose source to take at that revision");
        const badRef = await cli("diff", "--app", "web", "--revision", "-x");
        expect(badRef.code).not.toBe(0);
    });

    it("exits 0 once synced, and refuses an unknown --app or --format", async () => {
        expect((await sync({ stack: stack.name, cwd: root, env: stack.env, prune: true })).failed).toEqual([]);
        expect((await cli("diff", "--exit-code")).code).toBe(0);
        const unknownApp = await cli("diff", "--app", "nope");
        expect(unknownApp.code).not.toBe(0);
        expect(unknownApp.output).toContain("no application named nope in the diff (it has: web)");
        const badFormat = await cli("diff", "--format", "html");
        expect(badFormat.code).not.toBe(0);
        expect(badFormat.output).toContain("--format html: expected terminal or markdown");
    });
});
