// How a rendered templatePatch is merged into the rendered Application. Argo CD uses a strategic
// merge patch on the Application type (applyTemplatePatch in argo-cd
// applicationset/controllers/template/patch.go). The Application type declares no list merge keys,
// so that strategic merge treats every list as a JSON merge patch (RFC 7386) does: replaced whole.
// Objects merge key by key and null deletes a key, in both. What is left of the difference:
//   - the strategic-merge directive "$patch" on an object is honoured here ("replace": the object
//     becomes the patch's; "delete": it is removed; "merge": the default). The other directives
//     ($retainKeys, $setElementOrder/..., $deleteFromPrimitiveList/...) only matter for lists with
//     merge keys or for retaining keys, and are refused rather than copied into the Application;
//   - Argo CD decodes the patched JSON into its typed Application, so an unknown field is dropped and
//     a value of the wrong type fails there; this untyped merge keeps what it is given.

export class TemplatePatchError extends Error {}

const UNSUPPORTED_DIRECTIVE = /^\$(retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/;

/** Returns target with patch merged in; undefined means the patch removed it ("$patch: delete"). */
export function mergePatch(target: unknown, patch: unknown, path = ""): unknown {
    if (!isObject(patch)) return patch;
    const directive = patch.$patch;
    if (directive === "delete") return undefined;
    if (directive === "replace") return withoutDirectives(patch, path);
    if (directive !== undefined && directive !== "merge") {
        throw new TemplatePatchError(`templatePatch at ${path || "the top"}: unknown $patch directive ${JSON.stringify(directive)}`);
    }
    const merged: Record<string, unknown> = isObject(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
        if (key === "$patch") continue;
        rejectUnsupported(key, path);
        const next = value === null ? undefined : mergePatch(merged[key], value, path ? `${path}.${key}` : key);
        if (next === undefined) delete merged[key];
        else Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
    return merged;
}

function withoutDirectives(patch: Record<string, unknown>, path: string): Record<string, unknown> {
    const replaced: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch)) {
        if (key === "$patch") continue;
        rejectUnsupported(key, path);
        Object.defineProperty(replaced, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return replaced;
}

function rejectUnsupported(key: string, path: string): void {
    if (UNSUPPORTED_DIRECTIVE.test(key)) {
        throw new TemplatePatchError(
            `templatePatch at ${path || "the top"}: the strategic-merge directive ${key} is not supported (the Application type has no list merge keys it could act on)`,
        );
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
