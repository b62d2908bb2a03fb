// A child of a run on several stacks writes its stdout and stderr to pipes its parent reads. Should the
// parent be gone (killed outright, so it could not stop its children), the next write fails with EPIPE,
// and Node would crash the child mid-sync on that unhandled stream error, its engine left running.
// Instead the child cancels itself as a SIGTERM would cancel it (the step under way finishes, the stack
// lock is released) and writes nothing more anywhere.

/** Set in each child's environment by the parent. */
export const FAN_OUT_CHILD_VARIABLE = "SYNCWAVE_FAN_OUT_CHILD";

/** Whether an error is a write to a pipe no one reads any more. */
export function isBrokenPipe(err: unknown): boolean {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}

/** Installs the handling on the process's stdout and stderr; `cancel` runs once, on the first broken pipe. */
export function cancelWhenParentGone(streams: NodeJS.WritableStream[], cancel: () => void): void {
    let gone = false;
    for (const stream of streams) {
        stream.on("error", (err: unknown) => {
            if (!isBrokenPipe(err)) throw err;
            if (gone) return;
            gone = true;
            cancel();
        });
    }
}
