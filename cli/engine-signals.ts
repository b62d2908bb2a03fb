// Ctrl-C and SIGTERM while a `pulumi up` or `preview` runs. The engine runs in a process group of its
// own, so a terminal's Ctrl-C reaches only this process, which passes each signal on exactly once:
// the first makes Pulumi cancel gracefully (the resource step under way finishes, nothing after it
// starts, the stack lock is released), a second makes it stop at once. Were the engine in this
// process's group it would get the terminal's SIGINT and then this process's exit SIGTERM, two
// signals, and stop at once on the first Ctrl-C. Once a signal came, no further engine run starts:
// a cancelled sync does not go on to its next step or a rollback.
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();
const relayed = new Set<NodeJS.Signals>(["SIGINT", "SIGTERM"]);
let cancelledBy: NodeJS.Signals | undefined;

const relay = (signal: NodeJS.Signals) => {
    cancelledBy ??= signal;
    for (const child of running) child.kill(signal);
};

/** The signal that cancelled this process's engine runs, if one did. */
export function engineCancelledBy(): NodeJS.Signals | undefined {
    return cancelledBy;
}

/**
 * Which signals reach a running engine. `syncwave reconcile` keeps SIGTERM for itself: it lets the
 * sync under way finish, then stops.
 */
export function relayToEngine(signals: NodeJS.Signals[]): void {
    for (const signal of [...relayed]) if (!signals.includes(signal) && running.size > 0) process.off(signal, relay);
    relayed.clear();
    for (const signal of signals) relayed.add(signal);
}

/** Watches an engine process until it exits; signals this process gets meanwhile are passed on. */
export function watchEngine(child: ChildProcess): void {
    if (running.size === 0) for (const signal of relayed) process.on(signal, relay);
    running.add(child);
    child.once("close", () => {
        running.delete(child);
        if (running.size === 0) for (const signal of relayed) process.off(signal, relay);
    });
}
