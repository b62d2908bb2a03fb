// `npm run bench:scale`: how a preview and a sync grow with the number of objects, in one Application
// and spread over 50, with the peak memory of every process of the command (the CLI, the engine, the
// language host, the program, the providers). Sizes from the command line (default 1000 2000 5000);
// each stack is destroyed and its namespaces deleted afterwards. Long: minutes per size.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { clusterUp } from "../cli/cluster/local-cluster";
import { TestRepo } from "../test/helpers/git";
import { SyncStack } from "../test/helpers/sync-stack";
import { kubectl, syncwave } from "./commands";
import { makeWorkload, OPEN_PROJECT, writeWaves } from "./workload";

const root = resolve(__dirname, "..");
const log = (line: string) => console.error(line);

interface Measured {
    objects: number;
    applications: number;
    preview: number;
    previewMiB: number;
    sync: number;
    syncMiB: number;
    noop: number;
    reconcile: number;
}

async function measure(objects: number, applications: number, id: string): Promise<Measured> {
    const repo = new TestRepo();
    const apps: Record<string, unknown> = {};
    const namespaces: string[] = [];
    const per = Math.floor(objects / applications);
    for (let a = 0; a < applications; a++) {
        const name = `app${a}`;
        const ns = `scale-${id}-${objects}-${applications}-${a}`;
        namespaces.push(ns);
        writeWaves(join(repo.dir, name), makeWorkload(per, 5, ns, applications === 1 ? 2 : 1));
        apps[name] = {
            project: "bench",
            source: { repoURL: repo.url, targetRevision: "main", path: name },
            destination: { server: "https://kubernetes.default.svc", namespace: ns },
            syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
        };
    }
    repo.commit({}, "workload");
    const stack = await SyncStack.create(
        `scale-${objects}-${applications}`,
        {
            platform: { projects: { bench: OPEN_PROJECT }, applications: Object.fromEntries(Object.keys(apps).map((a) => [a, ["bench"]])) },
            applications: apps,
            healthTimeout: "10m",
        },
        { projectDir: root, configDir: resolve(root, "stacks") },
    );
    try {
        const preview = await syncwave(stack.name, ["diff"], stack.env);
        log(`  ${objects} objects in ${applications} app(s): preview ${preview.seconds.toFixed(1)}s, peak ${preview.peakMiB.toFixed(0)} MiB`);
        const sync = await syncwave(stack.name, ["sync", "--timings"], stack.env);
        log(`  sync ${sync.seconds.toFixed(1)}s, peak ${sync.peakMiB.toFixed(0)} MiB`);
        log(sync.stderr.split("\n").filter((l) => /^  \S/.test(l)).join("\n"));
        const noop = await syncwave(stack.name, ["sync"], stack.env);
        const reconcile = await syncwave(stack.name, ["reconcile", "--once"], stack.env);
        log(`  no-op sync ${noop.seconds.toFixed(2)}s, reconcile round ${reconcile.seconds.toFixed(2)}s`);
        return {
            objects,
            applications,
            preview: preview.seconds,
            previewMiB: preview.peakMiB,
            sync: sync.seconds,
            syncMiB: sync.peakMiB,
            noop: noop.seconds,
            reconcile: reconcile.seconds,
        };
    } finally {
        await stack.destroy();
        for (const ns of namespaces) kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
    }
}

async function main(): Promise<void> {
    await clusterUp();
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    const id = Date.now().toString(36);
    const results: Measured[] = [];
    for (const objects of sizes.length ? sizes : [1000, 2000, 5000]) {
        for (const applications of [1, 50]) results.push(await measure(objects, applications, id));
    }
    const lines = [
        `Machine: ${execFileSync("nproc", { encoding: "utf8" }).trim()} cores; local cluster with kwok nodes`,
        "",
        "| objects | apps | preview | per 1,000 | peak | sync | per 1,000 | peak | no-op sync | reconcile round |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...results.map(
            (r) =>
                `| ${r.objects} | ${r.applications} | ${r.preview.toFixed(1)} s | ${((r.preview / r.objects) * 1000).toFixed(1)} s | ${r.previewMiB.toFixed(0)} MiB | ${r.sync.toFixed(1)} s | ${((r.sync / r.objects) * 1000).toFixed(1)} s | ${r.syncMiB.toFixed(0)} MiB | ${r.noop.toFixed(2)} s | ${r.reconcile.toFixed(2)} s |`,
        ),
    ];
    console.log(lines.join("\n"));
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
