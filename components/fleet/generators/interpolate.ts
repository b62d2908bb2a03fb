// A matrix's second generator, interpolated with each parameter set of the first
// (generator_spec_processor.go InterpolateGenerator, utils.go RenderGeneratorParams): every string
// of the generator and every map key is rendered with that set, in the set's template mode. The
// `values` of a clusters or git generator are rendered with missingkey=error in goTemplate mode, and
// a value naming a key the set lacks stays as written, to be rendered later with the generator's own
// parameters (their keys are not rendered). A set without parameters leaves the generator as it is.
import type { GeneratorSpec } from "../applicationset-spec";
import { renderStrings, type TemplateOptions } from "../template/render";
import type { GenerationContext } from "./context";
import { isPlainObject, type Params } from "./go-values";

type Path = readonly (string | number)[];

/** Strings without "{{" render to themselves in both modes, so only the others are sent. */
const isTemplate = (s: string) => s.includes("{{");

/** `values` of clusters or git (not data that happens to be named so, inside list elements). */
function isGeneratorValues(path: Path): boolean {
    const n = path.length;
    return n >= 2 && path[n - 1] === "values" && (path[n - 2] === "clusters" || path[n - 2] === "git") && !path.includes("elements");
}

/** Go's text/template messages for a missing key (utils.go isMissingKeyError). */
function isMissingKeyError(message: string): boolean {
    return message.includes("map has no entry for key") || message.includes("can't evaluate field");
}

export async function interpolateGenerator(generator: GeneratorSpec, paramSets: Params[], ctx: GenerationContext, field: string): Promise<GeneratorSpec[]> {
    const plain = new Set<string>();
    const values = new Set<string>();
    collect(generator, [], false, plain, values);
    const templated = paramSets.map((params, i) => ({ params, i })).filter(({ params }) => Object.keys(params).length > 0);
    const valueOptions: TemplateOptions = ctx.template.goTemplate
        ? { goTemplate: true, goTemplateOptions: [...(ctx.template.goTemplateOptions ?? []).filter((o) => !o.startsWith("missingkey=")), "missingkey=error"] }
        : ctx.template;
    const [plainResults, valueResults] = await Promise.all([
        renderAll([...plain], templated.map((t) => t.params), ctx.template),
        renderAll([...values], templated.map((t) => t.params), valueOptions),
    ]);
    const out: GeneratorSpec[] = paramSets.map(() => generator);
    templated.forEach(({ i }, j) => {
        const render = (s: string, asValue: boolean): string => {
            if (!isTemplate(s)) return s;
            const result = (asValue ? valueResults : plainResults)[j].get(s)!;
            if (result.ok) return result.text;
            if (asValue && ctx.template.goTemplate && isMissingKeyError(result.error)) return s;
            return ctx.check.fail(field, `failed to replace parameters in generator with parameters ${JSON.stringify(paramSets[i])}: ${result.error}`);
        };
        out[i] = rebuild(generator, [], false, render) as GeneratorSpec;
    });
    return out;
}

type Rendered = { ok: true; text: string } | { ok: false; error: string };

async function renderAll(strings: string[], paramSets: Params[], options: TemplateOptions): Promise<Map<string, Rendered>[]> {
    if (strings.length === 0 || paramSets.length === 0) return paramSets.map(() => new Map());
    const items = paramSets.flatMap((params) => strings.map((template) => ({ template, params })));
    const results = await renderStrings(items, options);
    return paramSets.map((_, i) => new Map(strings.map((s, j) => [s, results[i * strings.length + j]])));
}

function collect(node: unknown, path: Path, inValues: boolean, plain: Set<string>, values: Set<string>): void {
    if (typeof node === "string") {
        if (isTemplate(node)) (inValues ? values : plain).add(node);
    } else if (Array.isArray(node)) {
        node.forEach((child, i) => collect(child, [...path, i], inValues, plain, values));
    } else if (isPlainObject(node)) {
        const valuesMap = isGeneratorValues(path);
        for (const [key, child] of Object.entries(node)) {
            if (!valuesMap && isTemplate(key)) plain.add(key);
            collect(child, [...path, key], valuesMap || inValues, plain, values);
        }
    }
}

function rebuild(node: unknown, path: Path, inValues: boolean, render: (s: string, asValue: boolean) => string): unknown {
    if (typeof node === "string") return render(node, inValues);
    if (Array.isArray(node)) return node.map((child, i) => rebuild(child, [...path, i], inValues, render));
    if (isPlainObject(node)) {
        const valuesMap = isGeneratorValues(path);
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(node)) {
            out[valuesMap ? key : render(key, false)] = rebuild(child, [...path, key], valuesMap || inValues, render);
        }
        return out;
    }
    return node;
}
