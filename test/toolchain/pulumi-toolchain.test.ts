// The Pulumi toolchain built by `npm run setup`, exercised for real: CLI, plugins, the Node.js
// language host, dynamic providers, the Kubernetes provider, policy packs and the Automation API.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import * as pulumiSdk from "@pulumi/pulumi";
import { describe, expect, it, onTestFinished } from "vitest";
import { expectOk, pulumi, tempBackend } from "../helpers/pulumi";

const fixtures = resolve(__dirname, "../fixtures");
const versions = Object.fromEntries(
    readFileSync(resolve(__dirname, "../../toolchain/versions.env"), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split("=") as [string, string]),
);

/** A new stack of a fixture project, named uniquely; its config file is removed after the test. */
async function newStack(cwd: string, env: Record<string, string>): Promise<string[]> {
    const name = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    expectOk(await pulumi(["stack", "init", name], cwd, env), "stack init");
    onTestFinished(() => rmSync(join(cwd, `Pulumi.${name}.yaml`), { force: true }));
    return ["--stack", name];
}

describe("pulumi toolchain", () => {
    it("runs the pinned CLI version", async () => {
        const result = expectOk(await pulumi(["version"], fixtures), "pulumi version");
        expect(result.stdout.trim()).toBe(versions.PULUMI_VERSION);
    });

    it("has the Kubernetes provider installed as a plugin", async () => {
        const result = expectOk(await pulumi(["plugin", "ls"], fixtures), "pulumi plugin ls");
        expect(result.stdout).toMatch(new RegExp(`kubernetes\\s+resource\\s+${versions.KUBERNETES_PROVIDER_VERSION}`));
    });

    it("takes a stack with a dynamic resource through up, refresh and destroy", async () => {
        const cwd = join(fixtures, "dynamic-stack");
        const env = { PULUMI_BACKEND_URL: tempBackend() };
        const marker = join(mkdtempSync(join(tmpdir(), "syncwave-marker-")), "marker.txt");
        const stack = await newStack(cwd, env);
        expectOk(await pulumi(["config", "set", "path", marker, ...stack], cwd, env), "config set");

        expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack], cwd, env), "up");
        expect(readFileSync(marker, "utf8")).toBe("written by pulumi up");

        // A change behind Pulumi's back is what refresh must report.
        writeFileSync(marker, "edited by hand");
        expectOk(await pulumi(["refresh", "--yes", "--skip-preview", ...stack], cwd, env), "refresh");
        // Refresh updates the resource's recorded state (stack outputs change only on up).
        const exported = expectOk(await pulumi(["stack", "export", ...stack], cwd, env), "stack export");
        const resources = JSON.parse(exported.stdout).deployment.resources as { urn: string; outputs?: { content?: string } }[];
        expect(resources.find((r) => r.urn.endsWith("::marker"))?.outputs?.content).toBe("edited by hand");

        expectOk(await pulumi(["destroy", "--yes", "--skip-preview", ...stack], cwd, env), "destroy");
        expect(existsSync(marker)).toBe(false);
    });

    it("previews and applies a Kubernetes Deployment rendered to YAML without a cluster", async () => {
        const cwd = join(fixtures, "render-stack");
        // No cluster: the provider must not pick up the local cluster's kubeconfig.
        const env = { PULUMI_BACKEND_URL: tempBackend(), KUBECONFIG: "" };
        const renderDir = mkdtempSync(join(tmpdir(), "syncwave-render-"));
        const stack = await newStack(cwd, env);
        expectOk(await pulumi(["config", "set", "renderDir", renderDir, ...stack], cwd, env), "config set");

        const preview = expectOk(await pulumi(["preview", "--diff", ...stack], cwd, env), "preview");
        expect(preview.stdout).toContain("kubernetes:apps/v1:Deployment");

        expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack], cwd, env), "up");
        const rendered = readdirSync(join(renderDir, "1-manifest"));
        expect(rendered.length).toBe(1);
        const manifest = readFileSync(join(renderDir, "1-manifest", rendered[0]), "utf8");
        expect(manifest).toContain("kind: Deployment");
        expect(manifest).toContain("image: nginx:1.27");
        expectOk(await pulumi(["destroy", "--yes", "--skip-preview", ...stack], cwd, env), "destroy");
    });

    it("runs a local policy pack and fails the preview on a mandatory violation", async () => {
        const cwd = join(fixtures, "render-stack");
        const env: Record<string, string> = { PULUMI_BACKEND_URL: tempBackend() };
        const renderDir = mkdtempSync(join(tmpdir(), "syncwave-render-"));
        const pack = join(fixtures, "policy-pack");
        env.KUBECONFIG = "";
        const stack = await newStack(cwd, env);
        expectOk(await pulumi(["config", "set", "renderDir", renderDir, ...stack], cwd, env), "config set");

        const failing = await pulumi(["preview", "--policy-pack", pack, ...stack], cwd, env);
        expect(failing.code).not.toBe(0);
        expect(failing.stdout + failing.stderr).toContain("deployments-need-two-replicas");
        expect(failing.stdout + failing.stderr).toMatch(/mandatory/);
        // The host tells the pack which stack it checks (through upstream's policy proxy).
        expect(failing.stdout).toContain(`checking stack ${stack[1]} of project toolchain-render`);

        expectOk(await pulumi(["config", "set", "--type", "int", "replicas", "2", ...stack], cwd, env), "config set");
        const passing = expectOk(await pulumi(["preview", "--policy-pack", pack, ...stack], cwd, env), "preview with policy");
        expect(passing.stdout).toContain("toolchain-check");
    });

    it("drives an inline program up and down through the Automation API", async () => {
        const root = process.env.SYNCWAVE_PULUMI_ROOT;
        if (!root) throw new Error("SYNCWAVE_PULUMI_ROOT is not set: run the tests through `npm test`");
        const pulumiCommand = await PulumiCommand.get({ root });
        const stack = await LocalWorkspace.createOrSelectStack(
            {
                stackName: "automation",
                projectName: "toolchain-automation",
                program: async () => {
                    class Greeting extends pulumiSdk.dynamic.Resource {
                        declare public readonly greeting: pulumiSdk.Output<string>;
                        constructor(name: string) {
                            const provider = {
                                async create() {
                                    return { id: "fixed", outs: { greeting: "hello" } };
                                },
                            };
                            super(provider, name, { greeting: undefined });
                        }
                    }
                    return { greeting: new Greeting("greeting").greeting };
                },
            },
            {
                pulumiCommand,
                envVars: { PULUMI_BACKEND_URL: tempBackend(), PULUMI_CONFIG_PASSPHRASE: "test-only" },
            },
        );
        const up = await stack.up();
        expect(up.summary.result).toBe("succeeded");
        expect(up.outputs.greeting.value).toBe("hello");
        const destroy = await stack.destroy();
        expect(destroy.summary.result).toBe("succeeded");
    });
});
