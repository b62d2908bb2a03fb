// Several processes racing for one stack's SyncWave lock at the same instant, for the lock tests.
// The race is run by handshake, not by the clock: each contender is started and warmed up first, all
// are told to go at once, and a holder keeps the lock until every other contender has answered. On a
// loaded machine a contender that came up late would otherwise find the lock already released and
// count as a second holder.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(__dirname, "../..");
const DEADLINE_MS = 120_000;

/** A pid that ran on this host and no longer does. */
export function deadPid(): number {
    return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

interface Contender {
    child: ChildProcessWithoutNullStreams;
    lines: string[];
    closed: Promise<void>;
}

/** Runs `contenders` processes racing for the lock; resolves with each one's output lines. */
export async function raceForLock(contenders: number, env: Record<string, string>): Promise<string[][]> {
    const all: Contender[] = Array.from({ length: contenders }, () => {
        const child = spawn(process.execPath, ["-r", resolve(root, "cli/bin/require-ts.js"), resolve(__dirname, "lock-race-child.ts")], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
        const contender: Contender = { child, lines: [], closed: new Promise((done) => child.on("close", () => done())) };
        let out = "";
        const take = (b: Buffer) => {
            out += b;
            const parts = out.split("\n");
            out = parts.pop()!;
            contender.lines.push(...parts);
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        child.on("close", () => out && contender.lines.push(out));
        child.stdin.on("error", () => undefined); // a contender that already ended
        return contender;
    });
    const say = (line: string) => all.forEach((c) => c.child.stdin.write(`${line}\n`));
    try {
        await until(all, (c) => c.lines.includes("ready"), "every contender to be ready");
        say("go");
        await until(all, (c) => c.lines.some((l) => l.startsWith("got ") || l.startsWith("refused ")), "every contender to answer");
        say("release");
        await Promise.race([Promise.all(all.map((c) => c.closed)), new Promise((_, fail) => setTimeout(() => fail(new Error("the contenders did not end")), DEADLINE_MS))]);
    } finally {
        for (const c of all) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    }
    return all.map((c) => c.lines.filter((l) => l !== ""));
}

async function until(all: Contender[], done: (c: Contender) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS;
    while (!all.every((c) => done(c) || c.child.exitCode !== null)) {
        if (Date.now() > deadline) throw new Error(`waited ${DEADLINE_MS / 1000} s for ${what}: ${JSON.stringify(all.map((c) => c.lines))}`);
        await new Promise((r) => setTimeout(r, 20));
    }
    const ended = all.find((c) => !done(c));
    if (ended) throw new Error(`a contender ended before ${what.replace("every contender", "it had")}: ${JSON.stringify(ended.lines)}`);
}

/** Whether two contenders held the lock at the same time (from their got/released times). */
export function overlapping(outputs: string[][]): boolean {
    const spans = outputs
        .map((lines) => ({ got: Number(lines.find((l) => l.startsWith("got "))?.slice(4)), released: Number(lines.find((l) => l.startsWith("released "))?.slice(9)) }))
        .filter((s) => !Number.isNaN(s.got))
        .sort((a, b) => a.got - b.got);
    return spans.some((s, i) => i > 0 && s.got < spans[i - 1].released);
}
