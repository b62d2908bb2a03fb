// One component of the local cluster (kube-apiserver, etcd, kube-controller-manager, ...) stopped and
// started again on its own, as a fault: kwokctl starts and stops only whole clusters. Stopping reads
// how the process was started (its command line, environment and folder, from /proc) beside its pid
// file, then stops it; starting runs that again, detached, logging where kwokctl's process logged, and
// writes the new pid into the pid file, so `cluster down` and `status` keep working.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clusterProcesses, waitFor, type ClusterPaths } from "./local-cluster";

interface StartedAs {
    argv: string[];
    env: string[];
    cwd: string;
}

function clusterDir(paths: ClusterPaths): string {
    return join(paths.kwokWorkdir, "clusters", paths.kwokName);
}

const startedAsFile = (paths: ClusterPaths, component: string) => join(clusterDir(paths), "pids", `${component}.started-as.json`);

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Stops one running component (SIGTERM, SIGKILL after 20 s), keeping how to start it again. */
export async function stopComponent(paths: ClusterPaths, component: string): Promise<void> {
    const process_ = clusterProcesses(paths).find((p) => p.component === component);
    if (!process_) throw new Error(`the cluster has no component ${component} (it has: ${clusterProcesses(paths).map((p) => p.component).join(", ")})`);
    if (!process_.alive) throw new Error(`${component} (pid ${process_.pid}) is not running`);
    const { pid } = process_;
    const startedAs: StartedAs = {
        argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean),
        env: readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean),
        cwd: readlinkSync(`/proc/${pid}/cwd`),
    };
    writeFileSync(startedAsFile(paths, component), JSON.stringify(startedAs));
    process.kill(pid, "SIGTERM");
    await waitFor(`${component} (pid ${pid}) to stop`, 20_000, async () => !alive(pid)).catch(() => process.kill(pid, "SIGKILL"));
}

/**
 * A command line with flags set: each `--name=value` replaces the same flag's `--name=...` (the form
 * kwokctl starts components with) or is added. A flag without `=` or not starting with `--` is refused.
 */
export function withFlags(argv: readonly string[], flags: readonly string[]): string[] {
    for (const f of flags) if (!/^--[a-z0-9-]+=/.test(f)) throw new Error(`${f}: expected --name=value`);
    const names = new Set(flags.map((f) => f.slice(0, f.indexOf("="))));
    return [...argv.filter((a, i) => i === 0 || !names.has(a.includes("=") ? a.slice(0, a.indexOf("=")) : a)), ...flags];
}

/**
 * Starts a component `stopComponent` stopped, as it was started (with `flags` set, e.g. a throttled
 * `--max-requests-inflight=4` for a fault); resolves once it runs.
 */
export async function startComponent(paths: ClusterPaths, component: string, flags: readonly string[] = []): Promise<number> {
    const file = startedAsFile(paths, component);
    if (!existsSync(file)) throw new Error(`${component} was not stopped by 'cluster stop-component': nothing says how to start it`);
    const saved = JSON.parse(readFileSync(file, "utf8")) as StartedAs;
    const startedAs = { ...saved, argv: withFlags(saved.argv, flags) };
    const log = openSync(join(clusterDir(paths), "logs", `${component}.log`), "a");
    const env = Object.fromEntries(startedAs.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const child = spawn(startedAs.argv[0], startedAs.argv.slice(1), { cwd: startedAs.cwd, env, detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    child.unref();
    const pid = child.pid!;
    writeFileSync(join(clusterDir(paths), "pids", `${component}.pid`), String(pid));
    rmSync(file, { force: true });
    await waitFor(`${component} (pid ${pid}) to start`, 5_000, async () => alive(pid));
    return pid;
}
