// The arguments of one stack's child: the parent's own, with each stack-selection option (--stack,
// --stacks, --parallel, in any of their forms) replaced where it stood by `--stack <the child's stack>`,
// so the child is an ordinary single-stack run that parses exactly as the parent did.
//
// Replaced in place rather than removed: an option ends the value list of a variadic option before it
// (--policy-pack a b --stack x sync), and without it the child would take the command for one more
// value. The same --stack repeated is one stack to the CLI.

/** Root options that select stacks; each takes one value, in the next argument. */
const SELECTION_OPTIONS = new Set(["-s", "--stack", "--stacks", "--parallel"]);

/** The stack-selection option with its value attached: --stack=a, --stacks=glob, --parallel=2, -sa. */
function isAttachedSelection(arg: string): boolean {
    const equals = arg.indexOf("=");
    if (arg.startsWith("--") && equals > 0) return SELECTION_OPTIONS.has(arg.slice(0, equals));
    return /^-s[^-]/.test(arg);
}

export function childArguments(parentArguments: readonly string[], stack: string): string[] {
    const child: string[] = [];
    let replaced = false;
    for (let i = 0; i < parentArguments.length; i++) {
        const arg = parentArguments[i];
        // After "--" everything is an operand, never an option.
        if (arg === "--") {
            child.push(...parentArguments.slice(i));
            break;
        }
        const separateValue = SELECTION_OPTIONS.has(arg);
        if (separateValue || isAttachedSelection(arg)) {
            if (separateValue) i++; // and its value
            child.push("--stack", stack);
            replaced = true;
            continue;
        }
        child.push(arg);
    }
    // Only several stacks start children, and they are always selected by an option; kept for safety.
    return replaced ? child : ["--stack", stack, ...child];
}
