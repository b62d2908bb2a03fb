// The Node.js language host (toolchain/language-host) behaves as Pulumi's own in what a user or an
// operator notices: it dies with its engine, passes a cancellation on to the program, reads every
// runtime option of Pulumi.yaml, installs with the project's package manager, tells `pulumi about`
// what it runs with, and reports a program's errors once, without noise of its own.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { processAlive } from "../../cli/stale-lock";
import { childrenOf, until } from "../helpers/processes";
import { expectOk, pulumi, tempBackend, type CommandResult } from "../helpers/pulumi";

const fixtures = resolve(__dirname, "../fixtures");
const repoModules = resolve(__dirname, "../../node_modules");

const readPid = (file: string) => (existsSync(file) && readFileSync(file, "utf8") ? Number(readFileSync(file, "utf8")) : undefined);

/** A new stack of the project in `cwd`, on its own backend; its config file goes after the test. */
async function newStack(cwd: string, extraEnv: Record<string, string> = {}) {
    const env = { PULUMI_BACKEND_URL: tempBackend(), ...extraEnv };
    const name = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    expectOk(await pulumi(["stack", "init", name], cwd, env), "stack init");
    onTestFinished(() => rmSync(join(cwd, `Pulumi.${name}.yaml`), { force: true }));
    return { env, name, args: ["--stack", name] };
}

/** `pulumi up` started in the background, and what it printed so far. */
function startUp(cwd: string, stackArgs: string[], env: Record<string, string>) {
    const up = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", ...stackArgs], {
        cwd,
        env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: "test-only", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    up.stdout!.on("data", (b) => (output += b));
    up.stderr!.on("data", (b) => (output += b));
    const exited = new Promise<number | null>((r) => up.on("exit", (code) => r(code)));
    onTestFinished(() => {
        if (up.exitCode === null && up.signalCode === null) up.kill("SIGKILL");
    });
    return { up, exited, output: () => output };
}

function killOnFinish(...pids: number[]) {
    onTestFinished(() => {
        for (const pid of pids) if (pid && processAlive(pid)) process.kill(pid, "SIGKILL");
    });
}

/** The urns' last names in a stack's state. */
async function resourceNames(cwd: string, stackArgs: string[], env: Record<string, string>): Promise<string[]> {
    const exported = expectOk(await pulumi(["stack", "export", ...stackArgs], cwd, env), "stack export");
    return (JSON.parse(exported.stdout).deployment.resources ?? []).map((r: { urn: string }) => r.urn.split("::").pop());
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe("the Node.js language host", () => {
    it("exits, with the program it runs and the dynamic provider, within 10 s of its engine being killed", async () => {
        const cwd = join(fixtures, "cancel-program");
        const stack = await newStack(cwd);
        const dir = mkdtempSync(join(tmpdir(), "syncwave-killed-"));
        const markers = { SLOW_MARKER: join(dir, "provider"), PROGRAM_MARKER: join(dir, "program") };
        const { up } = startUp(cwd, stack.args, { ...stack.env, ...markers, SLOW_SECONDS: "120" });
        const provider = await until("the slow step to start", 60_000, () => readPid(markers.SLOW_MARKER));
        const program = readPid(markers.PROGRAM_MARKER)!;
        const [host] = childrenOf(up.pid!, "pulumi-language-nodejs");
        killOnFinish(host, program, provider);
        expect([host, program, provider].every(processAlive)).toBe(true);

        // Upstream's host checks its engine every 5 minutes, and upstream's dynamic provider not at
        // all; here the host checks every 2 seconds and the provider watches its parent.
        up.kill("SIGKILL");
        const started = Date.now();
        await until("the host, the program and the provider to exit", 10_000, () => ([host, program, provider].some(processAlive) ? undefined : true));
        expect(Date.now() - started).toBeLessThan(10_000);
    });

    describe("when `pulumi up` is interrupted", () => {
        const cwd = join(fixtures, "cancel-program");

        async function interruptDuringSlowStep(signals: number) {
            const stack = await newStack(cwd);
            const dir = mkdtempSync(join(tmpdir(), "syncwave-cancel-"));
            const markers = { SLOW_MARKER: join(dir, "slow"), PROGRAM_MARKER: join(dir, "program"), INTERRUPT_MARKER: join(dir, "interrupted") };
            const run = startUp(cwd, stack.args, { ...stack.env, ...markers, SLOW_SECONDS: "12" });
            const provider = await until("the slow step to start", 60_000, () => readPid(markers.SLOW_MARKER));
            const program = readPid(markers.PROGRAM_MARKER)!;
            const [host] = childrenOf(run.up.pid!, "pulumi-language-nodejs");
            killOnFinish(provider, program, host);
            expect(host).toBeGreaterThan(0);
            const interruptedAt = Date.now();
            for (let i = 0; i < signals; i++) {
                run.up.kill("SIGINT");
                await new Promise((r) => setTimeout(r, 500));
            }
            return { stack, run, markers, pids: { provider, program, host }, interruptedAt };
        }

        it("passes the cancellation on to the program, lets the running step finish and the next up complete", async () => {
            const { stack, run, markers, pids, interruptedAt } = await interruptDuringSlowStep(1);
            // The engine calls the host's Cancel at once; the host interrupts the program (upstream
            // does the same), well before the 12 s step ends.
            const interrupted = await until("the program to be interrupted", 5_000, () => readPid(markers.INTERRUPT_MARKER));
            expect(interrupted - interruptedAt).toBeLessThan(5_000);

            const code = await run.exited;
            expect(code).not.toBe(0);
            const output = run.output();
            expect(output).toContain("^C received; cancelling");
            // The step under way finished; the one after it never started.
            expect(output).toMatch(/slow created \(1\ds\)/);
            expect(count(output, "error: update canceled")).toBe(2); // the progress line and the diagnostics
            expect(output).not.toMatch(/Program exited|pulumi-language-nodejs|non-zero exit code/);
            expect(await resourceNames(cwd, stack.args, stack.env)).toEqual(expect.arrayContaining(["first", "slow"]));
            expect(await resourceNames(cwd, stack.args, stack.env)).not.toContain("last");
            await until("every process of the update to exit", 10_000, () => (Object.values(pids).every((p) => !processAlive(p)) ? true : undefined));

            const next = expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, stack.env), "the next up");
            expect(next.stdout).toMatch(/last created/);
            expect(await resourceNames(cwd, stack.args, stack.env)).toContain("last");
        });

        it("stops at once on a second interrupt, leaving no process and no lock behind", async () => {
            const { stack, run, pids, interruptedAt } = await interruptDuringSlowStep(2);
            const code = await run.exited;
            expect(code).not.toBe(0);
            expect(Date.now() - interruptedAt).toBeLessThan(6_000);
            expect(run.output()).toContain("update cancelled");
            await until("every process of the update to exit", 10_000, () => (Object.values(pids).every((p) => !processAlive(p)) ? true : undefined));

            const next = expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, stack.env), "the next up");
            expect(next.stdout).toMatch(/last created/);
        });
    });

    describe("runtime options", () => {
        const cwd = join(fixtures, "host-options");

        it("runs TypeScript with the tsconfig, node arguments and main folder Pulumi.yaml names", async () => {
            const stack = await newStack(cwd);
            expectOk(await pulumi(["config", "set", "greeting", "hello", ...stack.args], cwd, stack.env), "config set");
            expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, stack.env), "up");
            const outputs = JSON.parse(expectOk(await pulumi(["stack", "output", "--json", ...stack.args], cwd, stack.env), "stack output").stdout);
            // nodeargs: node's heap limit is the one node itself reports under the same flag.
            const expectedLimit = await new Promise<number>((r) => {
                const node = spawn("node", ["--max-old-space-size=200", "-p", "Math.round(require('v8').getHeapStatistics().heap_size_limit / 1048576)"]);
                let out = "";
                node.stdout.on("data", (b) => (out += b));
                node.on("exit", () => r(Number(out)));
            });
            expect(outputs).toEqual({
                heapLimitMiB: expectedLimit,
                gcExposed: true,
                ranTypeScript: true,
                folder: "src",
                stack: stack.name,
                greeting: "hello",
            });
        });

        it("type-checks with that tsconfig unless PULUMI_NODEJS_TRANSPILE_ONLY says not to, and reports a type error once", async () => {
            const stack = await newStack(cwd);
            expectOk(await pulumi(["config", "set", "greeting", "hello", ...stack.args], cwd, stack.env), "config set");
            const checked = await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, { ...stack.env, HOST_OPTIONS_TYPE_ERROR: "1", PULUMI_NODEJS_TRANSPILE_ONLY: "" });
            expect(checked.code).not.toBe(0);
            const output = checked.stdout + checked.stderr;
            expect(count(output, "error TS6133: 'unused' is declared but its value is never read.")).toBe(1);
            expect(output).not.toMatch(/Program exited|pulumi-language-nodejs|non-zero exit code/);

            expectOk(
                await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, { ...stack.env, HOST_OPTIONS_TYPE_ERROR: "1", PULUMI_NODEJS_TRANSPILE_ONLY: "true" }),
                "up without type checks",
            );
        });

        /** A copy of the cancel program with the given runtime options, resolving packages from the repository. */
        function projectWithOptions(options: string): string {
            const dir = mkdtempSync(join(tmpdir(), "syncwave-options-"));
            cpSync(join(fixtures, "cancel-program", "index.js"), join(dir, "index.js"));
            writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "options", version: "1.0.0", main: "index.js" }));
            writeFileSync(join(dir, "Pulumi.yaml"), `name: options\nruntime:\n  name: nodejs\n  options:\n${options}main: index.js\n`);
            return dir;
        }

        it("refuses an option of the wrong type, naming the file and the option, and changes nothing", async () => {
            const cwd = projectWithOptions(`    typescript: "no"\n`);
            const stack = await newStack(cwd, { NODE_PATH: repoModules });
            const result = await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, stack.env);
            expect(result.code).not.toBe(0);
            expect(result.stdout + result.stderr).toContain(`runtime options of ${join(cwd, "Pulumi.yaml")}: typescript option must be a boolean`);
            expect(await resourceNames(cwd, stack.args, stack.env)).toEqual([]);

            const manager = projectWithOptions(`    packagemanager: npx\n`);
            const other = await newStack(manager, { NODE_PATH: repoModules });
            const refused = await pulumi(["up", "--yes", "--skip-preview", ...other.args], manager, other.env);
            expect(refused.code).not.toBe(0);
            expect(refused.stdout + refused.stderr).toContain("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got npx");
        });

        it("names an option it does not know in a warning instead of dropping it silently", async () => {
            const cwd = projectWithOptions(`    typescript: false\n    nodeArgs: --max-old-space-size=100\n`);
            const stack = await newStack(cwd, { NODE_PATH: repoModules });
            const result = expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, stack.env), "up");
            expect(result.stdout).toContain(`${join(cwd, "Pulumi.yaml")}: runtime option(s) nodeArgs are not Node.js runtime options and are ignored`);
        });
    });

    describe("dependencies", () => {
        /** A copy of the install fixture with this Pulumi.yaml; @pulumi/pulumi comes from the repository. */
        function installProject(options: string): string {
            const dir = mkdtempSync(join(tmpdir(), "syncwave-install-"));
            cpSync(join(fixtures, "host-install"), dir, { recursive: true });
            writeFileSync(join(dir, "Pulumi.yaml"), `name: install\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n${options}main: index.js\n`);
            return dir;
        }
        // yarn (classic) is a development dependency of this repository, so it is on the PATH here.
        const env = { NODE_PATH: repoModules, PATH: `${join(repoModules, ".bin")}:${process.env.PATH}` };

        async function install(cwd: string, stackEnv: Record<string, string>): Promise<CommandResult> {
            return pulumi(["install"], cwd, stackEnv);
        }

        it("installs with the package manager Pulumi.yaml names, and `pulumi about` reports it and the packages", async () => {
            const cwd = installProject("    packagemanager: yarn\n");
            const stack = await newStack(cwd, env);
            const installed = expectOk(await install(cwd, stack.env), "pulumi install");
            expect(installed.stdout + installed.stderr).toContain("Installing dependencies...");
            expect(existsSync(join(cwd, "yarn.lock"))).toBe(true);
            expect(existsSync(join(cwd, "package-lock.json"))).toBe(false);
            expect(existsSync(join(cwd, "node_modules", "greeting-lib", "index.js"))).toBe(true);

            const about = JSON.parse(expectOk(await pulumi(["about", "--json", ...stack.args], cwd, stack.env), "pulumi about").stdout);
            expect(about.runtime).toMatchObject({ language: "nodejs", packagemanager: "yarn", version: process.version });
            expect(about.runtime.packagemanagerVersion).toBe("1.22.22");
            expect(about.dependencies).toEqual(expect.arrayContaining([{ name: "greeting-lib", version: "1.2.3" }]));

            expectOk(await pulumi(["up", "--yes", "--skip-preview", ...stack.args], cwd, stack.env), "up");
            const outputs = JSON.parse(expectOk(await pulumi(["stack", "output", "--json", ...stack.args], cwd, stack.env), "stack output").stdout);
            expect(outputs.greeting).toBe("hello from greeting-lib");
        });

        it("uses the named package manager over a lock file, and production leaves development packages out", async () => {
            const cwd = installProject("    packagemanager: npm\n    production: true\n");
            writeFileSync(join(cwd, "yarn.lock"), "# yarn lockfile v1\n");
            const stack = await newStack(cwd, env);
            expectOk(await install(cwd, stack.env), "pulumi install");
            expect(existsSync(join(cwd, "package-lock.json"))).toBe(true);
            expect(existsSync(join(cwd, "node_modules", "greeting-lib"))).toBe(true);
            expect(existsSync(join(cwd, "node_modules", "dev-only-lib"))).toBe(false);
        });

        it("chooses yarn from its lock file when Pulumi.yaml names no package manager", async () => {
            const cwd = installProject("");
            writeFileSync(join(cwd, "yarn.lock"), "# yarn lockfile v1\n");
            const stack = await newStack(cwd, env);
            expectOk(await install(cwd, stack.env), "pulumi install");
            expect(readFileSync(join(cwd, "yarn.lock"), "utf8")).toContain("greeting-lib@file:./libs/greeting");
            // npm would have written its own lock file (and updated yarn.lock too).
            expect(existsSync(join(cwd, "package-lock.json"))).toBe(false);
            expect(existsSync(join(cwd, "node_modules", "dev-only-lib"))).toBe(true);
        });

        it("says which package manager it could not find", async () => {
            const cwd = installProject("    packagemanager: pnpm\n");
            const stack = await newStack(cwd, env);
            const result = await install(cwd, stack.env);
            expect(result.code).not.toBe(0);
            expect(result.stdout + result.stderr).toMatch(/pnpm/);
            expect(existsSync(join(cwd, "node_modules"))).toBe(false);
        });
    });

    it("prints its version and its usage as upstream's host does", async () => {
        const run = (args: string[]) =>
            new Promise<{ code: number | null; out: string }>((r) => {
                const child: ChildProcess = spawn("pulumi-language-nodejs", args);
                // A host that took the flag for an engine address would serve until killed.
                const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
                child.on("exit", () => clearTimeout(timer));
                let out = "";
                child.stdout!.on("data", (b) => (out += b));
                child.stderr!.on("data", (b) => (out += b));
                child.on("exit", (code) => r({ code, out }));
            });
        const versions = readFileSync(resolve(__dirname, "../../toolchain/versions.env"), "utf8");
        const pulumiVersion = /^PULUMI_VERSION=(.*)$/m.exec(versions)![1];
        expect(await run(["-version"])).toEqual({ code: 0, out: `${pulumiVersion}\n` });
        const help = await run(["--help"]);
        expect(help.out).toContain("-tracing");
        expect(help.out).toContain("-runtime");
        const bun = await run(["-runtime", "bun"]);
        expect(bun.code).not.toBe(0);
        expect(bun.out).toContain("unsupported runtime: bun");
    });
});
