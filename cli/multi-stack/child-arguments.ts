// The arguments of one stack's child: the parent's own, with the stack selection (every --stack,
// --stacks and --parallel) replaced by exactly one --stack, so the child is an ordinary single-stack run.

/** Root options that select stacks; each takes one value. */
const SELECTION_OPTIONS = new Set(["-s", "--stack", "--stacks", "--parallel"]);

export function childArguments(parentArguments: readonly string[], stack: string): string[] {
    const kept: string[] = [];
    for (let i = 0; i < parentArguments.length; i++) {
        const arg = parentArguments[i];
        // After "--" everything is an operand, never an option.
        if (arg === "--") {
            kept.push(...parentArguments.slice(i));
            break;
        }
        if (SELECTION_OPTIONS.has(arg)) {
            i++; // and its value
            continue;
        }
        const [name] = arg.split("=", 1);
        if (arg.includes("=") && SELECTION_OPTIONS.has(name) && name.startsWith("--")) continue;
        // -sNAME: the short option with its value attached.
        if (/^-s[^-]/.test(arg)) continue;
        kept.push(arg);
    }
    return ["--stack", stack, ...kept];
}
