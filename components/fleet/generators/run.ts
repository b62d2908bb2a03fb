// Running one generator entry as generator_spec_processor.go Transform does: the generator's
// parameter sets, then its post-`selector` over each set flattened ("path.basename",
// "metadata.labels.env", ...; values as Go prints them).
import { GENERATOR_KINDS, type GeneratorKind, type GeneratorSpec } from "../applicationset-spec";
import { clusterParams } from "./clusters";
import type { GenerationContext } from "./context";
import { gitParams } from "./git";
import { flattenDotted, isPlainObject, toStringMap, type Params } from "./go-values";
import { compileLabelSelector } from "./label-selector";
import { listParams } from "./list";
import { matrixParams } from "./matrix";
import { mergeParams } from "./merge";

/** The kinds an entry names, in Argo CD's field order. */
export function kindsOf(generator: GeneratorSpec): GeneratorKind[] {
    return GENERATOR_KINDS.filter((k) => generator[k] !== undefined);
}

/**
 * The parameter sets of one kind of an entry. `nestedLevel` is how deep a matrix or merge of this
 * entry sits: 0 at the top, 1 inside a top-level matrix or merge (its children are terminal).
 */
export async function generatorParams(generator: GeneratorSpec, kind: GeneratorKind, ctx: GenerationContext, field: string, nestedLevel: 0 | 1): Promise<Params[]> {
    const where = `${field}.${kind}`;
    let sets: Params[];
    if (kind === "list") sets = await listParams(generator.list!, ctx, where);
    else if (kind === "clusters") sets = await clusterParams(generator.clusters!, ctx, where);
    else if (kind === "git") sets = await gitParams(generator.git!, ctx, where);
    else if (kind === "matrix") sets = await matrixParams(generator.matrix!, ctx, where, nestedLevel === 1);
    else sets = await mergeParams(generator.merge!, ctx, where);
    if (!generator.selector) return sets;
    const matches = compileLabelSelector(ctx.check, generator.selector, `${field}.selector`, false);
    return sets.filter((params) => matches(selectorLabels(params)));
}

/**
 * A parameter set as the post-selector sees it (flattenParameters). flatten descends only into what
 * came from JSON; the lists Argo CD's generators build as Go slices stay one value printed by `%v`:
 * git's `path.segments` ([]string, "[apps guestbook]") and clusters' flatList `clusters`.
 */
function selectorLabels(params: Params): Record<string, string> {
    const isGoSlice = (list: unknown[], key: string, parent: object) =>
        (key === "segments" && "basenameNormalized" in parent && list.every((s) => typeof s === "string")) || (parent === params && key === "clusters" && list.every((c) => isPlainObject(c) && "nameNormalized" in c));
    return toStringMap(flattenDotted(params, isGoSlice));
}

/** A child of matrix or merge: exactly one generator (checked when the spec was read). */
export function childParams(child: GeneratorSpec, ctx: GenerationContext, field: string): Promise<Params[]> {
    return generatorParams(child, kindsOf(child)[0], ctx, field, 1);
}
