// Bad input end to end, one case per input surface, through the CLI's sync on the local cluster: the
// Application with the bad input is refused (the sync fails, naming the file, the resource and the
// field), a healthy neighbour Application is untouched (its objects' resourceVersions), and the bad
// Application's objects and state stay as the last good sync left them. The same in-process checks,
// case by case, are in catalogue.test.ts.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync, type SyncResult } from "../../cli/commands/sync";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const ns = (app: string) => `bad-${run}-${app}`;
const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
const cm = (name: string, value: string, annotations: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations }, data: { value } });

describe("bad input, end to end: refused, the neighbour and the state untouched", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };

    const config = (extra: { web?: Record<string, unknown>; project?: Record<string, unknown> } = {}) => ({
        platform: {
            projects: {
                team: {
                    sourceRepos: ["file:///tmp/*"],
                    destinations: [{ server: "https://kubernetes.default.svc", namespace: `bad-${run}-*` }],
                    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
                    ...extra.project,
                },
            },
            applications: { web: ["team"], neighbour: ["team"] },
        },
        applications: Object.fromEntries(
            ["web", "neighbour"].map((app) => [
                app,
                {
                    project: "team",
                    source: { repoURL: repo.url, targetRevision: "main", path: app },
                    destination: { server: "https://kubernetes.default.svc", namespace: ns(app) },
                    syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                    ...(app === "web" ? extra.web : {}),
                },
            ]),
        ),
    });

    /** What must not change: every object's resourceVersion in both namespaces, and the stack's state. */
    async function snapshot(): Promise<{ objects: string; state: string }> {
        const objects = (
            await Promise.all(["web", "neighbour"].map((app) => k("get", "configmaps", "-n", ns(app), "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{'\\n'}{end}")))
        ).join("\n");
        // The refused Application's part of the state (its component, objects, gates, pruner: named
        // "web", "web|..." or "web:..."; the neighbour's sync may record that it ran).
        const web = (await stack.resources()).filter((r) => /^web($|[|:])/.test(r.urn.split("::").pop()!));
        expect(web.length, "the state holds web's component, objects and gates").toBeGreaterThan(2);
        const state = JSON.stringify(web.map((r) => ({ urn: r.urn, outputs: r.outputs })));
        return { objects, state };
    }

    /** A sync that must be refused; returns everything it said. */
    async function refused(): Promise<string> {
        const lines: string[] = [];
        const outcome = await sync({ ...options, progress: (l) => lines.push(l) }).then(
            (r: SyncResult) => (r.failed.length > 0 ? r.failed.map((f) => `${f.application}: ${f.reason}`).join("\n") : "synced"),
            (err: Error) => err.message,
        );
        expect(outcome, lines.join("\n")).not.toBe("synced");
        return `${outcome}\n${lines.join("\n")}`;
    }

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        repo.commit({ "web/cm.yaml": yaml(cm("settings", "1")), "neighbour/cm.yaml": yaml(cm("kept", "1")) });
        stack = await SyncStack.create("bad-input", config(), { projectDir: root, configDir: resolve(root, "stacks") });
        options = { stack: stack.name, cwd: root, env: stack.env };
        expect((await sync(options)).failed).toEqual([]);
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns("web"), ns("neighbour"), "--wait=false");
    });

    const repositoryCases: { surface: string; files: Record<string, string | null>; says: (string | RegExp)[] }[] = [
        { surface: "YAML syntax", files: { "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\n" }, says: ["file web/cm.yaml", "invalid YAML"] },
        { surface: "annotations (waves)", files: { "web/cm.yaml": yaml(cm("settings", "2", { "argocd.argoproj.io/sync-wave": "soon" })) }, says: ["file web/cm.yaml", 'field metadata.annotations["argocd.argoproj.io/sync-wave"]', '"soon" is not an integer'] },
        { surface: "names", files: { "web/cm.yaml": yaml(cm("settings", "2"), cm("Bad_Name", "2")) }, says: ["file web/cm.yaml", "field metadata.name", '"Bad_Name"'] },
        { surface: "kinds", files: { "web/cm.yaml": yaml(cm("settings", "2"), { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g" } }) }, says: ["file web/cm.yaml", "Gadget"] },
        { surface: "server-side validation", files: { "web/cm.yaml": yaml(cm("settings", "2"), { apiVersion: "v1", kind: "Service", metadata: { name: "bad-port" }, spec: { ports: [{ port: 70000 }] } }) }, says: [/70000|port/] },
    ];

    it.each(repositoryCases.map((c) => [c.surface, c] as const))("a repository file: %s", async (_, c) => {
        const before = await snapshot();
        repo.commit(c.files);
        const said = await refused();
        for (const part of c.says) typeof part === "string" ? expect(said).toContain(part) : expect(said).toMatch(part);
        const after = await snapshot();
        expect(after.objects).toBe(before.objects);
        expect(after.state).toBe(before.state);
        expect(await k("get", "configmap/settings", "-n", ns("web"), "-o", "jsonpath={.data.value}")).toBe("1");
        repo.commit({ "web/cm.yaml": yaml(cm("settings", "1")) });
    });

    const configCases: { surface: string; config: () => ReturnType<typeof config>; says: string[] }[] = [
        { surface: "stack config (retry backoff)", config: () => config({ web: { syncPolicy: { retry: { limit: 2, backoff: { duration: "later" } } } } }), says: ["syncPolicy.retry.backoff.duration", '"later" is not a duration'] },
        { surface: "sync windows (time zone)", config: () => config({ project: { syncWindows: [{ kind: "deny", schedule: "0 22 * * *", duration: "1h", timeZone: "Europe/Atlantis", applications: ["*"] }] } }), says: ["syncWindows[0].timeZone", 'unknown time zone "Europe/Atlantis"'] },
    ];

    it.each(configCases.map((c) => [c.surface, c] as const))("stack configuration: %s", async (_, c) => {
        const before = await snapshot();
        stack.setConfig(c.config());
        try {
            const said = await refused();
            for (const part of c.says) expect(said).toContain(part);
            const after = await snapshot();
            expect(after.objects).toBe(before.objects);
            expect(after.state).toBe(before.state);
        } finally {
            stack.setConfig(config());
        }
    });

    it("CLI arguments: a rollback to no update, an unknown --app, a --lock-timeout that is no duration", () => {
        const cli = (...args: string[]) => spawnSync(resolve(root, "cli/bin/syncwave"), ["--stack", stack.name, "--cwd", root, ...args], { env: { ...process.env, ...stack.env }, encoding: "utf8" });
        const rollback = cli("rollback", "abc");
        expect(rollback.status).not.toBe(0);
        expect(rollback.stderr).toMatch(/abc/);
        const app = cli("sync", "--app", "nope");
        expect(app.status).not.toBe(0);
        expect(app.stderr).toMatch(/nope/);
        const lock = cli("--lock-timeout", "soon", "sync");
        expect(lock.status).toBe(1);
        expect(lock.stderr).toContain("--lock-timeout soon: not a duration");
    });
});
