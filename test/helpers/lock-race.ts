// Several processes racing for one stack's SyncWave lock at the same instant, for the lock tests.
// The race is run by handshake, not by the clock: each contender is started and warmed up first, all
// are told to go at once, and a holder keeps the lock until every other contender has answered. On a
// loaded machine a contender that came up late would otherwise find the lock already released and
// count as a second holder.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import { until } from "./processes";

const root = resolve(__dirname, "../..");
const DEADLINE_MS = 120_000;

/** A pid that ran on this host and no longer does. */
export function deadPid(): number {
    return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

interface Contender {
    child: ChildProcessWithoutNullStreams;
    lines: string[];
    closed: boolean;
}

/** Runs `contenders` processes racing for the lock; resolves with each one's output lines. */
export async function raceForLock(contenders: number, env: Record<string, string>): Promise<string[][]> {
    const all: Contender[] = Array.from({ length: contenders }, () => {
        const child = spawn(process.execPath, ["-r", resolve(root, "cli/bin/require-ts.js"), resolve(__dirname, "lock-race-child.ts")], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
        const contender: Contender = { child, lines: [], closed: false };
        let out = "";
        const take = (b: Buffer) => {
            out += b;
            const parts = out.split("\n");
            out = parts.pop()!;
            contender.lines.push(...parts.filter((l) => l !== ""));
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        child.on("close", () => {
            if (out) contender.lines.push(out);
            contender.closed = true;
        });
        child.stdin.on("error", () => undefined); // a contender that already ended
        return contender;
    });
    const say = (line: string) => all.forEach((c) => c.child.stdin.write(`${line}\n`));
    /** Waits until every contender is `done`; one that ends before is an error showing its output. */
    const untilAll = (what: string, done: (c: Contender) => boolean) =>
        until(`every contender ${what}`, DEADLINE_MS, () => {
            const ended = all.find((c) => c.closed && !done(c));
            if (ended) throw new Error(`a contender ended while waiting for every contender ${what}: ${JSON.stringify(ended.lines)}`);
            return all.every(done) ? true : undefined;
        }, 20);
    try {
        await untilAll("to be ready", (c) => c.lines.includes("ready"));
        say("go");
        await untilAll("to answer", (c) => c.lines.some((l) => l.startsWith("got ") || l.startsWith("refused ")));
        say("release");
        await untilAll("to end", (c) => c.closed);
    } catch (err) {
        throw new Error(`${(err as Error).message}; their output so far: ${JSON.stringify(all.map((c) => c.lines))}`);
    } finally {
        for (const c of all) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    }
    return all.map((c) => c.lines);
}

/** Whether two contenders held the lock at the same time (from their got/released times). */
export function overlapping(outputs: string[][]): boolean {
    const spans = outputs
        .map((lines) => ({ got: Number(lines.find((l) => l.startsWith("got "))?.slice(4)), released: Number(lines.find((l) => l.startsWith("released "))?.slice(9)) }))
        .filter((s) => !Number.isNaN(s.got))
        .sort((a, b) => a.got - b.got);
    return spans.some((s, i) => i > 0 && s.got < spans[i - 1].released);
}
