// signatureKeys on the local cluster, through the CLI's sync: a Project that requires signed commits
// syncs a commit signed by its key (verified against the platform's gpgKeys), and refuses an unsigned
// one before anything is applied, naming the application and the commit.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sync, SyncError } from "../../cli/commands/sync";
import { ensureCluster, k, kTry } from "../helpers/cluster";
import { TestRepo } from "../helpers/git";
import { SyncStack } from "../helpers/sync-stack";

const root = resolve(__dirname, "../..");
const ns = `signed-${Date.now().toString(36)}`;
const configMap = (value: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { value } });

describe("signatureKeys", () => {
    const home = mkdtempSync(join(tmpdir(), "syncwave-test-gnupg-"));
    const env = { ...process.env, GNUPGHOME: home };
    const gpg = (...args: string[]) => execFileSync("gpg", ["--batch", "--no-tty", ...args], { env, encoding: "utf8", timeout: 60_000 });
    let repo: TestRepo;
    let stack: SyncStack;
    let options: { stack: string; cwd: string; env: Record<string, string> };
    let fingerprint = "";

    /** Commits the files, signed with the test's key when `signed`. */
    const commit = (files: Record<string, string>, signed: boolean) => {
        repo.commit(files);
        if (signed) execFileSync("git", ["commit", "-q", "--amend", "--no-edit", `-S${fingerprint}`], { cwd: repo.dir, env, timeout: 60_000 });
        return repo.git("rev-parse", "HEAD");
    };

    beforeAll(async () => {
        await ensureCluster();
        gpg("--passphrase", "", "--pinentry-mode", "loopback", "--quick-gen-key", "Release <release@example.com>", "ed25519", "sign", "never");
        fingerprint = gpg("--with-colons", "--list-keys", "release@example.com").split("\n").find((l) => l.startsWith("fpr:"))!.split(":")[9];
        const keys = mkdtempSync(join(tmpdir(), "syncwave-test-gpg-keys-"));
        writeFileSync(join(keys, "release.asc"), gpg("--armor", "--export", fingerprint));
        repo = new TestRepo();
        commit({ "app/cm.yaml": configMap("1") }, true);
        const project = {
            sourceRepos: ["file:///tmp/*"],
            destinations: [{ server: "https://kubernetes.default.svc", namespace: "signed-*" }],
            clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
            signatureKeys: [{ keyID: fingerprint.slice(24) }],
        };
        stack = await SyncStack.create(
            "signed",
            {
                platform: { projects: { release: project }, applications: { app: ["release"] }, gpgKeys: keys },
                applications: {
                    app: {
                        project: "release",
                        source: { repoURL: repo.url, targetRevision: "main", path: "app" },
                        destination: { server: "https://kubernetes.default.svc", namespace: ns },
                        syncPolicy: { syncOptions: ["CreateNamespace=true"] },
                    },
                },
                healthTimeout: "60s",
            },
            { projectDir: root, configDir: resolve(root, "stacks") },
        );
        options = { stack: stack.name, cwd: root, env: stack.env };
    });
    afterAll(async () => {
        await stack.destroy();
        await kTry("delete", "namespace", ns, "--wait=false");
        execFileSync("gpgconf", ["--kill", "all"], { env });
    });

    it("syncs a signed commit and refuses an unsigned one before applying anything", async () => {
        expect((await sync(options)).failed).toEqual([]);
        expect(await k("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.value}")).toBe("1");

        const unsigned = commit({ "app/cm.yaml": configMap("2") }, false);
        const refused = await sync(options).then(
            () => undefined,
            (err: unknown) => err as SyncError,
        );
        expect(refused?.message).toMatch(new RegExp(`app: .*commit ${unsigned} is refused: the commit is not signed`));
        expect(await k("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.value}")).toBe("1");

        commit({ "app/cm.yaml": configMap("3") }, true);
        expect((await sync(options)).failed).toEqual([]);
        expect(await k("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.value}")).toBe("3");
    });
});
