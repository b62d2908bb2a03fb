// Runs one job per stack, at most `limit` at a time, started in the order given. A cancel (a signal
// to the parent) is passed to every running job and starts no more; the ones never started are
// reported as such. Every later signal is passed on too: a second Ctrl-C makes each job stop at once,
// as it makes a single sync. How a job runs (a child process, or a fake in tests) is the caller's.

export interface StartedJob<Outcome> {
    finished: Promise<Outcome>;
    /** Pass a signal on to the job; it still reports through `finished`. */
    cancel(signal: NodeJS.Signals): void;
}

export type StartJob<Outcome> = (stack: string) => StartedJob<Outcome>;

export type ScheduledRun<Outcome> =
    | { stack: string; started: false }
    | {
          stack: string;
          started: true;
          outcome: Outcome;
          startedAtMs: number;
          endedAtMs: number;
          /** Whether a signal was passed to the job while it ran: one that ended before was not cancelled. */
          signalled: boolean;
      };

export interface Schedule<Outcome> {
    /** Every stack's run, in the order the stacks were given, once all running jobs ended. */
    done: Promise<ScheduledRun<Outcome>[]>;
    /** Forward the signal to the running jobs and start no more; each later signal is forwarded too. */
    cancel(signal: NodeJS.Signals): void;
    /** The first signal, that cancelled the schedule, if one did. */
    cancelledBy(): NodeJS.Signals | undefined;
}

export function schedule<Outcome>(stacks: readonly string[], limit: number, start: StartJob<Outcome>, now: () => number = Date.now): Schedule<Outcome> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`at most ${limit} at a time: expected a whole number of at least 1`);
    const runs: ScheduledRun<Outcome>[] = stacks.map((stack) => ({ stack, started: false }));
    const running = new Map<number, StartedJob<Outcome>>();
    const signalled = new Set<number>();
    let next = 0;
    let cancelledBy: NodeJS.Signals | undefined;
    let finish: (runs: ScheduledRun<Outcome>[]) => void = () => undefined;
    const done = new Promise<ScheduledRun<Outcome>[]>((resolve) => (finish = resolve));

    const startMore = () => {
        while (cancelledBy === undefined && running.size < limit && next < stacks.length) {
            const index = next++;
            const startedAtMs = now();
            const job = start(stacks[index]);
            running.set(index, job);
            // A job reports its failures through its outcome: `finished` never rejects.
            void job.finished.then((outcome) => ended(index, { stack: stacks[index], started: true, outcome, startedAtMs, endedAtMs: now(), signalled: signalled.has(index) }));
        }
        if (running.size === 0 && (cancelledBy !== undefined || next >= stacks.length)) finish(runs);
    };
    const ended = (index: number, run: ScheduledRun<Outcome>) => {
        running.delete(index);
        runs[index] = run;
        startMore();
    };

    // Started on the next turn, so a caller can install its signal handlers before the first job runs.
    queueMicrotask(startMore);
    return {
        done,
        cancel(signal) {
            const first = cancelledBy === undefined;
            cancelledBy ??= signal;
            for (const [index, job] of running) {
                signalled.add(index);
                job.cancel(signal);
            }
            if (first && running.size === 0) finish(runs);
        },
        cancelledBy: () => cancelledBy,
    };
}
