// The scheduler with fake jobs: the bound, the order, and a signal passed on to the running jobs.
import { describe, expect, it } from "vitest";
import { schedule, type StartedJob } from "../../cli/multi-stack/scheduler";

interface FakeOutcome {
    stack: string;
    signal?: NodeJS.Signals;
}

/** Jobs that end when the test says so; every start, end and cancel is recorded in order. */
function fakeJobs() {
    const events: string[] = [];
    const finishers = new Map<string, (outcome: FakeOutcome) => void>();
    const ended = new Set<string>();
    let running = 0;
    let mostAtOnce = 0;
    const start = (stack: string): StartedJob<FakeOutcome> => {
        events.push(`start ${stack}`);
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        const finished = new Promise<FakeOutcome>((resolve) =>
            finishers.set(stack, (outcome) => {
                // A job ends once, however many signals it was passed.
                if (ended.has(stack)) return;
                ended.add(stack);
                events.push(`end ${stack}`);
                running--;
                resolve(outcome);
            }),
        );
        return {
            finished,
            cancel: (signal) => {
                events.push(`${signal} ${stack}`);
                // A cancelled child ends soon after, as the signal ended it.
                setTimeout(() => finishers.get(stack)!({ stack, signal }), 1);
            },
        };
    };
    const finish = async (stack: string) => {
        finishers.get(stack)!({ stack });
        await settle();
    };
    return { events, start, finish, mostAtOnce: () => mostAtOnce, started: () => [...finishers.keys()] };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("schedule", () => {
    it("runs at most the bound at once, starting the next in order as each ends", async () => {
        const jobs = fakeJobs();
        const run = schedule(["a", "b", "c", "d", "e"], 2, jobs.start);
        await settle();
        expect(jobs.started()).toEqual(["a", "b"]);
        await jobs.finish("b");
        expect(jobs.started()).toEqual(["a", "b", "c"]);
        await jobs.finish("a");
        await jobs.finish("c");
        await jobs.finish("d");
        await jobs.finish("e");
        const runs = await run.done;
        expect(jobs.mostAtOnce()).toBe(2);
        expect(jobs.events.filter((e) => e.startsWith("start"))).toEqual(["start a", "start b", "start c", "start d", "start e"]);
        // Reported in the order given, whatever order they ended in.
        expect(runs.map((r) => r.stack)).toEqual(["a", "b", "c", "d", "e"]);
        expect(runs.every((r) => r.started)).toBe(true);
    });

    it("records when each job started and ended", async () => {
        let clock = 1_000;
        const jobs = fakeJobs();
        const run = schedule(["a"], 1, jobs.start, () => clock);
        await settle();
        clock = 3_500;
        await jobs.finish("a");
        const [a] = await run.done;
        expect(a).toMatchObject({ stack: "a", started: true, startedAtMs: 1_000, endedAtMs: 3_500 });
    });

    it("runs all at once when the bound is at least the number of stacks", async () => {
        const jobs = fakeJobs();
        const run = schedule(["a", "b", "c"], 4, jobs.start);
        await settle();
        expect(jobs.started()).toEqual(["a", "b", "c"]);
        for (const s of ["c", "a", "b"]) await jobs.finish(s);
        expect((await run.done).length).toBe(3);
    });

    it("passes a signal to every running job, starts no more, and reports the rest as not started", async () => {
        const jobs = fakeJobs();
        const run = schedule(["a", "b", "c", "d"], 2, jobs.start);
        await settle();
        run.cancel("SIGINT");
        const runs = await run.done;
        expect(run.cancelledBy()).toBe("SIGINT");
        expect(jobs.events).toEqual(["start a", "start b", "SIGINT a", "SIGINT b", "end a", "end b"]);
        expect(runs.map((r) => (r.started ? `${r.stack}: ${r.outcome.signal}` : `${r.stack}: not started`))).toEqual(["a: SIGINT", "b: SIGINT", "c: not started", "d: not started"]);
        expect(runs.map((r) => r.started && r.signalled)).toEqual([true, true, false, false]);
    });

    it("passes every later signal on too, so a second Ctrl-C stops the jobs at once as it stops a single sync", async () => {
        const jobs = fakeJobs();
        const run = schedule(["a", "b", "c"], 2, jobs.start);
        await settle();
        run.cancel("SIGINT");
        run.cancel("SIGINT");
        run.cancel("SIGTERM");
        await run.done;
        // The first signal cancelled the run; the later ones escalate.
        expect(run.cancelledBy()).toBe("SIGINT");
        expect(jobs.events).toEqual(["start a", "start b", "SIGINT a", "SIGINT b", "SIGINT a", "SIGINT b", "SIGTERM a", "SIGTERM b", "end a", "end b"]);
    });

    it("tells a job that ended before the signal from one the signal reached", async () => {
        const jobs = fakeJobs();
        const run = schedule(["a", "b"], 2, jobs.start);
        await settle();
        await jobs.finish("a");
        run.cancel("SIGTERM");
        const runs = await run.done;
        expect(runs.map((r) => r.started && r.signalled)).toEqual([false, true]);
    });

    it("ends at once when cancelled before any job started", async () => {
        const jobs = fakeJobs();
        const run = schedule(["a", "b"], 1, jobs.start);
        run.cancel("SIGTERM");
        const runs = await run.done;
        expect(jobs.events).toEqual([]);
        expect(runs.map((r) => r.started)).toEqual([false, false]);
    });

    it("refuses a bound that is not a whole number of at least 1", () => {
        expect(() => schedule(["a"], 0, fakeJobs().start)).toThrow("at least 1");
    });
});
