// Secrets stay secret, end to end on the local cluster: a repository token in secret config, a Secret's
// value in git and the cluster's credentials appear nowhere in a stack's state (every file of its
// backend, and `pulumi stack export` without --show-secrets), nor in what the CLI reports. Gates, hooks,
// records and pruners name their cluster with a ClusterRef and no kubeconfig; a hook's logs and message
// are secret outputs.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { clusterPaths } from "../../cli/cluster/local-cluster";
import { history } from "../../cli/commands/history";
import { status } from "../../cli/commands/status";
import { sync } from "../../cli/commands/sync";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { expectOk } from "../helpers/pulumi";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const random = Math.random().toString(36).slice(2);
const token = `repo-token-${run}-${random}`;
const secretValue = `db-password-${run}-${random}`;

const project = {
    sourceRepos: ["file:///tmp/*"],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: "secrets-*" }],
    clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
};

const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => Boolean(v) && typeof v === "object" && SECRET_SIGNATURE in (v as object);

/** A Secret with a known value, a ConfigMap, and a PreSync hook Job given the Secret through its environment. */
function manifests(): string {
    return [
        { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, type: "Opaque", stringData: { password: secretValue } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", annotations: { "argocd.argoproj.io/sync-wave": "1" } }, data: { mode: "strict" } },
        {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "migrate", annotations: { "argocd.argoproj.io/hook": "PreSync" } },
            spec: {
                backoffLimit: 0,
                template: {
                    spec: {
                        restartPolicy: "Never",
                        containers: [
                            {
                                name: "migrate",
                                image: "example.com/migrate:1",
                                env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password", optional: true } } }],
                            },
                        ],
                    },
                },
            },
        },
    ]
        .map((o) => stringify(o))
        .join("---\n");
}

function application(repo: TestRepo, namespace: string) {
    return {
        project: "team",
        source: { repoURL: repo.url, targetRevision: "main", path: "app" },
        destination: { server: "https://kubernetes.default.svc", namespace },
        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
    };
}

type KubeconfigFile = { clusters: { cluster: Record<string, string> }[]; users: { user: Record<string, string> }[] };

/**
 * The local cluster's kubeconfig with its certificates and key inlined (client-key-data), as most
 * kubeconfigs carry them: what must never be copied into the state. Written to a file for KUBECONFIG.
 */
function inlinedKubeconfig(): string {
    const config = parse(readFileSync(clusterPaths().kubeconfig, "utf8")) as KubeconfigFile;
    const inline = (entry: Record<string, string>, field: string) => {
        if (entry[field]) entry[`${field}-data`] = readFileSync(entry[field]).toString("base64");
        delete entry[field];
    };
    for (const c of config.clusters) inline(c.cluster, "certificate-authority");
    for (const u of config.users) {
        inline(u.user, "client-certificate");
        inline(u.user, "client-key");
    }
    const file = join(mkdtempSync(join(tmpdir(), "syncwave-kubeconfig-")), "kubeconfig");
    writeFileSync(file, stringify(config), { mode: 0o600 });
    return file;
}

/** The client key data of the kubeconfig in use, and a stretch of the key itself. */
function clusterKeyMaterial(): string[] {
    const user = (parse(readFileSync(process.env.KUBECONFIG!, "utf8")) as KubeconfigFile).users[0].user;
    const pem = Buffer.from(user["client-key-data"], "base64").toString("utf8");
    const body = pem.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
    return [user["client-key-data"], body.slice(20, 84)];
}

function needles(): Record<string, string> {
    const [keyData, keyBody] = clusterKeyMaterial();
    return {
        "the repository token": token,
        "the Secret's value": secretValue,
        "the Secret's value in base64": Buffer.from(secretValue).toString("base64"),
        "the cluster's client key data": keyData,
        "the cluster's client key": keyBody,
    };
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** Which of the needles `text` contains, by name. */
function found(text: string): string[] {
    return Object.entries(needles())
        .filter(([, needle]) => text.includes(needle))
        .map(([name]) => name);
}

/** Every file of the stack's file backend, each checked on its own so a failure names it. */
function leaksInBackend(stack: SyncStack): string[] {
    const dir = fileURLToPath(stack.env.PULUMI_BACKEND_URL);
    expect(existsSync(dir)).toBe(true);
    const files = filesUnder(dir);
    expect(files.some((f) => f.endsWith(`${stack.name}.json`))).toBe(true);
    return files.flatMap((f) => found(readFileSync(f, "utf8")).map((what) => `${what} in ${f.slice(dir.length)}`));
}

async function exported(stack: SyncStack): Promise<{ text: string; resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] }> {
    const text = expectOk(await stack.run(["stack", "export"]), "stack export").stdout;
    return { text, resources: (JSON.parse(text) as { deployment: { resources?: never[] } }).deployment.resources ?? [] };
}

async function setToken(stack: SyncStack): Promise<void> {
    expectOk(await stack.run(["config", "set", "--secret", "--path", 'syncwave:repoCredentials["file:///tmp/"].password', token]), "config set --secret");
    expectOk(await stack.run(["config", "set", "--path", 'syncwave:repoCredentials["file:///tmp/"].username', "ci"]), "config set");
    // The token is there for the program to read.
    expect(expectOk(await stack.run(["config", "get", "--path", 'syncwave:repoCredentials["file:///tmp/"].password']), "config get").stdout.trim()).toBe(token);
}

describe("secrets stay secret", () => {
    const stacks: SyncStack[] = [];
    const namespaces: string[] = [];
    const originalKubeconfig = process.env.KUBECONFIG;

    beforeAll(async () => {
        await ensureCluster();
        // The engine, its providers and the CLI all connect through this KUBECONFIG.
        process.env.KUBECONFIG = inlinedKubeconfig();
    });

    afterAll(async () => {
        for (const s of stacks) await s.destroy();
        process.env.KUBECONFIG = originalKubeconfig;
        for (const ns of namespaces) await kTry("delete", "namespace", ns, "--wait=false");
    });

    it("keeps the token, the Secret's value and the cluster's credentials out of the state", async () => {
        const ns = `secrets-${run}`;
        namespaces.push(ns);
        const repo = new TestRepo();
        repo.commit({ "app/all.yaml": manifests() });
        const stack = await SyncStack.create("secrets", { project, applications: { vault: application(repo, ns) } });
        stacks.push(stack);
        await setToken(stack);

        const up = await stack.up();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await k("get", "secret", "db", "-n", ns, "-o", "jsonpath={.data.password}")).toBe(Buffer.from(secretValue).toString("base64"));
        expect(await k("get", "job", "migrate", "-n", ns, "-o", "jsonpath={.status.succeeded}")).toBe("1");

        expect(leaksInBackend(stack)).toEqual([]);
        const { text, resources } = await exported(stack);
        expect(found(text)).toEqual([]);
        // They are in the state, encrypted, so the search above would have found them in plain text: the
        // Application keeps its repository credentials, the Kubernetes provider the program's
        // kubeconfig, the Secret its data; --show-secrets shows them.
        expect(found(JSON.stringify(await stack.resources()))).toEqual(
            expect.arrayContaining(["the repository token", "the Secret's value in base64", "the cluster's client key data"]),
        );

        // No dynamic resource stores a kubeconfig: each names its cluster.
        const dynamic = resources.filter((r) => /syncwave:(HealthGate|Hook|ApplicationRecord|Pruner)$/.test(r.type));
        expect(new Set(dynamic.map((r) => r.type.split(":").pop()))).toEqual(new Set(["HealthGate", "Hook", "ApplicationRecord", "Pruner"]));
        for (const r of dynamic) {
            expect(r.outputs?.kubeconfig, r.type).toBeUndefined();
            expect(r.inputs?.kubeconfig, r.type).toBeUndefined();
            expect(r.outputs?.cluster, r.type).toEqual({ cluster: "https://kubernetes.default.svc" });
        }
        // A hook's logs and message are secret; what the CLI shows of it is not.
        const hook = dynamic.find((r) => r.type.endsWith("syncwave:Hook"))!;
        expect(isSecret(hook.outputs?.logs)).toBe(true);
        expect(isSecret(hook.outputs?.message)).toBe(true);
        expect(hook.outputs).toMatchObject({ status: "Healthy", hookName: "migrate" });

        // The refs are stable: nothing changed, nothing to do.
        const again = await stack.preview("--expect-no-changes");
        expect(again.code, again.stdout + again.stderr).toBe(0);
    });

    it("reports status and history through the CLI without them, reading the state without its secrets", async () => {
        const ns = `secrets-cli-${run}`;
        namespaces.push(ns);
        const repo = new TestRepo();
        repo.commit({ "app/all.yaml": manifests() });
        const stack = await SyncStack.create(
            "secrets-cli",
            { platform: { projects: { team: project }, applications: { vault: ["team"] } }, applications: { vault: application(repo, ns) } },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        stacks.push(stack);
        await setToken(stack);
        const options = { stack: stack.name, cwd: root, env: stack.env };

        const result = await sync({ ...options });
        expect(result.result).toBe("succeeded");
        const apps = await status(options);
        expect(apps[0]).toMatchObject({ application: "vault", sync: "Synced", health: { status: "Healthy" } });
        expect(apps[0].resources.map((r) => r.resource)).toEqual(expect.arrayContaining([`Secret ${ns}/db`]));
        const entries = await history(options);
        expect(entries[0]).toMatchObject({ kind: "sync", result: "succeeded" });

        expect(found(JSON.stringify(apps))).toEqual([]);
        expect(found(JSON.stringify(entries))).toEqual([]);
        expect(leaksInBackend(stack)).toEqual([]);
    });
});
