// Peak memory of a process and every process it starts (the engine, the language host, the program,
// providers, the policy pack): the sum of their resident sets, sampled from /proc while it runs.
import { readdirSync, readFileSync } from "node:fs";

function children(): Map<number, number[]> {
    const byParent = new Map<number, number[]>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
        } catch {
            // gone meanwhile
        }
    }
    return byParent;
}

function rssKiB(pid: number): number {
    try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : 0;
    } catch {
        return 0;
    }
}

/** Resident memory of the tree under `root`, in MiB, now. */
export function treeRssMiB(root: number): number {
    const tree = children();
    let total = 0;
    const stack = [root];
    while (stack.length) {
        const pid = stack.pop()!;
        total += rssKiB(pid);
        stack.push(...(tree.get(pid) ?? []));
    }
    return total / 1024;
}

/** Samples the tree every `everyMs` until stopped; `stop()` returns the peak in MiB. */
export function sampleTree(root: number, everyMs = 200): { stop: () => number } {
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRssMiB(root))), everyMs);
    return {
        stop: () => {
            clearInterval(timer);
            return peak;
        },
    };
}
