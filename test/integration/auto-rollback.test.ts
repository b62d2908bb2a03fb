// Automatic rollback on the local cluster: a release whose gate finds the Application Degraded is
// followed, in the same `syncwave sync`, by a sync of its last Healthy revision, pinned there, both in
// the history; the neighbour Application is untouched; reconcile leaves the pinned Application alone
// until `syncwave unpin`; without autoRollback the failed release stays as it is.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { history } from "../../cli/commands/history";
import { reconcile } from "../../cli/commands/reconcile";
import { readPins, unpin } from "../../cli/commands/rollback";
import { sync } from "../../cli/commands/sync";
import { deploymentImage, ensureCluster, k } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { Receiver } from "../helpers/http-receiver";
import { webDeployment } from "../helpers/manifests";
import { SyncStack, teamPlatform } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const run = Date.now().toString(36);
const webNs = `rollback-web-${run}`;
const apiNs = `rollback-api-${run}`;
const K8S = "https://kubernetes.default.svc";

/** The web Deployment at `image`; a bad release's pod fails (the local cluster's kwok stages read the annotation). */
const release = (image: string, bad = false) => stringify(webDeployment(image, bad ? { "syncwave.dev/fail": "true", "syncwave.dev/fail-message": "crashed on start" } : {}));

/** Argo CD Notifications: the catalog's on-sync-failed and SyncWave's on-rolled-back, to a webhook. */
const notifications = (port: number) => ({
    "service.webhook.team": { url: `http://127.0.0.1:${port}` },
    "template.app-sync-failed": { webhook: { team: { method: "POST", path: "/failed", body: '{"app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "health": "{{.app.status.health.status}}"}' } } },
    "template.app-rolled-back": { message: "unused by webhooks", webhook: { team: { method: "POST", path: "/rolled-back", body: '{"app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "why": "{{range .app.status.operationState.operation.info}}{{if eq .name "rollback"}}{{.value}}{{end}}{{end}}"}' } } },
});

function stackConfig(repoURL: string, autoRollback: boolean, port: number) {
    const app = (path: string, namespace: string) => ({
        project: "team",
        source: { repoURL, targetRevision: "main", path },
        destination: { server: K8S, namespace },
        syncPolicy: { automated: { prune: true }, syncOptions: ["CreateNamespace=true"] },
    });
    return {
        platform: teamPlatform([webNs, apiNs], ["web", "api"]),
        applications: {
            web: { ...app("web", webNs), autoRollback, annotations: { "notifications.argoproj.io/subscribe.on-sync-failed.team": "", "notifications.argoproj.io/subscribe.on-rolled-back.team": "" } },
            api: app("api", apiNs),
        },
        notifications: notifications(port),
        healthTimeout: "90s",
        // A crashing pod is Degraded once it has not backed off for this long.
        degradedGrace: "5s",
    };
}

describe("automatic rollback", () => {
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    const receiver = new Receiver();

    beforeAll(async () => {
        await ensureCluster();
        await receiver.start();
        repo = new TestRepo();
        stack = await SyncStack.create("auto-rollback", stackConfig(repo.url, true, receiver.port), { projectDir: root, configDir: resolve(root, "stacks") });
        options = { stack: stack.name, cwd: root, env: stack.env };
    }, 120_000);

    afterAll(async () => {
        await stack?.destroy();
        await receiver.stop();
        await k("delete", "namespace", webNs, apiNs, "--ignore-not-found", "--wait=false");
    }, 180_000);

    it("takes a Degraded release back to the last Healthy revision within the same sync, pinned, its neighbour untouched", async () => {
        const healthy = repo.commit({ "web/deploy.yaml": release("example.com/web:1"), "api/deploy.yaml": release("example.com/api:1") });
        expect((await sync(options)).result).toBe("succeeded");
        const apiBefore = await k("get", "deployment/web", "-n", apiNs, "-o", "jsonpath={.metadata.uid} {.metadata.generation}");

        const bad = repo.commit({ "web/deploy.yaml": release("example.com/web:2", true) });
        const lines: string[] = [];
        const failedAt = Date.now();
        const failure = await sync({ ...options, progress: (l) => lines.push(l) }).then(
            () => "synced",
            (err: Error) => err.message,
        );
        // The release failed (the command fails: a person or CI must know), and was rolled back.
        expect(failure).toMatch(/the sync failed/);
        expect(failure).toMatch(new RegExp(`web was Degraded at ${bad}: rolling back \\(autoRollback\\)`));
        expect(failure).toMatch(new RegExp(`web: back to ${healthy.slice(0, 12)}, pinned`));
        expect(failure).toMatch(/auto-rollback succeeded in \d+s: web@/);
        console.log(`failed gate to Healthy rollback: ${lines.find((l) => /auto-rollback succeeded/.test(l))} (whole sync ${Math.round((Date.now() - failedAt) / 1000)}s)`);
        expect(await deploymentImage(webNs)).toBe("example.com/web:1");
        expect(await k("get", "deployment/web", "-n", webNs, "-o", "jsonpath={.status.readyReplicas}")).toBe("1");
        // The neighbour: the same object, never rewritten, not pinned.
        expect(await k("get", "deployment/web", "-n", apiNs, "-o", "jsonpath={.metadata.uid} {.metadata.generation}")).toBe(apiBefore);
        const pins = await readPins(options);
        expect(Object.keys(pins)).toEqual(["web"]);
        expect(pins.web).toMatchObject({ revision: healthy, reason: expect.stringMatching(new RegExp(`^auto-rollback: web was Degraded at ${bad}`)) });
        // Both in the history: the failed release, then the rollback with the failed commit and cause.
        const [rollback, failed] = await history(options);
        expect(rollback).toMatchObject({ kind: "auto-rollback", result: "succeeded", revisions: { web: healthy }, reason: `rolled back web to ${healthy}: web was Degraded at ${bad}` });
        expect(failed).toMatchObject({ kind: "sync", result: "failed", health: expect.stringMatching(/Degraded/) });
        expect(failed.revisions.web).toBe(bad);
        // The notifications that reported it: the failed release as it was, then the rollback with the failed commit and cause.
        const told = receiver.requests.map((r) => [r.path, JSON.parse(r.body) as Record<string, string>] as const);
        expect(told, lines.join("\n")).toEqual([
            ["/failed", { app: "web", revision: bad, health: "Degraded" }],
            ["/rolled-back", { app: "web", revision: healthy, why: `rolled back web to ${healthy}: web was Degraded at ${bad}` }],
        ]);
    }, 300_000);

    it("stays pinned under reconcile until unpinned; then the branch deploys again, and reconcile rolls back too", async () => {
        const fixed = repo.commit({ "web/deploy.yaml": release("example.com/web:3") });
        const lines: string[] = [];
        await reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: (l) => lines.push(l) });
        expect(await deploymentImage(webNs)).toBe("example.com/web:1");
        expect(lines.join("\n")).toMatch(/web: pinned to [0-9a-f]{12} \(auto-rollback: web was Degraded at [0-9a-f]{40}\): new commits are not synced until .syncwave unpin web./);
        await unpin("web", options);
        expect((await sync(options)).result).toBe("succeeded");
        expect(await deploymentImage(webNs)).toBe("example.com/web:3");
        expect((await history(options))[0].revisions.web).toBe(fixed);

        // Under reconcile too: the next bad release goes back to the newest Healthy revision, the fixed one.
        const worse = repo.commit({ "web/deploy.yaml": release("example.com/web:5", true) });
        const reconciled: string[] = [];
        await reconcile({ ...options, intervalMs: 1_000, rounds: 1, log: (l) => reconciled.push(l) });
        expect(reconciled.join("\n")).toMatch(new RegExp(`web was Degraded at ${worse}: rolling back`));
        expect(reconciled.join("\n")).toMatch(/auto-rollback succeeded/);
        expect(await deploymentImage(webNs)).toBe("example.com/web:3");
        expect((await readPins(options)).web?.revision).toBe(fixed);
        expect((await history(options))[0]).toMatchObject({ kind: "auto-rollback", revisions: { web: fixed } });
    }, 300_000);

    it("after a person's --manual sync, or without autoRollback, a Degraded release stays as it is and nothing is pinned", async () => {
        const failureOf = (run: Promise<unknown>) =>
            run.then(
                () => "synced",
                (err: Error) => err.message,
            );
        await unpin("web", options);
        // A person's sync is theirs: autoRollback undoes what automation deployed.
        repo.commit({ "web/deploy.yaml": release("example.com/web:4", true) });
        const manual = await failureOf(sync({ ...options, syncKind: "manual" }));
        expect(manual).toMatch(/the sync failed/);
        expect(manual).not.toMatch(/auto-rollback|rolling back/);
        expect(await deploymentImage(webNs)).toBe("example.com/web:4");
        expect(await readPins(options)).toEqual({});

        stack.setConfig(stackConfig(repo.url, false, receiver.port));
        repo.commit({ "web/deploy.yaml": release("example.com/web:6", true) });
        const failure = await failureOf(sync(options));
        expect(failure).toMatch(/the sync failed/);
        expect(failure).not.toMatch(/auto-rollback|rolling back/);
        expect(await deploymentImage(webNs)).toBe("example.com/web:6");
        expect(await readPins(options)).toEqual({});
        expect((await history(options))[0]).toMatchObject({ kind: "sync", result: "failed" });
    }, 300_000);
});
