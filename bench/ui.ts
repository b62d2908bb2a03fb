// `npm run bench:ui`: how long the web UI's pages take to load in a browser (Debian's chromium through
// puppeteer-core) for a stack of N objects in one Application over 5 waves (default 1000): the
// applications list, the Application's resource tree and the drift page, each loaded three times
// (the first load, then two more; the median is reported). The stack is destroyed afterwards.
import { join, resolve } from "node:path";
import puppeteer from "puppeteer-core";
import { clusterUp } from "../cli/cluster/local-cluster";
import { startCli } from "../test/helpers/cli-run";
import { TestRepo } from "../test/helpers/git";
import { until } from "../test/helpers/processes";
import { SyncStack } from "../test/helpers/sync-stack";
import { kubectl, syncwave } from "./commands";
import { makeWorkload, OPEN_PROJECT, writeWaves } from "./workload";

const root = resolve(__dirname, "..");
const CHROMIUM = process.env.SYNCWAVE_CHROMIUM ?? "/usr/bin/chromium";
const log = (line: string) => console.error(line);

async function main(): Promise<void> {
    const objects = Number(process.argv[2] ?? 1000);
    await clusterUp();
    const id = Date.now().toString(36);
    const ns = `bench-ui-${id}`;
    const repo = new TestRepo();
    writeWaves(join(repo.dir, "app"), makeWorkload(objects, 5, ns));
    repo.commit({}, "workload");
    const stack = await SyncStack.create(
        `bench-ui-${objects}`,
        {
            platform: { projects: { bench: OPEN_PROJECT }, applications: { big: ["bench"] } },
            applications: { big: { project: "bench", source: { repoURL: repo.url, targetRevision: "main", path: "app" }, destination: { server: "https://kubernetes.default.svc", namespace: ns }, syncPolicy: { syncOptions: ["CreateNamespace=true"] } } },
            healthTimeout: "10m",
        },
        { projectDir: root, configDir: resolve(root, "stacks") },
    );
    const ui = () => startCli(stack, ["ui", "--port", "0"]);
    let server: ReturnType<typeof ui> | undefined;
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], protocolTimeout: 300_000 });
    try {
        const sync = await syncwave(stack.name, ["sync"], stack.env);
        log(`sync of ${objects} objects: ${sync.seconds.toFixed(1)}s`);
        server = ui();
        const started = Date.now();
        const url = await until("syncwave ui to listen", 120_000, () => /listening on (\S+)/.exec(server!.output())?.[1]);
        log(`ui listening after ${((Date.now() - started) / 1000).toFixed(1)}s`);
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 800 });
        // The live reads (health and drift of every object) finish in the background: wait for them once.
        await page.goto(url, { waitUntil: "load" });
        await page.waitForFunction(`document.querySelector('tr[data-app="big"] [data-health]').getAttribute("data-health") !== "Unknown"`, { timeout: 300_000 });
        const lines = ["| page | first load | median of 3 |", "| --- | --- | --- |"];
        for (const [name, path] of [
            ["applications", "/"],
            ["application (resource tree)", `/stacks/${encodeURIComponent(stack.name)}/applications/big`],
            ["drift", `/stacks/${encodeURIComponent(stack.name)}/drift`],
        ]) {
            const times: number[] = [];
            for (let i = 0; i < 3; i++) {
                const t = Date.now();
                await page.goto(new URL(path, url).toString(), { waitUntil: "load", timeout: 300_000 });
                times.push(Date.now() - t);
            }
            lines.push(`| ${name} | ${times[0]} ms | ${[...times].sort((a, b) => a - b)[1]} ms |`);
        }
        console.log(`${objects} objects in one Application, 5 waves\n\n${lines.join("\n")}`);
    } finally {
        await browser.close();
        server?.child.kill("SIGTERM");
        await stack.destroy();
        kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
    }
}

main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
