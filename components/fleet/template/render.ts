// Renders an ApplicationSet's Application template once per parameter set, with Argo CD's semantics
// (argo-cd applicationset/controllers/template/template.go GenerateApplications, and
// applicationset/utils/utils.go RenderTemplateParams / Replace):
//   - every string of the template, map keys included, is rendered on its own (string-fields.ts);
//   - goTemplate: Go's text/template with sprig and Argo CD's functions and goTemplateOptions, run by
//     syncwave-gotemplate (go-template.ts); otherwise fasttemplate's "{{param}}" (fast-template.ts);
//   - an empty parameter set leaves the template as it is (RenderTemplateParams returns it unrendered);
//   - a templatePatch is rendered as one text with the same parameters and mode, then merged in
//     (template-patch.ts). Argo CD's documentation says templatePatch needs goTemplate, but its code
//     renders the patch in whichever mode the set uses, and so does this.
// Not done here, because they need the ApplicationSet itself: the resources finalizer that
// RenderTemplateParams adds unless syncPolicy.preserveResourcesOnDeletion, and setting the
// Application's namespace to the ApplicationSet's (GenerateApplications does both).
import { describeField, forEachStringField, mapStringFields } from "./string-fields";
import { applyTemplatePatch, TemplatePatchError } from "./template-patch";
import { fastTextRenderer, goTextRenderer, type TextRenderer, type TextRequest, type TextResult } from "./text-renderer";

export interface TemplateOptions {
    goTemplate: boolean;
    goTemplateOptions?: string[];
}

export type ApplicationRenderResult = { ok: true; application: Record<string, unknown> } | { ok: false; error: string };
export type StringRenderResult = { ok: true; text: string } | { ok: false; error: string };

/** Renders an Application template once per parameter set, as Argo CD does (batch: one Go process per call). */
export async function renderApplicationTemplates(
    template: Record<string, unknown>,
    paramSets: Record<string, unknown>[],
    options: TemplateOptions & { templatePatch?: string },
): Promise<ApplicationRenderResult[]> {
    const requests: TextRequest[] = [];
    if (options.goTemplate) {
        const texts = new Set<string>();
        forEachStringField(template, (text) => texts.add(text));
        paramSets.forEach((params, paramSetIndex) => {
            if (isEmpty(params)) return;
            for (const text of texts) requests.push({ text, paramSetIndex });
        });
        if (options.templatePatch !== undefined) {
            paramSets.forEach((_, paramSetIndex) => requests.push({ text: options.templatePatch!, paramSetIndex }));
        }
    }
    const renderer = await textRenderer(requests, paramSets, options);
    return paramSets.map((params, paramSetIndex) => renderApplication(template, params, paramSetIndex, renderer, options.templatePatch));
}

/** Renders arbitrary strings with params (used to interpolate a matrix's second generator with the first's params). */
export async function renderStrings(
    items: { template: string; params: Record<string, unknown> }[],
    options: TemplateOptions,
): Promise<StringRenderResult[]> {
    const paramSets = items.map((item) => item.params);
    const requests = options.goTemplate ? items.map((item, paramSetIndex) => ({ text: item.template, paramSetIndex })) : [];
    const renderer = await textRenderer(requests, paramSets, options);
    return items.map((item, paramSetIndex) => renderer.render(item.template, paramSetIndex));
}

function textRenderer(requests: TextRequest[], paramSets: Record<string, unknown>[], options: TemplateOptions): Promise<TextRenderer> | TextRenderer {
    return options.goTemplate ? goTextRenderer(requests, paramSets, options.goTemplateOptions ?? []) : fastTextRenderer(paramSets);
}

class FieldRenderError extends Error {}

function renderApplication(
    template: Record<string, unknown>,
    params: Record<string, unknown>,
    paramSetIndex: number,
    renderer: TextRenderer,
    templatePatch: string | undefined,
): ApplicationRenderResult {
    let application: Record<string, unknown>;
    try {
        application = isEmpty(params)
            ? structuredClone(template)
            : (mapStringFields(template, (text, field) => {
                  const result = renderer.render(text, paramSetIndex);
                  if (!result.ok) throw new FieldRenderError(`${describeField(field)}: ${result.error}`);
                  return result.text;
              }) as Record<string, unknown>);
    } catch (err) {
        if (err instanceof FieldRenderError) return { ok: false, error: err.message };
        throw err;
    }
    if (templatePatch === undefined) return { ok: true, application };
    return patched(application, renderer.render(templatePatch, paramSetIndex));
}

function patched(application: Record<string, unknown>, renderedPatch: TextResult): ApplicationRenderResult {
    if (!renderedPatch.ok) return { ok: false, error: `error replacing values in templatePatch: ${renderedPatch.error}` };
    try {
        return { ok: true, application: applyTemplatePatch(application, renderedPatch.text) };
    } catch (err) {
        if (err instanceof TemplatePatchError) return { ok: false, error: err.message };
        throw err;
    }
}

function isEmpty(params: Record<string, unknown>): boolean {
    return Object.keys(params).length === 0;
}
