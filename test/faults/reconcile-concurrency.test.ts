// `syncwave sync` while `syncwave reconcile` runs, on the local cluster. Whichever holds the stack
// first finishes its sync; the other is refused at once naming the holder (a person's sync, unless it
// waits with --lock-timeout), or — reconcile — skips that round without counting a failed attempt
// and looks again next round. Nothing is applied twice, and both end in sync.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync } from "../../cli/commands/sync";
import { deploymentImage, ensureCluster, k, kTry } from "../helpers/cluster";
import { startCli } from "../helpers/cli-run";
import { TestRepo } from "../helpers/git";
import { waveConfigMap, webDeployment } from "../helpers/manifests";
import { until } from "../helpers/processes";
import { webApplicationStack, type SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `reconcile-lock-${run}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

describe("a sync while reconcile runs", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    let version = 0;

    function commitVersion(readyAfter: string): string {
        version++;
        repo.commit({
            "web/web.yaml": yaml(webDeployment(`example.com/web:${version}`, { "syncwave.dev/ready-after": readyAfter })),
            "web/last.yaml": yaml(waveConfigMap("last", 2, { v: String(version) })),
        });
        return `example.com/web:${version}`;
    }

    const image = () => deploymentImage(ns);

    const start = (args: string[]) => startCli(stack, args);

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        commitVersion("1s");
        stack = await webApplicationStack("reconcile-lock", repo.url, "web", ns, "120s", { selfHeal: true });
        options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).failed).toEqual([]);
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("reconcile's sync holds the stack: a person's sync is refused naming it, or waits for it with --lock-timeout", async () => {
        const reconcile = start(["reconcile", "--interval", "3s"]);
        try {
            const next = commitVersion("20s");
            await until("reconcile to apply the new commit", 120_000, async () => ((await image()) === next ? true : undefined));
            const refused = await sync(options).then(
                () => "synced",
                (err: Error) => err.message,
            );
            expect(refused).toMatch(new RegExp(`stack ${stack.name} is locked by pid ${reconcile.child.pid} .*which still runs.*'syncwave unlock ${stack.name} --force' clears the lock`));
            const waited = await sync({ ...options, lockTimeoutMs: 120_000 });
            expect(waited.result).toBe("in sync");
            expect(reconcile.output()).toMatch(/web: synced at new commit/);
            expect(await k("get", "configmap/last", "-n", ns, "-o", "jsonpath={.data.v}")).toBe(String(version));

            // A person's sync holds the stack: reconcile skips its rounds, counts no failure, then finds it in sync.
            const mine = commitVersion("15s");
            const person = start(["sync"]);
            await until("the person's sync to apply the new commit", 120_000, async () => ((await image()) === mine ? true : undefined));
            await until("reconcile to meet the lock", 60_000, () => (/web: not synced this round: stack .* is locked by pid/.test(reconcile.output()) ? true : undefined));
            expect((await person.exited).code, person.output()).toBe(0);
            expect(reconcile.output()).not.toMatch(/sync failed \(attempt/);
            expect(await k("get", "configmap/last", "-n", ns, "-o", "jsonpath={.data.v}")).toBe(String(version));
            expect((await k("get", "deployments", "-n", ns, "-o", "name")).split("\n").filter(Boolean)).toEqual(["deployment.apps/web"]);
        } finally {
            reconcile.child.kill("SIGTERM");
            await reconcile.exited;
        }
        expect((await sync(options)).result).toBe("in sync");
    });
});
