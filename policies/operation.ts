// Which pulumi command the policy pack runs under. Policies cannot ask the engine whether this is a
// preview, so: SYNCWAVE_OPERATION when set, else the command line of the pulumi process that started
// the pack (its ancestor). Used only to let sync windows block `up` and not `preview`.
import { readFileSync } from "node:fs";

function parentOf(pid: number): number | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name may hold spaces: fields after the closing parenthesis are fixed.
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
        return undefined;
    }
}

function commandLine(pid: number): string[] {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
        return [];
    }
}

export function currentOperation(): string | undefined {
    if (process.env.SYNCWAVE_OPERATION) return process.env.SYNCWAVE_OPERATION;
    let pid: number | undefined = process.ppid;
    for (let depth = 0; pid && pid > 1 && depth < 6; depth++) {
        const argv = commandLine(pid);
        if (argv.length > 0 && /(^|\/)pulumi$/.test(argv[0])) {
            return argv.slice(1).find((a) => !a.startsWith("-"));
        }
        pid = parentOf(pid);
    }
    return undefined;
}

/** `pulumi up` (alias `update`) applies changes; everything else only looks. */
export function isApplying(operation: string | undefined): boolean {
    return operation === "up" || operation === "update";
}
