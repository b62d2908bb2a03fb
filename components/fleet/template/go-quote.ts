// Go's %q (strconv.Quote) for the messages SyncWave repeats from Argo CD, so they read as Argo CD's do.
// Exact for ASCII; beyond it, what counts as printable follows JavaScript's Unicode tables, which may
// be a version apart from Go's.

const ESCAPES: Record<string, string> = {
    "\x07": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

export function goQuote(text: string): string {
    let quoted = '"';
    for (const char of text) {
        const code = char.codePointAt(0)!;
        if (ESCAPES[char] !== undefined) quoted += ESCAPES[char];
        else if (PRINTABLE.test(char)) quoted += char;
        else if (code < 0x80) quoted += `\\x${hex(code, 2)}`;
        else if (code <= 0xffff) quoted += `\\u${hex(code, 4)}`;
        else quoted += `\\U${hex(code, 8)}`;
    }
    return quoted + '"';
}

function hex(code: number, width: number): string {
    return code.toString(16).padStart(width, "0");
}
