// Processes as the fault and toolchain tests look at them: who a process's children are (from /proc,
// read before anything is killed), and waiting for a condition with a timeout that names what was
// awaited.
import { readdirSync, readFileSync } from "node:fs";

/** Each process's parent pid, now. */
function parents(): Map<number, number> {
    const byPid = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            byPid.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // gone meanwhile
        }
    }
    return byPid;
}

/** Every process below `pid`, children first. */
export function descendants(pid: number): number[] {
    const all = [...parents()];
    const found: number[] = [];
    const walk = (parent: number) => {
        for (const [child, ppid] of all) {
            if (ppid === parent) {
                found.push(child);
                walk(child);
            }
        }
    };
    walk(pid);
    return found;
}

/** The command line of a process ("" once it is gone). */
export function commandLine(pid: number): string {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
        return "";
    }
}

/** The direct children of `parent` whose command line contains `text`. */
export function childrenOf(parent: number, text: string): number[] {
    return [...parents()].filter(([pid, ppid]) => ppid === parent && commandLine(pid).includes(text)).map(([pid]) => pid);
}

/** Polls `probe` until it returns a value; fails after `timeoutMs`, naming what was awaited. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
