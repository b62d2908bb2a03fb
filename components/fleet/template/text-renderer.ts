// Renders texts against numbered parameter sets in either of Argo CD's modes, as Render.Replace
// does (argo-cd applicationset/utils/utils.go). For Go templates everything to render is known up
// front and sent to syncwave-gotemplate in one batch; lookups afterwards are synchronous.
import { executeGoTemplates, type GoTemplateItem, type GoTemplateResult } from "./go-template";
import { FastTemplateError, renderFastTemplate } from "./fast-template";

export type TextResult = { ok: true; text: string } | { ok: false; error: string };

export interface TextRenderer {
    render(text: string, paramSetIndex: number): TextResult;
}

export interface TextRequest {
    text: string;
    paramSetIndex: number;
}

export function fastTextRenderer(paramSets: Record<string, unknown>[]): TextRenderer {
    return {
        render(text, paramSetIndex) {
            try {
                return { ok: true, text: renderFastTemplate(text, paramSets[paramSetIndex]) };
            } catch (err) {
                if (err instanceof FastTemplateError) return { ok: false, error: err.message };
                throw err;
            }
        },
    };
}

/**
 * Renders every request with Go's text/template in one process, then answers from the results.
 * A text without "{{" is plain text to text/template and renders to itself, so it is not sent.
 * An unknown goTemplateOption makes every Replace in Argo CD fail, whatever the text: one probe item
 * finds that out even when nothing else needs Go.
 */
export async function goTextRenderer(
    requests: TextRequest[],
    paramSets: Record<string, unknown>[],
    goTemplateOptions: string[],
): Promise<TextRenderer> {
    const items: GoTemplateItem[] = [];
    const indexOf = new Map<number, Map<string, number>>();
    for (const { text, paramSetIndex } of requests) {
        if (!text.includes("{{")) continue;
        const forParamSet = indexOf.get(paramSetIndex) ?? new Map<string, number>();
        indexOf.set(paramSetIndex, forParamSet);
        if (forParamSet.has(text)) continue;
        forParamSet.set(text, items.length);
        items.push({ template: text, params: paramSets[paramSetIndex] });
    }
    const probeIndex = goTemplateOptions.length > 0 && requests.length > 0 ? items.push({ template: "", params: {} }) - 1 : -1;
    const results = await executeGoTemplates(items, goTemplateOptions);
    const optionsError = probeIndex >= 0 ? errorOf(results[probeIndex]) : undefined;
    return {
        render(text, paramSetIndex) {
            if (optionsError !== undefined) return { ok: false, error: optionsError };
            if (!text.includes("{{")) return { ok: true, text };
            const index = indexOf.get(paramSetIndex)?.get(text);
            if (index === undefined) throw new Error(`internal: the text ${JSON.stringify(text)} was not rendered for parameter set ${paramSetIndex}`);
            const result = results[index];
            return "text" in result ? { ok: true, text: result.text } : { ok: false, error: result.error };
        },
    };
}

function errorOf(result: GoTemplateResult): string | undefined {
    return "error" in result ? result.error : undefined;
}
