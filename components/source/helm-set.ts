// Helm's `--set`, `--set-string` and `--set-file` syntax, ported from helm.sh/helm/v3 pkg/strvals/parser.go
// (the version the Kubernetes provider links): dotted names (`a.b.c`), indexes (`a[0].b`), escapes
// (`a\.b`), lists (`{x,y}`) and Helm's typing of --set values (true/false/null, integers without a
// leading zero; everything else, floats included, stays a string). Argo CD passes each parameter as
// `--set name=value` with unescaped commas in the value escaped, unless the value is a `{...}` list
// (util/helm/cmd.go `cleanSetParameters`).

export type Values = Record<string, unknown>;

/** A malformed parameter, with Helm's message. */
export class HelmSetError extends Error {}

const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

class Scanner {
    private pos = 0;
    private readonly chars: string[];
    constructor(text: string) {
        this.chars = [...text];
    }
    read(): string | undefined {
        return this.pos < this.chars.length ? this.chars[this.pos++] : undefined;
    }
    unread(): void {
        this.pos--;
    }
}

/** Reads up to a stop character; a backslash takes the next character literally. `last` is undefined at the end. */
function runesUntil(sc: Scanner, stop: string): { text: string; last: string | undefined } {
    let text = "";
    for (;;) {
        const r = sc.read();
        if (r === undefined) return { text, last: undefined };
        if (stop.includes(r)) return { text, last: r };
        if (r === "\\") {
            const next = sc.read();
            if (next === undefined) return { text, last: undefined };
            text += next;
        } else {
            text += r;
        }
    }
}

/** Helm's typedVal: what a --set value becomes; --set-string keeps the text. */
export function typedValue(text: string, asString: boolean): unknown {
    if (asString) return text;
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (text === "0") return 0;
    // Go's strconv.ParseInt: an optional sign and decimal digits, within int64.
    if (text.length > 0 && text[0] !== "0" && /^[+-]?\d+$/.test(text)) {
        const n = BigInt(text);
        // Helm types it int64. The provider's values map carries numbers as float64, which Go's
        // templates print as 9.005365e+06 from a million on: such an integer goes as its text, which
        // prints as helm prints the int64 (an all-digit short commit SHA as an image tag, say).
        if (n >= -(2n ** 63n) && n < 2n ** 63n) return n >= 1_000_000n || n <= -1_000_000n ? text : Number(n);
    }
    return text;
}

type Reader = (text: string) => unknown;

const EOF = Symbol("eof");
type Eof = typeof EOF | undefined;
const NOT_LIST = Symbol("not a list");

class Parser {
    constructor(
        private readonly sc: Scanner,
        private readonly reader: Reader,
    ) {}

    parse(data: Values): void {
        while (this.key(data, 0) !== EOF) {
            // one key=value at a time
        }
    }

    /** One `key=value` (or nested key); EOF exactly where Helm's parser returns io.EOF. */
    private key(data: Values, level: number): Eof {
        const { text: k, last } = runesUntil(this.sc, "=[,.");
        if (last === undefined) {
            if (k.length === 0) return EOF;
            throw new HelmSetError(`key "${k}" has no value`);
        }
        if (last === "[") {
            const i = this.keyIndex();
            const existing = data[k];
            if (existing !== undefined && !Array.isArray(existing)) throw new HelmSetError(`unable to parse key: ${k} is not a list`);
            const [list, eof] = this.listItem(existing ?? [], i, level);
            set(data, k, list);
            return eof;
        }
        if (last === "=") {
            const vl = this.valList();
            if (vl === EOF) {
                set(data, k, "");
                return EOF;
            }
            set(data, k, vl === NOT_LIST ? this.reader(runesUntil(this.sc, ",").text) : vl);
            return undefined;
        }
        if (last === ",") {
            set(data, k, "");
            throw new HelmSetError(`key "${k}" has no value (cannot end with ,)`);
        }
        // last === "."
        if (level + 1 > MAX_NESTED_NAME_LEVEL) {
            throw new HelmSetError(`value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`);
        }
        const existing = data[k];
        if (existing !== undefined && !isMap(existing)) throw new HelmSetError(`unable to parse key: ${k} is not a map`);
        const inner: Values = existing ?? {};
        const e = this.key(inner, level + 1);
        if (e === undefined && Object.keys(inner).length === 0) throw new HelmSetError(`key map "${k}" has no value`);
        if (Object.keys(inner).length !== 0) set(data, k, inner);
        return e;
    }

    private keyIndex(): number {
        const { text, last } = runesUntil(this.sc, "]");
        if (last === undefined) throw new HelmSetError("error parsing index: EOF");
        if (!/^[+-]?\d+$/.test(text)) throw new HelmSetError(`error parsing index: strconv.Atoi: parsing "${text}": invalid syntax`);
        return Number.parseInt(text, 10);
    }

    /** Sets list[i] from what follows the index; on EOF the list is returned as it was, as Helm does. */
    private listItem(list: unknown[], i: number, level: number): [unknown[], Eof] {
        if (i < 0) throw new HelmSetError(`negative ${i} index not allowed`);
        const { text: k, last } = runesUntil(this.sc, "[.=");
        if (k.length > 0) throw new HelmSetError(`unexpected data at end of array index: "${k}"`);
        if (last === undefined) return [list, EOF];
        if (last === "=") {
            const vl = this.valList();
            if (vl === EOF) return [setIndex(list, i, ""), undefined];
            return [setIndex(list, i, vl === NOT_LIST ? this.reader(runesUntil(this.sc, ",").text) : vl), undefined];
        }
        if (last === "[") {
            const next = this.keyIndex();
            const existing = list.length > i ? list[i] : undefined;
            if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
                throw new HelmSetError(`unable to parse key: index ${i} is not a list`);
            }
            const [inner, eof] = this.listItem(Array.isArray(existing) ? existing : [], next, level);
            if (eof) return [list, eof];
            return [setIndex(list, i, inner), undefined];
        }
        // last === "."
        const existing = list.length > i ? list[i] : undefined;
        const inner: Values = isMap(existing) ? existing : {};
        const e = this.key(inner, level);
        if (e) return [list, e];
        return [setIndex(list, i, inner), undefined];
    }

    /** A `{a,b}` list, NOT_LIST when the value is not one, EOF when nothing follows `=`. */
    private valList(): unknown[] | typeof EOF | typeof NOT_LIST {
        const r = this.sc.read();
        if (r === undefined) return EOF;
        if (r !== "{") {
            this.sc.unread();
            return NOT_LIST;
        }
        const list: unknown[] = [];
        for (;;) {
            const { text, last } = runesUntil(this.sc, ",}");
            if (last === undefined) throw new HelmSetError("list must terminate with '}'");
            list.push(this.reader(text));
            if (last === "}") {
                const after = this.sc.read();
                if (after !== undefined && after !== ",") this.sc.unread();
                return list;
            }
        }
    }
}

function isMap(v: unknown): v is Values {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function set(data: Values, key: string, value: unknown): void {
    if (key.length === 0) return;
    data[key] = value;
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
    if (index < 0) throw new HelmSetError(`negative ${index} index not allowed`);
    if (index > MAX_INDEX) throw new HelmSetError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
    // Go grows the list with nils.
    while (list.length <= index) list.push(null);
    list[index] = value;
    return list;
}

/** Parses `text` in --set syntax into `dest` (changed in place), as `helm template --set text`. */
export function parseSetInto(text: string, dest: Values, options: { asString?: boolean } = {}): void {
    new Parser(new Scanner(text), (v) => typedValue(v, Boolean(options.asString))).parse(dest);
}

/** `--set-file name=path`: the value read is the file's content, as a string. */
export function parseSetFileInto(text: string, dest: Values, readFile: (path: string) => string): void {
    new Parser(new Scanner(text), readFile).parse(dest);
}

/** Argo CD's cleanSetParameters: commas in a value are escaped unless it is a `{...}` list. */
export function escapeSetValue(value: string): string {
    if (value.startsWith("{") && value.endsWith("}")) return value;
    let out = "";
    let previous = "";
    for (const c of value) {
        out += c === "," && previous !== "\\" ? "\\," : c;
        previous = c;
    }
    return out;
}
