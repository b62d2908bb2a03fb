// A parsed YAML or JSON map (not null, not a list): the one check every reader of loose input makes
// before it looks at keys.
export function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
