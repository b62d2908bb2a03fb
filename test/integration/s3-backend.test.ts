// Stacks whose state lives on a shared S3-compatible backend (a real versitygw server, the real
// Pulumi CLI and syncwave CLI, the local clusters), as parallel CI runners use it: a sync, its history
// and a rollback; the state surviving the server's restart; SyncWave's lock in the bucket refusing a
// second runner (or making it wait), a killed runner's lock removed on its own host and another
// host's left to `unlock --force`; eight stacks over two clusters synced at once by separate processes.
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { openStore } from "../../cli/backend/open-store";
import { stackRef, syncLockKey } from "../../cli/backend/stack-keys";
import type { BlobStore } from "../../cli/backend/blob-store";
import { killEverything, startCli, type CliRun } from "../helpers/cli-run";
import { deploymentImage, ensureCluster, ensureSecondCluster, k, kSecond, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { webDeployment } from "../helpers/manifests";
import { until } from "../helpers/processes";
import { startS3Server, type TestS3Server as S3Server } from "../helpers/s3";
import { SyncStack, teamPlatform } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const K8S = "https://kubernetes.default.svc";
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

/** `syncwave ARGS` for the stack, run to its end. */
async function syncwave(stack: SyncStack, args: string[]): Promise<{ code: number | null; output: string }> {
    const cli = startCli(stack, args);
    const { code } = await cli.exited;
    return { code, output: cli.output() };
}

function webApp(repoURL: string, namespace: string, destination: { server?: string; name?: string } = { server: K8S }) {
    return {
        project: "team",
        source: { repoURL, targetRevision: "main", path: "web" },
        destination: { ...destination, namespace },
        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
    };
}

describe("stacks on an S3 backend", () => {
    let s3: S3Server;
    let store: BlobStore;
    const stacks: SyncStack[] = [];
    const namespaces: string[] = [];
    const secondNamespaces: string[] = [];

    beforeAll(async () => {
        await ensureCluster();
        s3 = await startS3Server();
        store = openStore(s3.env)!;
    }, 180_000);

    afterAll(async () => {
        // The bucket goes with the server's folder; the stacks' configuration files stay in stacks/.
        for (const stack of stacks) rmSync(stack.file, { force: true });
        await s3?.stop();
        if (namespaces.length) await k("delete", "namespace", ...namespaces, "--ignore-not-found", "--wait=false");
        if (secondNamespaces.length) await kSecond("delete", "namespace", ...secondNamespaces, "--ignore-not-found", "--wait=false");
    }, 180_000);

    async function webStack(name: string, namespace: string, repo: TestRepo, extra: Record<string, unknown> = {}): Promise<SyncStack> {
        namespaces.push(namespace);
        const stack = await SyncStack.create(name, { platform: teamPlatform([namespace], ["web"]), applications: { web: webApp(repo.url, namespace) }, healthTimeout: "120s", ...extra }, { projectDir: root, configDir: resolve(root, "stacks"), backend: s3.env });
        stacks.push(stack);
        return stack;
    }

    const lockKey = (stack: SyncStack) => syncLockKey(stackRef("syncwave", stack.name));

    it("syncs, keeps the history and rolls back, with the state in the bucket, and survives the server's restart", async () => {
        const ns = `s3-web-${run}`;
        const repo = new TestRepo();
        const first = repo.commit({ "web/web.yaml": yaml(webDeployment("example.com/web:1")) });
        const stack = await webStack("s3-web", ns, repo);

        const synced = await syncwave(stack, ["sync"]);
        expect(synced.code, synced.output).toBe(0);
        expect(await deploymentImage(ns)).toBe("example.com/web:1");
        // The state is the bucket's, and the sync's lock is gone with it.
        const keys = await store.list(".pulumi/");
        expect(keys).toContain(`.pulumi/stacks/syncwave/${stack.name}.json`);
        expect(keys.filter((key) => key.includes("/locks/") || key === lockKey(stack))).toEqual([]);

        const second = repo.commit({ "web/web.yaml": yaml(webDeployment("example.com/web:2")) });
        expect((await syncwave(stack, ["sync"])).code).toBe(0);
        expect(await deploymentImage(ns)).toBe("example.com/web:2");

        const history = await syncwave(stack, ["--json", "history"]);
        expect(history.code, history.output).toBe(0);
        const entries = JSON.parse(history.output.slice(history.output.indexOf("["))) as { kind: string; result: string; revisions: Record<string, string> }[];
        expect(entries.filter((e) => e.kind === "sync").map((e) => e.revisions.web)).toEqual([second, first]);

        const rolledBack = await syncwave(stack, ["rollback", first, "--app", "web"]);
        expect(rolledBack.code, rolledBack.output).toBe(0);
        expect(await deploymentImage(ns)).toBe("example.com/web:1");

        // Nothing is lost when the server restarts between syncs: the next sync finds everything as it left it.
        await s3.restart();
        const again = await syncwave(stack, ["sync"]);
        expect(again.code, again.output).toBe(0);
        expect(again.output).toMatch(/in sync: web@/);
        const status = await syncwave(stack, ["status"]);
        expect(status.code, status.output).toBe(0);
        expect(status.output).toMatch(/web/);
        expect((await syncwave(stack, ["unpin", "web"])).code).toBe(0);
        expect((await syncwave(stack, ["sync"])).code).toBe(0);
        expect(await deploymentImage(ns)).toBe("example.com/web:2");
    });

    it("a second runner is refused while the first holds the stack's lock in the bucket, or waits for it; a killed runner's lock is removed on its host", async () => {
        const ns = `s3-lock-${run}`;
        const repo = new TestRepo();
        repo.commit({ "web/web.yaml": yaml(webDeployment("example.com/web:1", { "syncwave.dev/ready-after": "30s" })) });
        const stack = await webStack("s3-lock", ns, repo);

        const first = startCli(stack, ["sync"], { detached: true });
        await until("the first runner's lock in the bucket", 120_000, async () => ((await store.read(lockKey(stack))) ? true : undefined));
        const refused = await syncwave(stack, ["sync"]);
        expect(refused.code).toBe(1);
        expect(refused.output).toMatch(new RegExp(`stack ${stack.name} is locked by pid ${first.child.pid} .* on this host \\(.*\\), which still runs, taken (?:\\d+m)?\\d+s ago: .*'syncwave unlock ${stack.name} --force' clears the lock`));
        const waited = await syncwave(stack, ["--lock-timeout", "3m", "sync"]);
        expect(waited.code, waited.output).toBe(0);
        expect(waited.output).toMatch(new RegExp(`waiting up to 180s for the sync that holds stack ${stack.name} \\(pid ${first.child.pid} on .*\\) to finish`));
        expect((await first.exited).code, first.output()).toBe(0);
        expect(waited.output).toMatch(/in sync: web@/);

        // A runner killed with everything under it while its gate waits: its lock stays in the bucket
        // (nothing of it ran to remove it), and the next sync on this host removes it and converges.
        repo.commit({ "web/web.yaml": yaml(webDeployment("example.com/web:2", { "syncwave.dev/ready-after": "30s" })) });
        const killed: CliRun = startCli(stack, ["sync"], { detached: true });
        await until("wave 1 of the killed runner to be applied", 120_000, async () => ((await deploymentImage(ns)) === "example.com/web:2" ? true : undefined));
        await killEverything(killed);
        expect(await store.read(lockKey(stack))).toBeDefined();
        const recovered = await syncwave(stack, ["sync"]);
        expect(recovered.code, recovered.output).toBe(0);
        expect(recovered.output).toMatch(new RegExp(`held by a sync that no longer runs \\(pid ${killed.child.pid} on .*\\): lock removed`));
        expect(await store.read(lockKey(stack))).toBeUndefined();
    });

    it("another host's lock is never removed by a sync: it names host, pid and age, and only unlock --force clears it", async () => {
        const ns = `s3-host-${run}`;
        const repo = new TestRepo();
        repo.commit({ "web/web.yaml": yaml(webDeployment("example.com/web:1")) });
        const stack = await webStack("s3-host", ns, repo);
        const lost = { pid: 4242, username: "ci", hostname: "runner-7", timestamp: new Date(Date.now() - 125_000).toISOString() };
        expect(await store.create(lockKey(stack), JSON.stringify(lost))).toBe(true);

        const refused = await syncwave(stack, ["sync"]);
        expect(refused.code).toBe(1);
        expect(refused.output).toMatch(new RegExp(`stack ${stack.name} is locked by pid 4242 of ci on host runner-7, which cannot be checked from here, taken 2m\\d+s ago`));
        expect((await kTry("get", "deployment/web", "-n", ns)).ok).toBe(false);
        const asked = await syncwave(stack, ["unlock", stack.name]);
        expect(asked.code).toBe(1);
        expect(asked.output).toMatch(/nothing was changed: add --force/);
        expect(await store.read(lockKey(stack))).toBeDefined();
        const forced = await syncwave(stack, ["unlock", stack.name, "--force"]);
        expect(forced.code, forced.output).toBe(0);
        expect(forced.output).toMatch(new RegExp(`stack ${stack.name}: lock of pid 4242 on runner-7 cleared`));
        const synced = await syncwave(stack, ["sync"]);
        expect(synced.code, synced.output).toBe(0);
        expect(await deploymentImage(ns)).toBe("example.com/web:1");
    });

    it("eight stacks over two clusters synced at once by separate processes, each with its own lock and state", async () => {
        const secondKubeconfig = await ensureSecondCluster();
        const repo = new TestRepo();
        const sha = repo.commit({ "web/config.yaml": yaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { release: "1" } }) });
        const fleet: { stack: SyncStack; ns: string; cluster: "local" | "second" }[] = [];
        for (let i = 0; i < 8; i++) {
            const cluster = i % 2 === 0 ? "local" : "second";
            const ns = `s3-fleet-${i}-${run}`;
            (cluster === "local" ? namespaces : secondNamespaces).push(ns);
            const platform = teamPlatform([ns], ["web"]);
            // The second cluster is known by its name in syncwave:clusters, and admitted by it.
            if (cluster === "second") (platform.projects.team as { destinations: object[] }).destinations = [{ name: "second", namespace: ns }];
            const stack = await SyncStack.create(
                `s3-fleet-${i}`,
                {
                    platform,
                    ...(cluster === "second" ? { clusters: { second: { kubeconfig: secondKubeconfig } } } : {}),
                    applications: { web: webApp(repo.url, ns, cluster === "second" ? { name: "second" } : { server: K8S }) },
                },
                { projectDir: root, configDir: resolve(root, "stacks"), backend: s3.env },
            );
            stacks.push(stack);
            fleet.push({ stack, ns, cluster });
        }
        const started = Date.now();
        const runs = await Promise.all(fleet.map(({ stack }) => syncwave(stack, ["sync"])));
        const seconds = Math.round((Date.now() - started) / 1000);
        runs.forEach((r, i) => expect(r.code, `${fleet[i].stack.name}: ${r.output}`).toBe(0));
        for (const { ns, cluster } of fleet) {
            const get = cluster === "local" ? k : kSecond;
            expect(await get("get", "configmap/settings", "-n", ns, "-o", "jsonpath={.data.release}")).toBe("1");
        }
        const keys = await store.list(".pulumi/");
        for (const { stack } of fleet) {
            expect(keys).toContain(`.pulumi/stacks/syncwave/${stack.name}.json`);
            expect(keys).not.toContain(lockKey(stack));
        }
        // Each stack's history names the commit it synced: no runner wrote another's state.
        for (const { stack } of fleet.slice(0, 2)) {
            const history = await syncwave(stack, ["--json", "history"]);
            const entries = JSON.parse(history.output.slice(history.output.indexOf("["))) as { revisions: Record<string, string> }[];
            expect(entries).toHaveLength(1);
            expect(entries[0].revisions.web).toBe(sha);
        }
        console.error(`eight stacks on the S3 backend, two clusters, eight processes at once: ${seconds}s`);
    });
});
