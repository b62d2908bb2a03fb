// Argo CD's default (non-Go) template mode: valyala/fasttemplate with "{{" and "}}", as Render.Replace
// in argo-cd applicationset/utils/utils.go drives it. Pure TypeScript: the rules are few and exact.
//   - A text is rendered only when some line of it holds "{{" followed by "}}" (isTemplatedRegex,
//     ".*{{.*}}.*", whose "." does not cross a newline); any other text comes back untouched.
//   - A tag is whatever lies between a "{{" and the next "}}". A "{{" with no "}}" after it fails the
//     whole text (fasttemplate.NewTemplate: "Cannot find end tag").
//   - The tag, trimmed of white space as Go's strings.TrimSpace trims, names a parameter. Only a
//     string parameter replaces it; an empty, unknown or non-string one leaves "{{tag}}" as written.
//   - Replacement values are not rendered again.
import { goQuote } from "./go-quote";

const START = "{{";
const END = "}}";

/** isTemplatedRegex's test, with "." spelled as Go's RE2 reads it (anything but "\n"). */
const HAS_TAG_ON_ONE_LINE = /\{\{[^\n]*\}\}/;

// unicode.IsSpace: unlike String.prototype.trim, it includes U+0085 and excludes U+FEFF.
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

export class FastTemplateError extends Error {}

/** Renders one text; throws FastTemplateError (Argo CD's "invalid template: ..." message) on an unclosed tag. */
export function renderFastTemplate(text: string, params: Record<string, unknown>): string {
    if (!HAS_TAG_ON_ONE_LINE.test(text)) return text;
    let out = "";
    let rest = text;
    for (;;) {
        const start = rest.indexOf(START);
        if (start < 0) return out + rest;
        out += rest.slice(0, start);
        rest = rest.slice(start + START.length);
        const end = rest.indexOf(END);
        if (end < 0) {
            throw new FastTemplateError(
                `invalid template: Cannot find end tag=${goQuote(END)} in the template=${goQuote(text)} starting from ${goQuote(rest)}`,
            );
        }
        const tag = rest.slice(0, end);
        out += replacementFor(tag, params);
        rest = rest.slice(end + END.length);
    }
}

function replacementFor(tag: string, params: Record<string, unknown>): string {
    const name = tag.replace(GO_TRIM, "");
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    return name !== "" && typeof value === "string" ? value : `${START}${tag}${END}`;
}
