// The toolchain's small servers (syncwave-registry, syncwave-s3) as the tests start them: each prints
// "listening on ADDR" once it accepts connections, and stops on SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";

/** Starts `bin` and resolves with its bound address once it listens; a start that fails or hangs rejects with its stderr. */
export function startListening(name: string, bin: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): Promise<{ child: ChildProcess; address: string }> {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let stderr = "";
    child.stderr!.on("data", (b) => (stderr += b));
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${name} did not start within ${timeoutMs / 1000} s: ${stderr}`));
        }, timeoutMs);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.stdout!.on("data", (b) => {
            out += b;
            const m = /listening on (\S+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve({ child, address: m[1] });
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${name} exited (${code}): ${stderr}`));
        });
    });
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves once it has. */
export async function stopListening(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
}
