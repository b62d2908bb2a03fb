// YAML as the ApplicationSet controller reads a git file or `elementsYaml` (sigs.k8s.io/yaml over
// go-yaml v2, then encoding/json): the first document only, YAML 1.1 scalars (yes/no/on/off are
// booleans, 0777 is octal), timestamps and 1:20 stay strings, `<<` merge keys apply, and every number
// is a float64 (JSON has no integers), so values that JSON cannot hold (.inf, .nan) are errors.
import { parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";
import { isPlainObject } from "./go-values";

const GO_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
    version: "1.1",
    merge: true,
    // go-yaml v2 decodes neither timestamps nor sexagesimal numbers into an interface{}.
    customTags: (tags) => tags.filter((t) => typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && (t as { format?: string }).format !== "TIME")),
};

export function parseGoYaml(text: string): unknown {
    const [first] = parseAllDocuments(text, GO_YAML_OPTIONS);
    if (!first) return null;
    if (first.errors.length > 0) throw new Error(first.errors[0].message.split("\n")[0]);
    const value: unknown = first.toJS({ maxAliasCount: 1000 });
    assertJsonNumbers(value);
    return value ?? null;
}

function assertJsonNumbers(value: unknown): void {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`json: unsupported value: ${value}`);
    if (Array.isArray(value)) value.forEach(assertJsonNumbers);
    else if (isPlainObject(value)) Object.values(value).forEach(assertJsonNumbers);
}

/**
 * A file of the git files generator: one object, or a list of objects (git.go,
 * generateParamsFromGitFile: an empty file or `null` is one empty object).
 */
export function parseParameterFile(text: string): Record<string, unknown>[] {
    const value = parseGoYaml(text);
    if (value === null) return [{}];
    if (isPlainObject(value)) return [value];
    if (Array.isArray(value)) {
        return value.map((item, i) => {
            if (item === null) return {};
            if (!isPlainObject(item)) throw new Error(`item ${i} of the list is not an object`);
            return item;
        });
    }
    throw new Error("the file is neither an object nor a list of objects");
}
