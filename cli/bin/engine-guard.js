// Runs the Pulumi CLI for `syncwave` (cli/engine-run.ts) and stands between the two: plain
// JavaScript, so it starts in milliseconds without the transpile cache.
//   node engine-guard.js PULUMI ARGS...
// It runs in a process group of its own, so a terminal's Ctrl-C reaches only `syncwave`, which passes
// each signal it gets on to this guard, which passes it on to the engine exactly once: the first
// makes Pulumi cancel gracefully, a second stop it at once. When `syncwave` dies without stopping the
// engine (SIGKILL, a crash), the guard notices within half a second and sends the engine one SIGTERM,
// Pulumi's graceful cancel: the step under way finishes, the state is written, the lock released.
// A step that needs longer than ORPHAN_GRACE_MS (a gate waiting for health) is not waited for: a
// second SIGTERM then stops the engine at once, so nothing outlives the CLI by more than about 10 s;
// the next sync finds what it left (pending operations, a lock whose process is gone) and recovers.
// (The kernel's parent-death signal would not do: it fires once per thread of the dying parent, and
// Pulumi takes a second SIGTERM as "stop at once".) The guard exits as the engine did.
"use strict";
const { spawn } = require("node:child_process");
const { constants } = require("node:os");

const [binary, ...args] = process.argv.slice(2);
const parent = process.ppid;
const engine = spawn(binary, args, { stdio: "inherit" });

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => engine.kill(signal));

const ORPHAN_GRACE_MS = 8000;
let orphaned = false;
const watch = setInterval(() => {
    if (!orphaned && process.ppid !== parent) {
        orphaned = true;
        engine.kill("SIGTERM");
        setTimeout(() => engine.kill("SIGTERM"), ORPHAN_GRACE_MS).unref();
    }
}, 500);

engine.on("error", (err) => {
    console.error(`could not run ${binary}: ${err.message}`);
    process.exit(127);
});
engine.on("exit", (code, signal) => {
    clearInterval(watch);
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
