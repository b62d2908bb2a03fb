// The local cluster: the upstream control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler) built by the toolchain, orchestrated by kwokctl's binary runtime, with fake nodes
// whose lifecycle comes from the kwok Stages in toolchain/cluster/stages.yaml.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";

const execFileAsync = promisify(execFile);

export const CLUSTER_NAME = "syncwave";

/** A further local cluster's name: it becomes part of kwokctl's cluster name and of a folder name. */
const EXTRA_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export interface ClusterPaths {
    /** The cluster's name: undefined for the default cluster, else the name of `up --name NAME`. */
    name?: string;
    /** kwokctl's name for it. */
    kwokName: string;
    /** Per-clone folder for the cluster's state (SYNCWAVE_HOME/cluster). */
    home: string;
    kubeconfig: string;
    /** kwokctl's work folder: certificates, component logs, pid files. */
    kwokWorkdir: string;
    kubernetesBin: string;
    etcdBin: string;
    kwokBin: string;
    stagesFile: string;
}

export interface ClusterStatus {
    running: boolean;
    apiServer?: string;
    version?: string;
    nodes: { name: string; ready: boolean }[];
    /** Components kwokctl started, with their pid and whether that process is alive. */
    processes: { component: string; pid: number; alive: boolean }[];
    message?: string;
}

export type Log = (line: string) => void;

function requireEnv(name: string): string {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: run through 'npm run cluster' or after eval "$(npm run --silent env)"`);
    }
    return value;
}

/**
 * The cluster's paths, from the toolchain environment that `npm run env` exports. The default cluster
 * lives in SYNCWAVE_HOME/cluster; a further one (`up --name staging`) in SYNCWAVE_HOME/clusters/staging,
 * with its own kubeconfig, certificates and ports (kwokctl picks unused ones).
 */
export function clusterPaths(name?: string): ClusterPaths {
    if (name !== undefined && name !== CLUSTER_NAME && !EXTRA_NAME.test(name)) {
        throw new Error(`cluster name "${name}" must be lower-case letters, digits and '-', at most 32 characters`);
    }
    const extra = name !== undefined && name !== CLUSTER_NAME ? name : undefined;
    const home = extra ? join(requireEnv("SYNCWAVE_HOME"), "clusters", extra) : join(requireEnv("SYNCWAVE_HOME"), "cluster");
    return {
        ...(extra ? { name: extra } : {}),
        kwokName: extra ? `${CLUSTER_NAME}-${extra}` : CLUSTER_NAME,
        home,
        kubeconfig: extra ? join(home, "kubeconfig") : (process.env.SYNCWAVE_KUBECONFIG ?? join(home, "kubeconfig")),
        kwokWorkdir: join(home, "kwok"),
        kubernetesBin: requireEnv("SYNCWAVE_KUBERNETES_BIN"),
        etcdBin: requireEnv("SYNCWAVE_ETCD_BIN"),
        kwokBin: requireEnv("SYNCWAVE_KWOK_BIN"),
        stagesFile: resolve(__dirname, "../../toolchain/cluster/stages.yaml"),
    };
}

async function run(
    file: string,
    args: string[],
    paths: ClusterPaths,
    timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
    try {
        return await execFileAsync(file, args, {
            env: { ...process.env, KWOK_WORKDIR: paths.kwokWorkdir, KUBECONFIG: paths.kubeconfig },
            timeout: timeoutMs,
            maxBuffer: 16 * 1024 * 1024,
        });
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; killed?: boolean; message: string };
        const what = `${file.split("/").pop()} ${args.join(" ")}`;
        const reason = e.killed ? `timed out after ${timeoutMs / 1000}s` : "failed";
        throw new Error(`${what} ${reason}:\n${(e.stderr || e.stdout || e.message).trim()}`);
    }
}

function kwokctl(paths: ClusterPaths, args: string[], timeoutMs = 180_000) {
    return run(join(paths.kwokBin, "kwokctl"), ["--name", paths.kwokName, ...args], paths, timeoutMs);
}

export function kubectl(paths: ClusterPaths, args: string[], timeoutMs = 60_000) {
    return run(join(paths.kubernetesBin, "kubectl"), ["--kubeconfig", paths.kubeconfig, ...args], paths, timeoutMs);
}

/** kwokctl's configuration: every binary is a local file, so nothing is ever downloaded. */
function kwokctlConfiguration(paths: ClusterPaths): string {
    const config = {
        apiVersion: "config.kwok.x-k8s.io/v1alpha1",
        kind: "KwokctlConfiguration",
        options: {
            runtime: "binary",
            bindAddress: "127.0.0.1",
            securePort: true,
            kubeAuthorization: true,
            kubeApiserverBinary: join(paths.kubernetesBin, "kube-apiserver"),
            kubeControllerManagerBinary: join(paths.kubernetesBin, "kube-controller-manager"),
            kubeSchedulerBinary: join(paths.kubernetesBin, "kube-scheduler"),
            kubectlBinary: join(paths.kubernetesBin, "kubectl"),
            etcdBinary: join(paths.etcdBin, "etcd"),
            kwokControllerBinary: join(paths.kwokBin, "kwok"),
        },
        // One of each controller, and nothing that would restart one: with leader election a controller
        // exits when it cannot renew its lease (the API server away longer than 10 s), and the cluster
        // would then stop making progress for good after a short API-server outage.
        componentsPatches: ["kube-controller-manager", "kube-scheduler"].map((name) => ({ name, extraArgs: [{ key: "leader-elect", value: "false" }] })),
    };
    return `${stringify(config)}---\n${readFileSync(paths.stagesFile, "utf8")}`;
}

function clusterDir(paths: ClusterPaths): string {
    return join(paths.kwokWorkdir, "clusters", paths.kwokName);
}

/** The processes kwokctl started, read from the pid files it keeps. */
export function clusterProcesses(paths: ClusterPaths): ClusterStatus["processes"] {
    const pidDir = join(clusterDir(paths), "pids");
    if (!existsSync(pidDir)) return [];
    return readdirSync(pidDir)
        .filter((f) => f.endsWith(".pid"))
        .map((f) => {
            const pid = Number(readFileSync(join(pidDir, f), "utf8").trim());
            return { component: f.replace(/\.pid$/, ""), pid, alive: isAlive(pid) };
        });
}

function isAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export async function clusterStatus(paths = clusterPaths()): Promise<ClusterStatus> {
    const processes = clusterProcesses(paths);
    if (!existsSync(paths.kubeconfig)) {
        return { running: false, nodes: [], processes, message: "no cluster: run 'npm run cluster -- up'" };
    }
    // A busy machine can keep a live API server from answering in time: while its processes are alive,
    // ask again before calling it stopped (a wrong "stopped" would restart or rebuild a running cluster).
    const alive = processes.some((p) => p.alive);
    const attempts = alive ? 4 : 1;
    for (let attempt = 1; ; attempt++) {
        try {
            await kubectl(paths, ["get", "--raw", "/readyz"], 10_000);
            break;
        } catch (err) {
            if (attempt >= attempts) {
                const hint = alive
                    ? `its processes run; the component logs are in ${join(clusterDir(paths), "logs")}`
                    : "start it with 'npm run cluster -- up'";
                return { running: false, nodes: [], processes, message: `API server not ready (${hint}): ${(err as Error).message}` };
            }
            await new Promise((r) => setTimeout(r, 2_000));
        }
    }
    const [version, nodes, server] = await Promise.all([
        kubectl(paths, ["version", "-o", "json"]),
        kubectl(paths, ["get", "nodes", "-o", "json"]),
        kubectl(paths, ["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]),
    ]);
    const nodeList = JSON.parse(nodes.stdout) as {
        items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    };
    return {
        running: true,
        apiServer: server.stdout.trim(),
        version: (JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion,
        nodes: nodeList.items.map((n) => ({
            name: n.metadata.name,
            ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
        })),
        processes,
    };
}

/** The default StorageClass that the kwok volume stages provision for. */
const STORAGE_CLASS = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "syncwave.dev/kwok-volume",
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
};

/**
 * Starts the cluster, or returns at once when it already runs. A cluster left stopped (its processes
 * gone, for example after a reboot) is started again with its data; one that cannot start is rebuilt.
 */
export async function clusterUp(options: { nodes?: number; log?: Log; name?: string } = {}): Promise<ClusterStatus> {
    const paths = clusterPaths(options.name);
    const log = options.log ?? (() => undefined);
    const nodes = options.nodes ?? 1;
    const current = await clusterStatus(paths);
    if (current.running) {
        await ensureNodes(paths, nodes, current, log);
        return clusterStatus(paths);
    }

    mkdirSync(paths.home, { recursive: true });
    if (existsSync(join(clusterDir(paths), "kwok.yaml"))) {
        log("starting the stopped cluster");
        try {
            await kwokctl(paths, ["start", "cluster", "--wait", "120s"], 180_000);
        } catch (err) {
            log(`could not start it (${(err as Error).message.split("\n")[0]}): creating it anew`);
            await clusterDown({ log, name: options.name });
        }
    }
    if (!(await clusterStatus(paths)).running) {
        const configFile = join(paths.home, "kwokctl.yaml");
        writeFileSync(configFile, kwokctlConfiguration(paths));
        log("creating the cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok");
        await kwokctl(
            paths,
            ["--config", configFile, "create", "cluster", "--kubeconfig", paths.kubeconfig, "--wait", "120s", "--timeout", "180s"],
            240_000,
        );
    }
    log("waiting for the API server");
    await waitFor("the API server to answer /readyz", 60_000, async () => (await clusterStatus(paths)).running);
    const status = await clusterStatus(paths);
    await ensureNodes(paths, nodes, status, log);
    await applyObject(paths, STORAGE_CLASS);
    return clusterStatus(paths);
}

async function applyObject(paths: ClusterPaths, object: object): Promise<void> {
    const file = join(paths.home, `${(object as { kind: string }).kind.toLowerCase()}.json`);
    writeFileSync(file, JSON.stringify(object));
    await kubectl(paths, ["apply", "-f", file]);
}

async function ensureNodes(paths: ClusterPaths, want: number, status: ClusterStatus, log: Log): Promise<void> {
    if (status.nodes.length < want) {
        log(`adding fake nodes: ${want - status.nodes.length}`);
        await kwokctl(paths, ["scale", "node", "--replicas", String(want)], 120_000);
    }
    await waitFor(`${want} node(s) to be Ready`, 60_000, async () => {
        const s = await clusterStatus(paths);
        return s.nodes.filter((n) => n.ready).length >= want;
    });
}

/** Stops every process the cluster started and deletes its state. */
export async function clusterDown(options: { log?: Log; name?: string } = {}): Promise<void> {
    const paths = clusterPaths(options.name);
    const log = options.log ?? (() => undefined);
    const before = clusterProcesses(paths);
    if (existsSync(clusterDir(paths))) {
        log("deleting the cluster");
        await kwokctl(paths, ["delete", "cluster", "--kubeconfig", paths.kubeconfig], 120_000).catch((err: Error) =>
            log(`kwokctl delete failed, stopping the processes directly: ${err.message.split("\n")[0]}`),
        );
    }
    // kwokctl stops its components; anything that outlived it is ended here, by the pids it recorded.
    for (const p of before.filter((p) => isAlive(p.pid))) {
        log(`stopping ${p.component} (pid ${p.pid})`);
        try {
            process.kill(p.pid, "SIGTERM");
        } catch {
            // already gone
        }
    }
    await waitFor("the cluster's processes to exit", 20_000, async () => before.every((p) => !isAlive(p.pid))).catch(
        () => {
            for (const p of before.filter((p) => isAlive(p.pid))) process.kill(p.pid, "SIGKILL");
        },
    );
}

/**
 * Polls `check` until it holds or `timeoutMs` passes; the error names what was awaited. Used only
 * for cluster start-up, where there is nothing to watch yet.
 */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    while (Date.now() < deadline) {
        try {
            if (await check()) return;
        } catch (err) {
            lastError = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `: ${lastError}` : ""}`);
}
