// A generator's `values` (clusters, git): each value is a template rendered with that parameter set
// alone, then added as `values.<key>` (flat) or under `values` (goTemplate). Values do not see each
// other: "{{values.a}}" in another value stays as written (value_interpolation.go,
// appendTemplatedValues, which guards against a billion-laughs expansion that way).
import { renderStrings } from "../template/render";
import type { GenerationContext } from "./context";
import type { Params } from "./go-values";

export async function appendValues(paramSets: Params[], values: Record<string, string> | undefined, ctx: GenerationContext, field: string): Promise<void> {
    const entries = Object.entries(values ?? {});
    if (entries.length === 0 || paramSets.length === 0) return;
    const items = paramSets.flatMap((params) => entries.map(([, template]) => ({ template, params })));
    const results = await renderStrings(items, ctx.template);
    paramSets.forEach((params, i) => {
        const rendered: Record<string, string> = {};
        entries.forEach(([key], j) => {
            const result = results[i * entries.length + j];
            if (!result.ok) ctx.check.fail(`${field}.values.${key}`, `failed to replace templated string: ${result.error}`);
            rendered[key] = result.text;
        });
        if (ctx.template.goTemplate) params.values = rendered;
        else for (const [key, text] of Object.entries(rendered)) params[`values.${key}`] = text;
    });
}
