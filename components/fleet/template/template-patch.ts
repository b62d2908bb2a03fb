// Applies a rendered templatePatch to a rendered Application, as applyTemplatePatch does in argo-cd
// applicationset/controllers/template/patch.go: the text is JSON when it starts with "{" (after white
// space) and YAML otherwise (sigs.k8s.io/yaml, so YAML 1.1: yes/no/on/off are booleans), an empty
// text is the YAML null and changes nothing, and the patch can never change spec.project (Argo CD
// sets it back, so a patch cannot move an Application into another project). Error messages are
// Argo CD's.
import { parseAllDocuments } from "yaml";
import { goQuote } from "./go-quote";
import { mergePatch, TemplatePatchError } from "./merge-patch";

export { TemplatePatchError };

export function applyTemplatePatch(application: Record<string, unknown>, renderedPatch: string): Record<string, unknown> {
    const json = isJsonText(renderedPatch) ? renderedPatch : yamlToJson(renderedPatch);
    const patch = parsePatch(json);
    // A null patch (an empty text is YAML's null) merges as nothing, as in the strategic merge.
    if (patch === null) return application;
    const patched = (mergePatch(application, patch) ?? {}) as Record<string, unknown>;
    return withProjectOf(application, patched);
}

/** utils.IsJSONStr: Argo CD takes a text for JSON exactly when its first non-space character is "{". */
function isJsonText(text: string): boolean {
    return text.trim().startsWith("{");
}

function yamlToJson(text: string): string {
    try {
        const [first] = parseAllDocuments(text, {
            version: "1.1",
            // go-yaml v2 leaves timestamps as strings when decoding into interface{}: so do we.
            customTags: (tags) => tags.filter((tag) => typeof tag === "string" || tag.tag !== "tag:yaml.org,2002:timestamp"),
        });
        if (first === undefined) return "null";
        if (first.errors.length > 0) throw first.errors[0];
        return JSON.stringify(first.toJS({ maxAliasCount: -1 }) ?? null);
    } catch (err) {
        throw new TemplatePatchError(`error while converting template to json ${goQuote(text)}: ${(err as Error).message}`);
    }
}

function parsePatch(json: string): Record<string, unknown> | null {
    let patch: unknown;
    try {
        patch = JSON.parse(json);
    } catch (err) {
        throw new TemplatePatchError(`invalid templatePatch ${goQuote(json)}: ${(err as Error).message}`);
    }
    if (patch !== null && (typeof patch !== "object" || Array.isArray(patch))) {
        const kind = Array.isArray(patch) ? "array" : typeof patch;
        throw new TemplatePatchError(`invalid templatePatch ${goQuote(json)}: json: cannot unmarshal ${kind} into Go value of type v1alpha1.Application`);
    }
    return patch as Record<string, unknown> | null;
}

function withProjectOf(original: Record<string, unknown>, patched: Record<string, unknown>): Record<string, unknown> {
    const project = (original.spec as Record<string, unknown> | undefined)?.project;
    const spec = { ...((patched.spec as Record<string, unknown> | undefined) ?? {}) };
    if (project === undefined) delete spec.project;
    else spec.project = project;
    if (patched.spec === undefined && project === undefined) return patched;
    return { ...patched, spec };
}
