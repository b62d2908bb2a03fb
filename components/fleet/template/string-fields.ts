// Walks a template the way Argo CD's deeplyReplace does (argo-cd applicationset/utils/utils.go): every
// string is rendered on its own, map keys too (after their value), and nothing else is touched.
// Argo CD walks the typed Application, where struct field names are not rendered; in this untyped
// copy every object key is offered to the renderer, which changes nothing because a field name
// never holds "{{" (and text without "{{" renders to itself in both template modes).
//
// Like deeplyReplace, a map entry whose value is nil (null here) is dropped. In Argo CD that holds
// for maps (labels, annotations, helm valuesObject...) while nil struct fields are then omitted
// when the Application is written, so dropping every null object entry gives the same Application.
// Nulls inside lists stay.

export interface StringField {
    /** Where the string is, e.g. `spec.source.path` or `metadata.labels["app.kubernetes.io/name"]`. */
    path: string;
    /** The string is an object key (rendered as Argo CD renders map keys), not a value. */
    isKey: boolean;
}

export type RenderString = (text: string, field: StringField) => string;

export function mapStringFields(value: unknown, render: RenderString, path = ""): unknown {
    if (typeof value === "string") return render(value, { path, isKey: false });
    if (Array.isArray(value)) return value.map((item, index) => mapStringFields(item, render, `${path}[${index}]`));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) {
            if (item === null || item === undefined) continue;
            const itemPath = childPath(path, key);
            const renderedItem = mapStringFields(item, render, itemPath);
            const renderedKey = render(key, { path: itemPath, isKey: true });
            // defineProperty, so a key such as "__proto__" stays a plain key.
            Object.defineProperty(out, renderedKey, { value: renderedItem, enumerable: true, writable: true, configurable: true });
        }
        return out;
    }
    return value;
}

/** Calls visit on every string mapStringFields would offer to its renderer. */
export function forEachStringField(value: unknown, visit: (text: string, field: StringField) => void): void {
    mapStringFields(value, (text, field) => {
        visit(text, field);
        return text;
    });
}

export function describeField(field: StringField): string {
    const where = field.path || "the template";
    return field.isKey ? `the key of ${where}` : where;
}

function childPath(path: string, key: string): string {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
}
