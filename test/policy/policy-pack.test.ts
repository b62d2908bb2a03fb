// The policy pack on the real toolchain: the dev stack passes the platform's configuration; a stack
// whose program declares a permissive Project but escapes the platform's one is refused, and `up`
// (which previews first) applies nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { expectOk, pulumi, tempBackend } from "../helpers/pulumi";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const pack = join(root, "policies");
const platformConfig = join(pack, "config/platform.json");

describe("policy pack", () => {
    const stacks: SyncStack[] = [];
    beforeAll(async () => {
        await ensureCluster();
    });
    afterAll(async () => {
        for (const s of stacks) await s.destroy();
    });

    it("passes the dev stack under the platform's configuration", async () => {
        const env = { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "" };
        expectOk(await pulumi(["stack", "init", "dev"], root, env), "stack init");
        const preview = expectOk(
            await pulumi(["preview", "--stack", "dev", "--policy-pack", pack, "--policy-pack-config", platformConfig], root, env),
            "preview with the policy pack",
        );
        expect(preview.stdout).toMatch(/Policies:[\s\S]*syncwave@v0\.1\.0/);
        expect(preview.stdout).not.toMatch(/mandatory/);
    });

    it("refuses a stack that escapes its Project, naming the rules, and up applies nothing", async () => {
        const run = Date.now().toString(36);
        const repo = new TestRepo();
        repo.commit({
            "app/cm.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", namespace: "team-a" }, data: { a: "b" } }),
            "app/outside.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `outside-${run}`, namespace: "kube-system" } }),
            "app/role.yaml": stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: `team-admin-${run}` }, rules: [] }),
        });
        // The program's own Project is wide open: only the platform's policy stands in the way.
        const stack = await SyncStack.create("escape", {
            project: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] },
            applications: {
                team: { source: { repoURL: repo.url, targetRevision: "main", path: "app" }, destination: { server: "https://kubernetes.default.svc", namespace: "team-a" } },
            },
        });
        stacks.push(stack);
        const config = join(mkdtempSync(join(tmpdir(), "syncwave-policy-")), "platform.json");
        writeFileSync(
            config,
            JSON.stringify({
                "project-boundaries": {
                    projects: {
                        team: {
                            sourceRepos: ["https://git.example.com/team/*"],
                            destinations: [{ server: "https://kubernetes.default.svc", namespace: "team-*" }],
                        },
                    },
                    applications: { team: "team" },
                },
                "images-pinned-by-digest": { productionNamespaces: ["prod-*"] },
            }),
        );
        const args = ["--policy-pack", pack, "--policy-pack-config", config];
        const preview = await stack.run(["preview", ...args]);
        expect(preview.code).not.toBe(0);
        const output = preview.stdout + preview.stderr;
        expect(output).toContain("project-boundaries");
        expect(output).toContain("[project-source-repos] application team, field source.repoURL");
        expect(output).toContain(`[project-destinations] application team, resource ConfigMap kube-system/outside-${run}`);
        expect(output).toContain(`[project-cluster-resource-whitelist] application team, resource ClusterRole team-admin-${run}`);
        expect(output).toContain("no-wildcard-projects");

        const up = await stack.run(["up", "--yes", ...args]);
        expect(up.code).not.toBe(0);
        expect((await kTry("get", "configmap", "ok", "-n", "team-a")).ok).toBe(false);
        expect((await kTry("get", "clusterrole", `team-admin-${run}`)).ok).toBe(false);
    });
});
