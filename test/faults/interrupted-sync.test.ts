// A `syncwave sync` interrupted at each point where it can be (during the preview, while a wave is
// applied, while a gate waits for health), by each signal a user or a CI runner sends, on the local
// cluster. Afterwards: no process of the run outlives it by more than 10 s, nothing git declares was
// deleted, and the next `syncwave sync` says what it found and converges without state surgery.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync } from "../../cli/commands/sync";
import { readFileCheckpoint, readProjectFile } from "../../cli/fast/stack-files";
import { processAlive } from "../../cli/stale-lock";
import { deploymentImage, ensureCluster, k, kTry } from "../helpers/cluster";
import { killEverything, startCli } from "../helpers/cli-run";
import { TestRepo } from "../helpers/git";
import { waveConfigMap, webDeployment } from "../helpers/manifests";
import { commandLine, descendants, until } from "../helpers/processes";
import { webApplicationStack, type SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = `faults-${run}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

const configMap = (name: string, wave: number, value: string) => waveConfigMap(name, wave, { value });
/** A Deployment in wave 1 whose pod is Ready only after `readyAfter`: its gate waits that long. */
const deployment = (image: string, readyAfter: string) => webDeployment(image, { "syncwave.dev/ready-after": readyAfter });

describe("a sync interrupted", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    let version = 0;

    /** A new commit of the app: a new image (so wave 1 changes), every object still declared. */
    function commitVersion(readyAfter: string): string {
        version++;
        repo.commit({
            "web/first.yaml": yaml(configMap("first", 0, `v${version}`)),
            "web/web.yaml": yaml(deployment(`example.com/web:${version}`, readyAfter)),
            "web/last.yaml": yaml(configMap("last", 2, `v${version}`)),
        });
        return `example.com/web:${version}`;
    }

    /** `syncwave sync` started as from a shell (its own process group). */
    const startSync = () => startCli(stack, ["sync"], { detached: true });

    /** The stack's checkpoint as the file backend holds it this instant. */
    function checkpointNow(): { resources?: { urn: string; type: string }[]; pending_operations?: { type: string; resource: { urn: string; type: string } }[] } {
        try {
            return (readFileCheckpoint(stack.env.PULUMI_BACKEND_URL, readProjectFile(root).name, stack.name) ?? {}) as ReturnType<typeof checkpointNow>;
        } catch {
            return {};
        }
    }

    /** Server-side-apply managers of the provider on a live object: one, or a field a killed create applied stays co-owned. */
    async function pulumiManagers(kind: string, name: string): Promise<string[]> {
        const fields = JSON.parse(await k("get", kind, name, "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields}")) as { manager: string; operation: string }[];
        return fields.filter((f) => f.manager.startsWith("pulumi-kubernetes")).map((f) => f.manager);
    }

    async function expectConverged(image: string): Promise<string[]> {
        const lines: string[] = [];
        const result = await sync({ ...options, progress: (l) => lines.push(l) });
        expect(result.failed, lines.join("\n")).toEqual([]);
        expect(await deploymentImage(ns)).toBe(image);
        expect(await k("get", "configmap/last", "-n", ns, "-o", "jsonpath={.data.value}")).toBe(`v${version}`);
        // Nothing was created twice: one Deployment, one of each ConfigMap.
        expect((await k("get", "deployments", "-n", ns, "-o", "name")).split("\n").filter(Boolean)).toEqual(["deployment.apps/web"]);
        return lines;
    }

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        commitVersion("1s");
        stack = await webApplicationStack("faults", repo.url, "web", ns);
        options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).failed).toEqual([]);
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("by SIGTERM during the preview: nothing changes, the CLI exits 143, the next sync converges", async () => {
        const image = commitVersion("1s");
        const run = startSync();
        // The preview is the first engine run: interrupt it as soon as it started.
        await until("the preview to start", 60_000, () => (descendants(run.child.pid!).some((p) => /\bpreview\b/.test(commandLine(p))) ? true : undefined));
        const processes = [run.child.pid!, ...descendants(run.child.pid!)];
        process.kill(run.child.pid!, "SIGTERM");
        const { code } = await run.exited;
        expect(code, run.output()).toBe(143);
        expect(run.output()).toContain("cancelled by SIGTERM");
        await until("every process of the run to exit", 10_000, () => (processes.some(processAlive) ? undefined : true));
        expect(await deploymentImage(ns)).not.toBe(image);
        await expectConverged(image);
    });

    it("by Ctrl-C while a gate waits: the wave under way finishes, later waves wait for the next sync", async () => {
        const image = commitVersion("20s");
        const run = startSync();
        await until("wave 1 to be applied", 120_000, async () => ((await deploymentImage(ns)) === image ? true : undefined));
        const processes = [run.child.pid!, ...descendants(run.child.pid!)];
        // A terminal's Ctrl-C: SIGINT to the whole foreground process group.
        process.kill(-run.child.pid!, "SIGINT");
        const { code } = await run.exited;
        expect(code, run.output()).toBe(130);
        expect(run.output()).toContain("cancelled by SIGINT");
        await until("every process of the run to exit", 10_000, () => (processes.some(processAlive) ? undefined : true));
        // Wave 2 was not applied: the cancelled sync started nothing after the step under way.
        expect(await k("get", "configmap/last", "-n", ns, "-o", "jsonpath={.data.value}")).toBe(`v${version - 1}`);
        await expectConverged(image);
    });

    it("by SIGKILL of the CLI alone while a gate waits: its engine is stopped within 10 s, the next sync converges", async () => {
        const image = commitVersion("30s");
        const run = startSync();
        await until("wave 1 to be applied", 120_000, async () => ((await deploymentImage(ns)) === image ? true : undefined));
        const processes = [run.child.pid!, ...descendants(run.child.pid!)];
        run.child.kill("SIGKILL");
        await run.exited;
        const killedAt = Date.now();
        await until("every process of the run to exit", 15_000, () => (processes.some(processAlive) ? undefined : true));
        expect(Date.now() - killedAt).toBeLessThan(10_500);
        const lines = await expectConverged(image);
        // The engine had 8 s to finish the gate's step, which waits 30 s: it was stopped mid-step.
        expect(lines.join("\n")).toMatch(/the last update was interrupted with \d+ operation\(s\) under way \((creating|updating) [^)]*HealthGate\).*: this sync reads them back from the cluster and completes them/);
        // Settled for good: Pulumi keeps an unfinished create in every later state until someone decides.
        expect(checkpointNow().pending_operations ?? []).toEqual([]);
        expect((await sync(options)).result).toBe("in sync");
    });

    it("by SIGKILL of every process of it (a lost CI runner) while a gate waits: the next sync clears the lock, adopts what was created, converges", async () => {
        const image = commitVersion("30s");
        const run = startSync();
        await until("wave 1 to be applied", 120_000, async () => ((await deploymentImage(ns)) === image ? true : undefined));
        // Kill while the gate's step is recorded as under way, not in the instant between two steps.
        const gateUnderWay = () => (checkpointNow().pending_operations ?? []).some((op) => /HealthGate/.test(op.resource.type + op.resource.urn));
        await until("the gate's step to be under way", 60_000, () => (gateUnderWay() ? true : undefined));
        await killEverything(run);
        const uid = await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        const lines = await expectConverged(image);
        // The same object, never deleted and re-created.
        expect(await k("get", "deployment/web", "-n", ns, "-o", "jsonpath={.metadata.uid}")).toBe(uid);
        expect(lines.join("\n")).toMatch(/lock removed/);
        expect(lines.join("\n")).toMatch(/the last update was interrupted with \d+ operation\(s\) under way/);
    });

    it("while another sync of the stack runs: refused at once naming it, or waited for with --lock-timeout", async () => {
        const image = commitVersion("15s");
        const first = startSync();
        await until("wave 1 to be applied", 120_000, async () => ((await deploymentImage(ns)) === image ? true : undefined));
        const refused = await sync(options).then(
            () => "synced",
            (err: Error) => err.message,
        );
        expect(refused).toMatch(new RegExp(`stack ${stack.name} is locked by pid ${first.child.pid} .* on this host \\(.*\\), which still runs, taken (?:\\d+m)?\\d+s ago: .*'syncwave unlock ${stack.name} --force' clears the lock \\(--lock-timeout waits for it\\)`));
        const lines: string[] = [];
        const waited = await sync({ ...options, lockTimeoutMs: 120_000, progress: (l) => lines.push(l) });
        expect(lines[0]).toMatch(new RegExp(`waiting up to 120s for the sync that holds stack ${stack.name} \\(pid ${first.child.pid} on .*\\) to finish`));
        const { code } = await first.exited;
        expect(code, first.output()).toBe(0);
        // The second ran after the first had finished: nothing was left for it to do.
        expect(waited.failed).toEqual([]);
        expect(waited.result).toBe("in sync");
        expect(await k("get", "configmap/last", "-n", ns, "-o", "jsonpath={.data.value}")).toBe(`v${version}`);
        expect(JSON.parse((await stack.run(["stack", "export"])).stdout).deployment.resources.length).toBeGreaterThan(3);
    });
    it("by SIGKILL of every process while wave 1 creates objects: each unfinished create is settled from the cluster, nothing created twice", async () => {
        // Killed the instant the state records creates of wave 1 under way. The creates in flight can
        // all finish in the moment before the kill lands: then the run is converged and tried again.
        const creating = () => (checkpointNow().pending_operations ?? []).filter((op) => op.type === "creating" && op.resource.type === "kubernetes:core/v1:ConfigMap" && op.resource.urn.includes("/created-"));
        let names: string[] = [];
        let image = "";
        let left: ReturnType<typeof creating> = [];
        for (let attempt = 1; attempt <= 3 && left.length === 0; attempt++) {
            if (attempt > 1) await expectConverged(image);
            version++;
            names = Array.from({ length: 40 }, (_, i) => `created-${version}-${i}`);
            image = `example.com/web:${version}`;
            repo.commit({
                "web/first.yaml": yaml(configMap("first", 0, `v${version}`)),
                "web/web.yaml": yaml(deployment(image, "1s")),
                "web/last.yaml": yaml(configMap("last", 2, `v${version}`)),
                "web/many.yaml": yaml(...names.map((n) => configMap(n, 1, "x"))),
            });
            const run = startSync();
            await until("creates of wave 1 to be under way", 180_000, () => (creating().length ? true : undefined), 10);
            await killEverything(run);
            left = creating();
        }
        expect(left.length, "creates a kill left unfinished, in three attempts").toBeGreaterThan(0);
        const uids = new Map<string, string>();
        for (const n of names) {
            const got = await kTry("get", "configmap", n, "-n", ns, "-o", "jsonpath={.metadata.uid}");
            if (got.ok) uids.set(n, got.output);
        }
        const lines = await expectConverged(image);
        const said = lines.join("\n");
        expect(said).toMatch(/the last update was interrupted with \d+ operation\(s\) under way \(.*creating .*ConfigMap/);
        expect(said).toMatch(/recovered: ConfigMap .*created-/);
        for (const n of names) {
            // Every object once; one the killed run created is the same object now, with one field manager.
            const uid = await k("get", "configmap", n, "-n", ns, "-o", "jsonpath={.metadata.uid}");
            if (uids.has(n)) expect(uid, n).toBe(uids.get(n));
            expect(await pulumiManagers("configmap", n), n).toHaveLength(1);
        }
        expect(checkpointNow().pending_operations ?? []).toEqual([]);
        expect((await sync(options)).result).toBe("in sync");
    });

    it("after a kill between the cluster's create and the state's record of it: the object is taken into the state, not applied as a new one", async () => {
        // The instant a SIGKILL can land in: the API server created the object, the engine had not
        // recorded it. Made exact by writing the checkpoint as the killed engine leaves it then: the
        // object out of the resources, its create under way.
        const checkpointFile = join(fileURLToPath(stack.env.PULUMI_BACKEND_URL), ".pulumi", "stacks", readProjectFile(root).name, `${stack.name}.json`);
        const file = JSON.parse(readFileSync(checkpointFile, "utf8")) as { checkpoint: { latest: { resources: Record<string, unknown>[]; pending_operations?: unknown[] } } };
        const latest = file.checkpoint.latest;
        const index = latest.resources.findIndex((r) => String(r.type) === "kubernetes:core/v1:ConfigMap" && String(r.id) === `${ns}/first`);
        expect(index, "the ConfigMap first in the state").toBeGreaterThan(-1);
        const [resource] = latest.resources.splice(index, 1);
        const { urn, type, custom, parent, provider, inputs, dependencies, propertyDependencies } = resource;
        latest.pending_operations = [{ type: "creating", resource: { urn, type, custom, parent, provider, inputs, dependencies, propertyDependencies } }];
        writeFileSync(checkpointFile, JSON.stringify(file));
        const uid = await k("get", "configmap/first", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        const managers = await pulumiManagers("configmap", "first");

        const lines: string[] = [];
        const result = await sync({ ...options, progress: (l) => lines.push(l) });
        expect(result.failed, lines.join("\n")).toEqual([]);
        expect(lines).toContain(`recovered: ConfigMap ${ns}/first: the killed run created it; taken into the state as it is live (not created again)`);
        expect(await k("get", "configmap/first", "-n", ns, "-o", "jsonpath={.metadata.uid}")).toBe(uid);
        // The same field manager as before: a second one would keep fields git later removes.
        expect(await pulumiManagers("configmap", "first")).toEqual(managers);
        expect(checkpointNow().resources?.some((r) => r.urn === urn)).toBe(true);
        expect(checkpointNow().pending_operations ?? []).toEqual([]);
        expect((await sync(options)).result).toBe("in sync");
    });
});
