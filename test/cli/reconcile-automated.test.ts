// `syncwave reconcile` as Argo CD's automated sync, and drift that fails closed, on the local cluster
// with a real git repository: a new commit of an automated Application's path is synced in one round
// (without selfHeal); an Application without automated is reported OutOfSync and left as it is; a
// pinned one stays at its pin. Drift names a manager nobody declared as unauthorised, a Project's
// trustedManagers as owned, and a jqPathExpressions rule as ignored.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { drift } from "../../cli/commands/drift";
import { reconcile } from "../../cli/commands/reconcile";
import { readPins, rollback } from "../../cli/commands/rollback";
import { sync } from "../../cli/commands/sync";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const ns = `auto-${Date.now().toString(36)}`;

const configMap = (name: string, value: string) =>
    stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations: { "example.com/owner": "git" } }, data: { value, extra: "git" } });

// One namespace per Application: each creates its own (CreateNamespace=true).
const nsOf = (app: string) => `${ns}-${app}`;
const valueOf = (name: string) => k("get", "configmap", name, "-n", nsOf(name), "-o", "jsonpath={.data.value}");

describe("reconcile syncs automated Applications whose source moved", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    let first = "";

    beforeAll(async () => {
        await ensureCluster();
        repo = new TestRepo();
        first = repo.commit({ "auto/cm.yaml": configMap("auto", "1"), "manual/cm.yaml": configMap("manual", "1"), "pinned/cm.yaml": configMap("pinned", "1") });
        const app = (path: string, automated: boolean, extra: object = {}) => ({
            project: "team",
            source: { repoURL: repo.url, targetRevision: "main", path },
            destination: { server: "https://kubernetes.default.svc", namespace: nsOf(path) },
            syncPolicy: { ...(automated ? { automated: {} } : {}), syncOptions: ["CreateNamespace=true"] },
            ...extra,
        });
        stack = await SyncStack.create(
            "auto",
            {
                platform: {
                    projects: {
                        team: {
                            sourceRepos: ["file:///tmp/*"],
                            destinations: [{ server: "https://kubernetes.default.svc", namespace: "auto-*" }],
                            clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
                            trustedManagers: ["trusted-operator"],
                        },
                    },
                    applications: { auto: ["team"], manual: ["team"], pinned: ["team"] },
                },
                applications: {
                    auto: app("auto", true),
                    manual: app("manual", false, {
                        ignoreDifferences: [{ kind: "ConfigMap", jqPathExpressions: ['.metadata.annotations."example.com/owner"'], owner: "platform" }],
                    }),
                    pinned: app("pinned", true),
                },
                healthTimeout: "60s",
            },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        options = { stack: stack.name, cwd: root, env: stack.env };
        const synced = await sync(options);
        expect(synced.failed).toEqual([]);
        // A rollback pins the Application to its commit.
        await rollback(first, { ...options, app: "pinned" });
        expect(await readPins(options)).toMatchObject({ pinned: { revision: first } });
    });

    afterAll(async () => {
        await stack?.destroy();
        for (const app of ["auto", "manual", "pinned"]) await kTry("delete", "namespace", nsOf(app), "--wait=false");
    });

    it("classifies drift by who changed each field, failing closed", async () => {
        const patch = (manager: string, body: object) => k("patch", "configmap", "manual", "-n", nsOf("manual"), "--type=merge", `--field-manager=${manager}`, "-p", JSON.stringify(body));
        await patch("rogue-operator", { data: { extra: "rogue" } });
        await patch("trusted-operator", { data: { value: "trusted" } });
        await patch("kubectl-patch", { metadata: { annotations: { "example.com/owner": "someone" } } });
        const fields = (await drift(options)).find((r) => r.application === "manual")!.fields;
        expect(fields).toEqual(
            expect.arrayContaining([
                // An unknown controller was "owned" before: now nobody declared it, so it is unauthorised.
                expect.objectContaining({ path: "data.extra", class: "unauthorised", manager: "rogue-operator" }),
                expect.objectContaining({ path: "data.value", class: "owned", manager: "trusted-operator" }),
                // jqPathExpressions were not read before; the key's . and / survive both spellings.
                expect.objectContaining({ path: 'metadata.annotations["example.com/owner"]', class: "ignored" }),
            ]),
        );
        expect(fields).toHaveLength(3);
    });

    it("one round syncs the automated Application's new commit, reports the manual one, leaves the pinned one", async () => {
        const second = repo.commit({ "auto/cm.yaml": configMap("auto", "2"), "manual/cm.yaml": configMap("manual", "2"), "pinned/cm.yaml": configMap("pinned", "2") }, "release 2");
        const lines: string[] = [];
        await reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: (l) => lines.push(l) });
        const log = lines.join("\n");
        expect(log).toContain(`auto: synced at new commit ${second.slice(0, 12)}`);
        expect(log).toMatch(new RegExp(`manual: OutOfSync at new commit ${second.slice(0, 12)}, 1 unauthorised change\\(s\\); automated sync is off: reported only`));
        expect(log).not.toMatch(/manual: (synced|repaired)|pinned: (synced|repaired)/);
        expect(await valueOf("auto")).toBe("2");
        expect(await valueOf("manual")).toBe("trusted");
        expect(await valueOf("pinned")).toBe("1");
        expect(await readPins(options)).toMatchObject({ pinned: { revision: first } });
    });
});
