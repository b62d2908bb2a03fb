import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { expectOk, pulumi, tempBackend, type CommandResult } from "./pulumi";

const fixtureProject = resolve(__dirname, "../fixtures/sync-project");

/** A stack of a SyncWave project (the test fixture by default), with its own state, driven through the real pulumi CLI. */
export class SyncStack {
    readonly env: Record<string, string>;

    private constructor(
        readonly name: string,
        readonly projectDir: string,
        private readonly configDir: string,
        backend: Record<string, string> | undefined,
    ) {
        this.env = { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: "test-only", ...(backend ?? {}) };
    }

    /** `backend`: the environment of another state backend (an S3 server's URL and credentials); a fresh folder by default. */
    static async create(name: string, config: Record<string, unknown>, where: { projectDir?: string; configDir?: string; backend?: Record<string, string> } = {}): Promise<SyncStack> {
        const projectDir = where.projectDir ?? fixtureProject;
        const stack = new SyncStack(`${name}-${Date.now().toString(36)}`, projectDir, where.configDir ?? projectDir, where.backend);
        expectOk(await pulumi(["stack", "init", stack.name], projectDir, stack.env), "stack init");
        stack.setConfig(config);
        return stack;
    }

    get file(): string {
        return join(this.configDir, `Pulumi.${this.name}.yaml`);
    }

    /** Replaces the stack's syncwave:* configuration. */
    setConfig(config: Record<string, unknown>): void {
        const current = (existsSync(this.file) ? parse(readFileSync(this.file, "utf8")) ?? {} : {}) as { config?: Record<string, unknown> };
        current.config = Object.fromEntries(Object.entries(config).map(([k, v]) => [`syncwave:${k}`, v]));
        writeFileSync(this.file, stringify(current));
    }

    run(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
        return pulumi([...args, "--stack", this.name], this.projectDir, { ...this.env, ...env });
    }

    /** `pulumi up`; `env` as the syncwave CLI would set it (SYNCWAVE_PRUNE, SYNCWAVE_SYNC_KIND, ...). */
    up(env: Record<string, string> = {}): Promise<CommandResult> {
        return this.run(["up", "--yes", "--skip-preview"], env);
    }

    preview(...extra: string[]): Promise<CommandResult> {
        return this.run(["preview", "--diff", ...extra]);
    }

    /** The stack's resources as the state holds them (secrets decrypted). */
    async resources(): Promise<{ urn: string; type: string; outputs?: Record<string, unknown> }[]> {
        const out = expectOk(await this.run(["stack", "export", "--show-secrets"]), "stack export").stdout;
        return (JSON.parse(out) as { deployment: { resources?: { urn: string; type: string; outputs?: Record<string, unknown> }[] } }).deployment.resources ?? [];
    }

    /** The Pruner's state of one Application: its inventory, what requires pruning, what it last pruned. */
    async pruner(application: string): Promise<{ requiresPruning: { id: string }[]; lastPruned: string[]; inventory: { id: string }[] } | undefined> {
        const r = (await this.resources()).find((x) => x.type.endsWith("syncwave:Pruner") && x.urn.endsWith(`::${application}:prune`));
        return r?.outputs as never;
    }

    async outputs(): Promise<Record<string, unknown>> {
        return JSON.parse(expectOk(await this.run(["stack", "output", "--json"]), "stack output").stdout) as Record<string, unknown>;
    }

    async destroy(): Promise<void> {
        await this.run(["destroy", "--yes", "--skip-preview"]);
        await this.run(["stack", "rm", "--yes", "--force"]);
        rmSync(this.file, { force: true });
    }
}

/**
 * The platform most end-to-end tests need: one Project `team` allowing the tests' local repositories
 * (file:///tmp/*), the given namespaces (patterns allowed) on the default cluster and Namespace
 * objects, assigned to the given Applications.
 */
export function teamPlatform(namespaces: string[], applications: string[]) {
    return {
        projects: {
            team: {
                sourceRepos: ["file:///tmp/*"],
                destinations: namespaces.map((namespace) => ({ server: "https://kubernetes.default.svc", namespace })),
                clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
            },
        },
        applications: Object.fromEntries(applications.map((a) => [a, ["team"]])),
    };
}

/**
 * A stack of the SyncWave project with one Application, `web`, syncing `path` of the repository at
 * `repoURL` into `namespace` (created by the sync) under a Project allowing just that: the shape most
 * end-to-end tests need.
 */
export function webApplicationStack(name: string, repoURL: string, path: string, namespace: string, healthTimeout = "120s", automated?: { prune?: boolean; selfHeal?: boolean }): Promise<SyncStack> {
    const root = resolve(__dirname, "../..");
    return SyncStack.create(
        name,
        {
            platform: teamPlatform([namespace], ["web"]),
            applications: {
                web: {
                    project: "team",
                    source: { repoURL, targetRevision: "main", path },
                    destination: { server: "https://kubernetes.default.svc", namespace },
                    syncPolicy: { ...(automated ? { automated } : {}), syncOptions: ["CreateNamespace=true"] },
                },
            },
            healthTimeout,
        },
        { projectDir: root, configDir: resolve(root, "stacks") },
    );
}
