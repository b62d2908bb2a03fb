// The policy pack on the real toolchain: the dev stack passes the platform's configuration; a stack
// whose program declares a permissive Project but escapes the platform's one is refused, and `up`
// (which previews first) applies nothing; an Application naming a Project other than the one the
// platform assigned is refused; a run that does not say it is a preview is judged as an update.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ensureCluster, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { expectOk, pulumi, tempBackend, type CommandResult } from "../helpers/pulumi";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const pack = join(root, "policies");
const platformConfig = join(pack, "config/platform.json");
const K8S = "https://kubernetes.default.svc";

/** A policy configuration file of the platform team's, for this test only. */
function configFile(boundaries: Record<string, unknown>): string {
    const file = join(mkdtempSync(join(tmpdir(), "syncwave-policy-")), "platform.json");
    writeFileSync(file, JSON.stringify({ "project-boundaries": boundaries, "images-pinned-by-digest": { productionNamespaces: ["prod-*"] } }));
    return file;
}

/** Runs pulumi on the stack with the pack, saying (or, with {}, not saying) which operation this is. */
function withPack(stack: SyncStack, args: string[], config: string, env: Record<string, string>): Promise<CommandResult> {
    return pulumi([...args, "--stack", stack.name, "--policy-pack", pack, "--policy-pack-config", config], stack.projectDir, { ...stack.env, ...env });
}

const output = (r: CommandResult) => r.stdout + r.stderr;

describe("policy pack", () => {
    beforeAll(async () => {
        await ensureCluster();
    });

    it("passes the dev stack under the platform's configuration", async () => {
        const env = { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "", SYNCWAVE_OPERATION: "preview" };
        expectOk(await pulumi(["stack", "init", "dev"], root, env), "stack init");
        const preview = expectOk(
            await pulumi(["preview", "--stack", "dev", "--policy-pack", pack, "--policy-pack-config", platformConfig], root, env),
            "preview with the policy pack",
        );
        expect(preview.stdout).toMatch(/Policies:[\s\S]*syncwave@v0\.1\.0/);
        expect(preview.stdout).not.toMatch(/mandatory/);
    });

    describe("a team stack", () => {
        const run = Date.now().toString(36);
        let stack: SyncStack;
        const team = { sourceRepos: ["https://git.example.com/team/*"], destinations: [{ server: K8S, namespace: "team-*" }] };

        beforeAll(async () => {
            const repo = new TestRepo();
            repo.commit({
                "app/cm.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", namespace: "team-a" }, data: { a: "b" } }),
                "app/outside.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `outside-${run}`, namespace: "kube-system" } }),
                "app/role.yaml": stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: `team-admin-${run}` }, rules: [] }),
            });
            // The program's own Project ("team") is wide open: only the platform's policy stands in the way.
            stack = await SyncStack.create("escape", {
                project: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] },
                applications: {
                    team: { source: { repoURL: repo.url, targetRevision: "main", path: "app" }, destination: { server: K8S, namespace: "team-a" } },
                },
            });
        });

        afterAll(async () => {
            await stack?.destroy();
        });

        it("is refused when it escapes its Project, naming the rules, and up applies nothing", async () => {
            const config = configFile({ projects: { team }, applications: { team: "team" } });
            const preview = await withPack(stack, ["preview"], config, { SYNCWAVE_OPERATION: "preview" });
            expect(preview.code).not.toBe(0);
            expect(output(preview)).toContain("project-boundaries");
            expect(output(preview)).toContain("[project-source-repos] application team, field source.repoURL");
            expect(output(preview)).toContain(`[project-destinations] application team, resource ConfigMap kube-system/outside-${run}`);
            expect(output(preview)).toContain(`[project-cluster-resource-whitelist] application team, resource ClusterRole team-admin-${run}`);
            expect(output(preview)).toContain("no-wildcard-projects");
            expect(output(preview)).not.toContain("[unknown-kind]");

            const up = await withPack(stack, ["up", "--yes"], config, { SYNCWAVE_OPERATION: "update" });
            expect(up.code).not.toBe(0);
            expect((await kTry("get", "configmap", "ok", "-n", "team-a")).ok).toBe(false);
            expect((await kTry("get", "clusterrole", `team-admin-${run}`)).ok).toBe(false);
        });

        it("is refused when its Application names a Project the platform did not assign it", async () => {
            const config = configFile({ projects: { team, "team-b": team }, applications: { team: ["team-b"] } });
            const preview = await withPack(stack, ["preview"], config, { SYNCWAVE_OPERATION: "preview" });
            expect(preview.code).not.toBe(0);
            expect(output(preview)).toContain(
                "[project-assignment] application team, field project: application team names project team, but the platform assigned it only team-b (project-boundaries.applications.team) (allowed: projects team-b)",
            );
            // Judged by no Project at all, rather than silently by the assigned one.
            expect(output(preview)).not.toContain("[project-source-repos]");
        });

        it("judges a run that does not say it previews as an update: sync windows apply, and the finding says why", async () => {
            const always = { ...team, sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] };
            const config = configFile({
                projects: { team: { ...always, syncWindows: [{ kind: "deny", schedule: "* * * * *", duration: "1h", applications: ["*"], manualSync: true }] } },
                applications: { team: "team" },
            });
            const unannounced = await withPack(stack, ["preview"], config, { SYNCWAVE_OPERATION: "" });
            expect(output(unannounced)).toContain("[sync-window] application team: an active deny window");
            expect(output(unannounced)).toContain("judged as an update of an automated sync (SYNCWAVE_OPERATION is not set: judged as an update, so sync windows are enforced");
            const preview = await withPack(stack, ["preview"], config, { SYNCWAVE_OPERATION: "preview" });
            expect(output(preview)).not.toContain("[sync-window]");
            const manual = await withPack(stack, ["preview"], config, { SYNCWAVE_OPERATION: "update", SYNCWAVE_SYNC_KIND: "manual" });
            expect(output(manual)).not.toContain("[sync-window]");
        });
    });
});
