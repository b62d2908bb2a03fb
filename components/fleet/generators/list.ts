// The list generator (applicationset/generators/list.go): one parameter set per element.
//  - goTemplate: the element as it is, nested values and all;
//  - otherwise every value must be a string, and `values: {k: v}` becomes `values.k`;
//  - `elementsYaml` (a YAML list of objects, typically a template in a matrix) is appended after
//    `elements` as parsed, in both modes (Argo CD does not flatten it).
import type { ListGeneratorSpec } from "../applicationset-spec";
import type { GenerationContext } from "./context";
import { parseGoYaml } from "./go-yaml";
import { cloneJson, isPlainObject, type Params } from "./go-values";
import { checkFlatElement } from "./validate";

export async function listParams(list: ListGeneratorSpec, ctx: GenerationContext, field: string): Promise<Params[]> {
    const sets: Params[] = (list.elements ?? []).map((element, i) => {
        if (ctx.template.goTemplate) return cloneJson(element);
        checkFlatElement(ctx.check, element, `${field}.elements[${i}]`);
        const params: Params = {};
        for (const [key, value] of Object.entries(element)) {
            if (key === "values") for (const [k, v] of Object.entries(value as Record<string, string>)) params[`values.${k}`] = v;
            else params[key] = value;
        }
        return params;
    });
    if (list.elementsYaml !== undefined && list.elementsYaml !== "") sets.push(...elementsFromYaml(list.elementsYaml, ctx, `${field}.elementsYaml`));
    return sets;
}

function elementsFromYaml(text: string, ctx: GenerationContext, field: string): Params[] {
    let parsed: unknown;
    try {
        parsed = parseGoYaml(text);
    } catch (err) {
        return ctx.check.fail(field, `error unmarshalling elementsYaml: ${(err as Error).message}`);
    }
    if (parsed === null) return [];
    if (!Array.isArray(parsed)) return ctx.check.fail(field, "must be a YAML list of objects");
    return parsed.map((item, i) => {
        if (item === null) return {};
        if (!isPlainObject(item)) return ctx.check.fail(field, `item ${i} is not an object`);
        return item;
    });
}
