// One stack's child as a real process: a signal reaches its whole process group (what it started
// too, as a terminal's Ctrl-C would), every signal is passed on, and the children still running when
// the parent exits are stopped.
import { describe, expect, it } from "vitest";
import { startStackChild, stopRunningChildren } from "../../cli/multi-stack/child-run";
import { processAlive } from "../../cli/stale-lock";
import { until } from "../helpers/processes";

// Starts a grandchild in its own group (not detached), prints its pid, and counts the signals it gets.
const script = `
const { spawn } = require("node:child_process");
const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
let signals = 0;
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => { signals++; console.error(s + " " + signals); if (signals === 2) process.exit(0); });
console.log(String(sleeper.pid));
console.error("ready");
setInterval(() => undefined, 1000);
`;

// A sleeper killed with its parent may stay a zombie until something reaps it: processAlive counts it gone.
const runs = processAlive;
/** Waits for `check`, failing after 30 s (a loaded machine) and naming what it waited for. */
const waitFor = (check: () => boolean, what: string) => until(what, 30_000, () => (check() ? true : undefined), 25);

/** Starts the child and waits until it is ready for signals. */
async function started(lines: string[]) {
    const job = startStackChild("a", ["--stack", "a", "--stack", "b", "sync"], (line) => lines.push(line), ["-e", script, "--"]);
    await waitFor(() => lines.includes("[a] ready"), "the child to print ready");
    return job;
}

/** The grandchild, in the child's group, got the signal as well and ended by it. */
async function expectGrandchildEnded(stdout: string) {
    const sleeper = Number(stdout.trim());
    expect(sleeper).toBeGreaterThan(0);
    await waitFor(() => !runs(sleeper), `the grandchild ${sleeper} to end`);
    expect(runs(sleeper)).toBe(false);
}

describe("startStackChild", () => {
    it("passes each signal to the child's whole group, and every later one too", async () => {
        const lines: string[] = [];
        const job = await started(lines);
        job.cancel("SIGHUP");
        await waitFor(() => lines.length >= 2, "the child to report the first signal");
        job.cancel("SIGINT");
        const outcome = await job.finished;
        expect(lines).toEqual(["[a] ready", "[a] SIGHUP 1", "[a] SIGINT 2"]);
        expect(outcome.exitCode).toBe(0);
        await expectGrandchildEnded(outcome.stdout);
    });

    it("sends SIGTERM to the children still running when the parent exits", async () => {
        const lines: string[] = [];
        const job = await started(lines);
        stopRunningChildren();
        await waitFor(() => lines.length >= 2, "the child to report the first signal");
        stopRunningChildren();
        const outcome = await job.finished;
        expect(lines).toEqual(["[a] ready", "[a] SIGTERM 1", "[a] SIGTERM 2"]);
        await expectGrandchildEnded(outcome.stdout);
        // Ended: nothing more is sent to it, nor fails.
        stopRunningChildren();
        job.cancel("SIGTERM");
    });
});
