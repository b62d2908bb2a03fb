// How Argo CD's generators turn values into parameters, in Go's terms: parameters read from JSON or
// YAML hold float64 numbers, flat parameters are `fmt.Sprintf("%v", v)` of them, nested maps are
// flattened with dots (github.com/jeremywohl/flatten, DotStyle), names are normalized by
// applicationset/utils/template_functions.go SanitizeName, and paths are split with Go's `path`.

export type Params = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy of JSON-like data, so generated parameter sets never share nested maps. */
export function cloneJson<T>(value: T): T {
    if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T;
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)])) as T;
    return value;
}

/**
 * Go's `%v` of a float64 (strconv 'g' with the shortest precision): exponent form when the decimal
 * exponent is below -4 or at least 6, so 1000000 reads "1e+06" exactly as Argo CD renders it.
 */
export function formatGoFloat(n: number): string {
    if (Number.isNaN(n)) return "NaN";
    if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
    if (n === 0) return Object.is(n, -0) ? "-0" : "0";
    const [mantissa, exponentText] = n.toExponential().split("e");
    const exponent = Number(exponentText);
    if (exponent < -4 || exponent >= 6) {
        const digits = String(Math.abs(exponent)).padStart(2, "0");
        return `${mantissa}e${exponent < 0 ? "-" : "+"}${digits}`;
    }
    return String(n);
}

/** Go's `fmt.Sprintf("%v", v)` of a value decoded from JSON (maps print with sorted keys, as Go does). */
export function formatGoValue(value: unknown): string {
    if (value === null || value === undefined) return "<nil>";
    if (typeof value === "string") return value;
    if (typeof value === "number") return formatGoFloat(value);
    if (typeof value === "boolean") return value ? "true" : "false";
    if (Array.isArray(value)) return `[${value.map(formatGoValue).join(" ")}]`;
    if (isPlainObject(value)) {
        const keys = Object.keys(value).sort();
        return `map[${keys.map((k) => `${k}:${formatGoValue(value[k])}`).join(" ")}]`;
    }
    return String(value);
}

/**
 * flatten.Flatten(v, "", DotStyle): nested maps and lists become dotted keys ("a.b", "list.0"); empty
 * maps and lists leave no key. Leaves are returned as they are.
 */
export function flattenDotted(value: Record<string, unknown>, isLeafList: (list: unknown[], key: string, parent: object) => boolean = () => false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const walk = (node: unknown, prefix: string) => {
        const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node as Record<string, unknown>);
        for (const [key, child] of entries) {
            const dotted = prefix === "" ? key : `${prefix}.${key}`;
            if (isPlainObject(child) || (Array.isArray(child) && !isLeafList(child, key, node as object))) walk(child, dotted);
            else out[dotted] = child;
        }
    };
    walk(value, "");
    return out;
}

/** Every value as Go's `%v` of it (utils.ConvertToMapStringString). */
export function toStringMap(params: Params): Record<string, string> {
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, formatGoValue(v)]));
}

const INVALID_DNS_NAME_CHARS = /[^-a-z0-9.]/gu;
const MAX_DNS_NAME_LENGTH = 253;

/** SanitizeName: lower case, anything but [-a-z0-9.] becomes "-", at most 253, no leading/trailing "-" or ".". */
export function sanitizeName(name: string): string {
    let result = name.toLowerCase().replace(INVALID_DNS_NAME_CHARS, "-");
    if (result.length > MAX_DNS_NAME_LENGTH) result = result.slice(0, MAX_DNS_NAME_LENGTH);
    return result.replace(/^[-.]+|[-.]+$/g, "");
}

/** Go's path.Base: the last element, trailing slashes removed; "." for an empty path, "/" for slashes only. */
export function goBase(path: string): string {
    if (path === "") return ".";
    const trimmed = path.replace(/\/+$/, "");
    if (trimmed === "") return "/";
    return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Go's path.Dir for the clean relative paths git lists: everything before the last slash, or ".". */
export function goDir(path: string): string {
    const slash = path.lastIndexOf("/");
    if (slash < 0) return ".";
    const dir = path.slice(0, slash).replace(/\/+$/, "");
    return dir === "" ? "/" : dir;
}
