// Several processes racing for one stack's SyncWave lock at the same instant, for the lock tests.
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(__dirname, "../..");

/** A pid that ran on this host and no longer does. */
export function deadPid(): number {
    return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

/** Starts `contenders` processes at once; resolves with each one's output lines. */
export async function raceForLock(contenders: number, env: Record<string, string>): Promise<string[][]> {
    // Late enough for every process to have started (two cores, a cold transpile cache).
    const startAt = String(Date.now() + 4000);
    const runs = Array.from({ length: contenders }, () => {
        const child = spawn(process.execPath, ["-r", resolve(root, "cli/bin/require-ts.js"), resolve(__dirname, "lock-race-child.ts")], { env: { ...process.env, START_AT: startAt, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (b) => (out += b));
        child.stderr.on("data", (b) => (out += b));
        return new Promise<string[]>((done) => child.on("close", () => done(out.trim().split("\n"))));
    });
    return Promise.all(runs);
}

/** Whether two contenders held the lock at the same time (from their got/released times). */
export function overlapping(outputs: string[][]): boolean {
    const spans = outputs
        .map((lines) => ({ got: Number(lines.find((l) => l.startsWith("got "))?.slice(4)), released: Number(lines.find((l) => l.startsWith("released "))?.slice(9)) }))
        .filter((s) => !Number.isNaN(s.got))
        .sort((a, b) => a.got - b.got);
    return spans.some((s, i) => i > 0 && s.got < spans[i - 1].released);
}
