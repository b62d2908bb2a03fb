// `syncwave ui` in a real browser: Debian's chromium, driven headless by puppeteer-core, against a
// stack synced on the local cluster. Every page loads; the applications, the tree's waves and health
// badges are there; a field edited with kubectl shows up on the drift page without a reload; a
// Secret's values never reach the page; the Host header and the token are enforced. Screenshots of
// each page are written to docs/screenshots/ (the README shows them).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync } from "../../cli/commands/sync";
import { startCli, stopCli, type CliRun } from "../helpers/cli-run";
import { ensureCluster, k } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { webDeployment } from "../helpers/manifests";
import { until } from "../helpers/processes";
import { SyncStack, teamPlatform } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const CHROMIUM = process.env.SYNCWAVE_CHROMIUM ?? "/usr/bin/chromium";
const screenshots = resolve(root, "docs/screenshots");
const run = Date.now().toString(36);
const shopNs = `webui-shop-${run}`;
const apiNs = `webui-api-${run}`;
const K8S = "https://kubernetes.default.svc";
const SECRET_VALUE = "hunter2-never-shown";

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const hookJob = (name: string, hook: string) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, annotations: { "argocd.argoproj.io/hook": hook } },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "task", image: "example.com/task:1" }] } } },
});
const configMap = (name: string, wave: number) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations: { "argocd.argoproj.io/sync-wave": String(wave) } }, data: { greeting: "hello" } });
const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db-credentials", annotations: { "argocd.argoproj.io/sync-wave": "0" } }, stringData: { password: SECRET_VALUE } };

/** A GET with the given Host header (and headers), answered with status, headers and body. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((done, fail) => {
        const req = request(url, { method: "GET", headers, timeout: 10_000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
        req.on("error", fail);
        req.end();
    });
}

function send(url: string, method: string): Promise<number> {
    return new Promise((done, fail) => {
        const req = request(url, { method, timeout: 10_000 }, (res) => {
            res.resume();
            done(res.statusCode ?? 0);
        });
        req.on("error", fail);
        req.end();
    });
}

/** The URL the UI printed at start (`listening on URL`), within 60 s. */
async function listening(ui: CliRun): Promise<string> {
    return until("syncwave ui to listen", 60_000, () => {
        if (ui.child.exitCode !== null) throw new Error(`syncwave ui exited with ${ui.child.exitCode}: ${ui.output()}`);
        return /listening on (\S+)/.exec(ui.output())?.[1];
    }).catch((err: Error) => {
        throw new Error(`${err.message}; its output: ${ui.output()}`);
    });
}

describe("syncwave ui in a browser", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let ui: CliRun;
    let url: string;
    let browser: Browser;
    let page: Page;
    const loadTimes: Record<string, number> = {};

    beforeAll(async () => {
        if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM}: 'npm run setup' installs it (apt-get install chromium)`);
        await ensureCluster();
        repo = new TestRepo();
        repo.commit({
            "shop/hooks.yaml": yaml(hookJob("migrate", "PreSync"), hookJob("smoke", "PostSync")),
            "shop/config.yaml": yaml(configMap("settings", -1), secret),
            "shop/deploy.yaml": yaml(webDeployment("example.com/web:1")),
            "api/deploy.yaml": yaml(webDeployment("example.com/api:1")),
        }, "shop and api: first release");
        const app = (path: string, namespace: string, labels: Record<string, string>) => ({
            project: "team",
            source: { repoURL: repo.url, targetRevision: "main", path },
            destination: { server: K8S, namespace },
            syncPolicy: { syncOptions: ["CreateNamespace=true"] },
            labels,
        });
        stack = await SyncStack.create(
            "web-ui",
            { platform: teamPlatform([shopNs, apiNs], ["shop", "api"]), applications: { shop: app("shop", shopNs, { team: "storefront" }), api: app("api", apiNs, { team: "payments" }) }, healthTimeout: "120s" },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        const options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).result).toBe("succeeded");
        // The platform's policy pack, every policy advisory: its verdicts show on the Diff page without refusing the preview.
        const policyConfig = join(mkdtempSync(join(tmpdir(), "webui-policy-")), "platform.json");
        writeFileSync(policyConfig, JSON.stringify({ all: "advisory", "project-boundaries": { enforcementLevel: "advisory", ...teamPlatform([shopNs, apiNs], ["shop", "api"]) } }));
        // The root options take several values each: --no-color ends the list before the command.
        ui = startCli(stack, ["--policy-pack", resolve(root, "policies"), "--policy-pack-config", policyConfig, "--no-color", "ui", "--port", "0"]);
        url = await listening(ui);
        browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], protocolTimeout: 120_000 });
        page = await browser.newPage();
        page.setDefaultTimeout(60_000);
        await page.setViewport({ width: 1280, height: 800 });
        mkdirSync(screenshots, { recursive: true });
    }, 600_000);

    afterAll(async () => {
        console.error(`web UI page load times (ms): ${JSON.stringify(loadTimes)}`);
        await browser?.close();
        if (ui) await stopCli(ui);
        await stack?.destroy();
        await k("delete", "namespace", shopNs, apiNs, "--ignore-not-found", "--wait=false");
    }, 300_000);

    async function load(path: string, name: string): Promise<void> {
        const started = Date.now();
        await page.goto(new URL(path, url).toString(), { waitUntil: "load" });
        loadTimes[name] = Date.now() - started;
    }

    it("lists the applications with their project, health, sync status and last sync; filters by label", async () => {
        await load("/", "applications");
        expect(await page.$$eval("table.apps tr[data-app]", (rows) => rows.map((r) => r.getAttribute("data-app")).sort())).toEqual(["api", "shop"]);
        // Health is read live, the history and the sync status (the preview) in the background: each is pushed without a reload.
        await page.evaluate("window.marker = 1");
        await page.waitForFunction(`[...document.querySelectorAll("tr[data-app] [data-sync]")].every((b) => b.getAttribute("data-sync") === "Synced")`, { timeout: 300_000 });
        await page.waitForFunction(`[...document.querySelectorAll("tr[data-app] [data-health]")].every((b) => b.getAttribute("data-health") === "Healthy")`, { timeout: 120_000 });
        await page.waitForFunction(`document.querySelector('tr[data-app="shop"] [data-result]')?.getAttribute("data-result") === "succeeded"`, { timeout: 120_000 });
        expect(await page.evaluate("window.marker")).toBe(1);
        const shop = await page.$eval('tr[data-app="shop"]', (r) => r.textContent ?? "");
        expect(shop).toContain("team");
        expect(shop).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ sync/);
        // The synced commit's subject, from the git cache's mirror.
        expect(await page.$eval('tr[data-app="shop"] .commit', (c) => c.textContent)).toBe("shop and api: first release");
        await page.screenshot({ path: resolve(screenshots, "applications.png") });

        await load("/?label=team%3Dpayments", "applications (filtered)");
        expect(await page.$$eval("table.apps tr[data-app]", (rows) => rows.map((r) => r.getAttribute("data-app")))).toEqual(["api"]);
    });

    it("shows the resource tree by phase and wave with health badges, owned objects, a node's manifest without a Secret's values", async () => {
        await load("/stacks/" + encodeURIComponent(stack.name) + "/applications/shop", "application");
        const columns = await page.$$eval(".tree .column h3", (hs) => hs.map((x) => x.textContent ?? ""));
        // In sync order: the namespace CreateNamespace makes (no gate measures it), the PreSync hooks, the
        // waves of the Sync phase in order, the PostSync hooks last.
        expect(columns.slice(0, 2)).toEqual(["Not gated", "PreSync hooks"]);
        expect(await page.$$eval('.column[data-phase="none"] .node', (ns) => ns.map((n) => n.getAttribute("data-resource")))).toEqual([`Namespace ${shopNs}`]);
        expect(columns[columns.length - 1]).toBe("PostSync hooks");
        expect(columns.filter((c) => c.startsWith("Sync wave"))).toEqual(["Sync wave -1", "Sync wave 0", "Sync wave 1"]);
        expect(await page.$$eval('.column[data-wave="1"] > ul > .node', (ns) => ns.map((n) => n.getAttribute("data-resource")))).toEqual([`Deployment ${shopNs}/web`]);
        const deployment = await page.$eval('.node[data-resource="Deployment ' + shopNs + '/web"]', (n) => ({ health: n.getAttribute("data-health"), badge: n.querySelector("[data-health]")?.textContent }));
        expect(deployment.health).toBe("Healthy");
        expect(deployment.badge).toContain("Healthy");
        // The Deployment's ReplicaSet (and its Pod) read live under it.
        expect(await page.$$eval('.node[data-resource="Deployment ' + shopNs + '/web"] .owned .node', (ns) => ns.map((n) => n.getAttribute("data-resource")))).toEqual(
            expect.arrayContaining([expect.stringMatching(new RegExp(`^ReplicaSet ${shopNs}/web-`))]),
        );
        // The history of the Application: the sync above.
        await page.waitForSelector("table.history tbody tr", { timeout: 120_000 });
        expect(await page.$eval("table.history tbody", (t) => t.textContent ?? "")).toContain("succeeded");
        // Keyboard: the node links are reachable and open the detail.
        await page.focus(`.node[data-resource="Secret ${shopNs}/db-credentials"] > a`);
        await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
        const detail = await page.$eval("#detail", (d) => d.textContent ?? "");
        expect(detail).toContain("(hidden)");
        expect(await page.content()).not.toContain(SECRET_VALUE);
        expect(await page.content()).not.toContain(Buffer.from(SECRET_VALUE).toString("base64"));
        await load(`/stacks/${encodeURIComponent(stack.name)}/applications/shop?node=${encodeURIComponent(`Deployment ${shopNs}/web`)}`, "application (node)");
        expect(await page.$eval("#detail .manifest", (d) => d.textContent ?? "")).toContain("example.com/web:1");
        await page.screenshot({ path: resolve(screenshots, "application.png"), fullPage: true });
    });

    it("shows a field edited with kubectl on the drift page without a reload", async () => {
        await load(`/stacks/${encodeURIComponent(stack.name)}/drift`, "drift");
        expect(await page.$$(`tr[data-resource="Deployment ${shopNs}/web"]`)).toHaveLength(0);
        await page.evaluate("window.marker = 2");
        await k("scale", "deployment/web", "-n", shopNs, "--replicas=3");
        await page.waitForSelector(`tr[data-resource="Deployment ${shopNs}/web"][data-path="spec.replicas"]`, { timeout: 60_000 });
        expect(await page.evaluate("window.marker")).toBe(2);
        const row = await page.$eval(`tr[data-resource="Deployment ${shopNs}/web"][data-path="spec.replicas"]`, (r) => r.textContent ?? "");
        expect(row).toContain("unauthorised");
        await page.screenshot({ path: resolve(screenshots, "drift.png"), fullPage: true });
    });

    it("shows what a sync would do now, with policy verdicts", async () => {
        await load(`/stacks/${encodeURIComponent(stack.name)}/diff`, "diff");
        // The preview runs in the background; the page updates when it ends.
        await page.waitForFunction(`document.body.textContent.includes(${JSON.stringify(`Deployment ${shopNs}/web`)}) && !document.body.textContent.includes("preview running")`, { timeout: 300_000 });
        const text = await page.$eval("#content", (c) => c.textContent ?? "");
        expect(text).toContain("Policy verdicts");
        expect(text).toContain("Policy packs:");
        // The stack declares a plain Secret and tag-only images: the platform's pack says so (advisory).
        expect(await page.$$eval("ul.verdicts li", (lis) => lis.map((l) => l.textContent ?? "").join("\n"))).toMatch(/no-plain-secrets|images-pinned-by-digest/);
        expect(text).toMatch(/replicas: 3/);
        await page.screenshot({ path: resolve(screenshots, "diff.png"), fullPage: true });
    });

    it("is usable on a narrow screen", async () => {
        await page.setViewport({ width: 390, height: 844 });
        await load("/", "applications (narrow)");
        const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        expect(overflow).toBeLessThanOrEqual(0);
        await page.screenshot({ path: resolve(screenshots, "applications-narrow.png"), fullPage: true });
        await page.setViewport({ width: 1280, height: 800 });
    });

    it("refuses a foreign Host header and anything but GET", async () => {
        const port = new URL(url).port;
        expect((await get(url, { Host: `attacker.example:${port}` })).status).toBe(403);
        expect((await get(url, { Host: `127.0.0.1:${port}` })).status).toBe(200);
        expect((await get(url, { Host: `localhost:${port}` })).status).toBe(200);
        expect(await send(url, "POST")).toBe(405);
        expect(await send(url, "DELETE")).toBe(405);
    });

    it("bound to another address, requires the token printed at start", async () => {
        const other = startCli(stack, ["ui", "--port", "0", "--address", "127.0.0.2"]);
        try {
            const base = await listening(other);
            const tokenUrl = /on (\S+\?token=\S+)/.exec(other.output())?.[1];
            expect(tokenUrl).toBeDefined();
            const token = new URL(tokenUrl!).searchParams.get("token")!;
            expect((await get(base)).status).toBe(401);
            expect((await get(`${base}?token=wrong`)).status).toBe(401);
            expect((await get(base, { "X-Syncwave-Token": token })).status).toBe(200);
            expect((await get(base, { "X-Syncwave-Token": token, Host: `localhost:${new URL(base).port}` })).status).toBe(403);
            const withToken = await get(tokenUrl!);
            expect(withToken.status).toBe(303);
            expect(String(withToken.headers["set-cookie"])).toContain("HttpOnly");
            // In the browser: the link sets the cookie, the pages and the live updates then work.
            const context = await browser.createBrowserContext();
            const p = await context.newPage();
            p.setDefaultTimeout(60_000);
            await p.goto(tokenUrl!, { waitUntil: "load" });
            expect(new URL(p.url()).searchParams.get("token")).toBeNull();
            expect(await p.$$eval("table.apps tr[data-app]", (rows) => rows.length)).toBe(2);
            await p.waitForFunction(`/^live: (connected|updated)/.test(document.getElementById("live-status").textContent)`, { timeout: 30_000 });
            await context.close();
        } finally {
            await stopCli(other);
        }
    });

    it("says a stack is stale, with the error, when its cluster cannot be reached", async () => {
        const kubeconfig = join(mkdtempSync(join(tmpdir(), "webui-")), "unreachable");
        // A cluster at a port nothing listens on.
        writeFileSync(kubeconfig, stringify({ apiVersion: "v1", kind: "Config", "current-context": "c", contexts: [{ name: "c", context: { cluster: "c", user: "u" } }], clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }], users: [{ name: "u", user: { token: "x" } }] }));
        const unreachable = startCli(stack, ["ui", "--port", "0"], { env: { SYNCWAVE_KUBECONFIG: kubeconfig } });
        try {
            const base = await listening(unreachable);
            const p = await browser.newPage();
            p.setDefaultTimeout(60_000);
            await p.goto(base, { waitUntil: "load" });
            await p.waitForSelector(".stale", { timeout: 60_000 });
            const text = await p.$eval(".stale", (x) => x.textContent ?? "");
            expect(text).toContain(`stack ${stack.name} is stale`);
            expect(text).toMatch(/ECONNREFUSED|connect/);
            // What the last sync recorded is still shown.
            expect(await p.$$eval("table.apps tr[data-app]", (rows) => rows.length)).toBe(2);
            await p.screenshot({ path: resolve(screenshots, "stale.png") });
            await p.close();
        } finally {
            await stopCli(unreachable);
        }
    });

    it("refuses unknown options and a bad address with a clear error", async () => {
        const bad = startCli(stack, ["ui", "--bogus"]);
        expect((await bad.exited).code).not.toBe(0);
        expect(bad.output()).toContain("unknown option '--bogus'");
        const address = startCli(stack, ["ui", "--address", "example.com"]);
        expect((await address.exited).code).toBe(1);
        expect(address.output()).toContain("--address example.com: expected an IP address");
    });
});
