// Whether an edit changed anything. The edits replace whole nodes, so a file that already held the new
// versions comes back with its quoting or key order changed: comparing text would then commit a
// change of layout only. The data decides instead.
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";

/** Whether `after` holds the same data as `before`; a file that does not exist yet always changes. */
export function sameYamlData(before: string | undefined, after: string): boolean {
    if (before === undefined) return false;
    return isDeepStrictEqual(parse(before), parse(after));
}
