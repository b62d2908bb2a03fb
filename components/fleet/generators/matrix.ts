// The matrix generator (applicationset/generators/matrix.go): for each parameter set a of the first
// generator, the second generator interpolated with a (./interpolate.ts) generates sets b, and each
// pair becomes one set:
//  - goTemplate: b, then a over it (mergo.WithOverride: a wins, nested maps merged key by key);
//  - flat: the union, both as strings; a key in both with different values is an error
//    (utils/map.go CombineStringMaps).
import type { MatrixGeneratorSpec } from "../applicationset-spec";
import type { GenerationContext } from "./context";
import { cloneJson, toStringMap, type Params } from "./go-values";
import { interpolateGenerator } from "./interpolate";
import { childParams } from "./run";
import { mergeOverride } from "./template-merge";
import { readChildGenerator } from "./validate";

export async function matrixParams(matrix: MatrixGeneratorSpec, ctx: GenerationContext, field: string, childrenAreTerminal: boolean): Promise<Params[]> {
    const [first, second] = matrix.generators;
    const secondField = `${field}.generators[1]`;
    const firstSets = await childParams(first, ctx, `${field}.generators[0]`);
    const interpolated = await interpolateGenerator(second, firstSets, ctx, secondField);
    const out: Params[] = [];
    for (const [i, a] of firstSets.entries()) {
        // Read again once interpolated: a rendered path or selector is checked like a written one. The
        // post-selector is Argo CD's as written, never interpolated.
        const child = readChildGenerator(ctx.check, interpolated[i], secondField, { goTemplate: ctx.template.goTemplate }, childrenAreTerminal);
        if (second.selector) child.selector = second.selector;
        for (const b of await childParams(child, ctx, secondField)) out.push(combine(a, b, ctx, field));
    }
    return out;
}

function combine(a: Params, b: Params, ctx: GenerationContext, field: string): Params {
    if (ctx.template.goTemplate) return mergeOverride(mergeOverride({}, cloneJson(b)), a);
    const first = toStringMap(a);
    const combined: Params = { ...first };
    for (const [key, value] of Object.entries(toStringMap(b))) {
        if (Object.hasOwn(first, key) && first[key] !== value) {
            ctx.check.fail(field, `both generators set parameter ${JSON.stringify(key)}, to ${JSON.stringify(first[key])} and ${JSON.stringify(value)}: a matrix needs them equal`);
        }
        combined[key] = value;
    }
    return combined;
}
