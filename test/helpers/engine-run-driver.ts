// Runs `pulumi up` through the CLI's runEngine, as `syncwave sync` does, then tries a second one; prints
// one JSON line per run and exits as the CLI does (128 + the signal's number when a signal cancelled
// it). The engine-cancel test interrupts it as a terminal's Ctrl-C would: SIGINT to its process group.
//   node -r cli/bin/require-ts.js test/helpers/engine-run-driver.ts STACK CWD
import { constants } from "node:os";
import { runEngine } from "../../cli/engine-run";
import { engineCancelledBy } from "../../cli/engine-signals";

async function main(): Promise<void> {
    const [stack, cwd] = process.argv.slice(2);
    for (const run of ["first", "second"]) {
        try {
            const result = await runEngine("up", { stack, cwd });
            console.log(JSON.stringify({ run, result: result.result }));
        } catch (err) {
            const e = err as Error;
            console.log(JSON.stringify({ run, error: e.name, message: e.message }));
        }
    }
    const signal = engineCancelledBy();
    process.exit(signal ? 128 + constants.signals[signal] : 0);
}

void main();
