// The merge generator (applicationset/generators/merge.go): the first generator's parameter sets are
// the base; a set of a later generator with the same values for every mergeKey overrides the base
// set's parameters (goTemplate: mergo.WithOverride, nested maps merged; flat: key by key). Sets that
// match no base set are dropped; two sets of one generator with the same merge key are an error.
// A merge key is looked up as a top-level parameter name ("server", "values.selector" in flat mode).
import type { MergeGeneratorSpec } from "../applicationset-spec";
import type { GenerationContext } from "./context";
import { cloneJson, isPlainObject, type Params } from "./go-values";
import { childParams } from "./run";
import { mergeOverride } from "./template-merge";

export async function mergeParams(merge: MergeGeneratorSpec, ctx: GenerationContext, field: string): Promise<Params[]> {
    const keys = [...new Set(merge.mergeKeys)].sort();
    const bySet: Map<string, Params>[] = [];
    for (const [i, child] of merge.generators.entries()) {
        const sets = await childParams(child, ctx, `${field}.generators[${i}]`);
        bySet.push(byMergeKey(sets, keys, ctx, `${field}.generators[${i}]`));
    }
    const [base, ...others] = bySet;
    for (const other of others) {
        for (const [key, baseSet] of base) {
            const override = other.get(key);
            if (!override) continue;
            if (ctx.template.goTemplate) mergeOverride(baseSet, override);
            else Object.assign(baseSet, override);
        }
    }
    return [...base.values()];
}

function byMergeKey(sets: Params[], keys: string[], ctx: GenerationContext, field: string): Map<string, Params> {
    const out = new Map<string, Params>();
    for (const set of sets) {
        const key = canonicalJson(Object.fromEntries(keys.map((k) => [k, set[k] ?? null])));
        if (out.has(key)) ctx.check.fail(field, `generates two parameter sets with the same merge keys ${key}: a merge needs each generator's sets unique by mergeKeys`);
        out.set(key, cloneJson(set));
    }
    return out;
}

/** JSON with map keys sorted, as Go's encoding/json writes a map. */
function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (isPlainObject(value)) {
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value ?? null);
}
