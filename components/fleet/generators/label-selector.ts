// Kubernetes label selectors as the ApplicationSet controller applies them:
//  - the clusters generator's `selector` over a cluster's labels (metav1.LabelSelectorAsSelector: keys
//    are qualified names, values valid label values);
//  - a generator's post-`selector` over its flattened parameters (applicationset/utils/selector.go:
//    the same rules, but any string is a value, so a selector can match server URLs).
// matchLabels and matchExpressions all have to match; an empty selector matches everything.
import type { SpecChecker } from "./spec-checker";

export interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** validation.IsQualifiedName: [prefix/]name, name at most 63 characters, prefix a DNS subdomain. */
export function qualifiedNameProblem(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (prefix !== undefined && (prefix === "" || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix) || key.split("/").length > 2)) {
        return "its prefix must be a DNS subdomain (lower case letters, digits, '-' and '.')";
    }
    if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
        return "a label key must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a prefix and '/'";
    }
    return undefined;
}

function labelValueProblem(value: string): string | undefined {
    return value.length <= 63 && LABEL_VALUE.test(value) ? undefined : "a label value must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/** Reads a selector as written (shape only: its strings may still be templates in a matrix). */
export function readLabelSelector(check: SpecChecker, raw: unknown, field: string): LabelSelector {
    const value = check.object(raw, field);
    check.fields(value, field, ["matchLabels", "matchExpressions"]);
    const selector: LabelSelector = {};
    if (value.matchLabels !== undefined) selector.matchLabels = check.stringMap(value.matchLabels, `${field}.matchLabels`);
    if (value.matchExpressions !== undefined) {
        selector.matchExpressions = check.list(value.matchExpressions, `${field}.matchExpressions`).map((raw, i) => {
            const where = `${field}.matchExpressions[${i}]`;
            const e = check.object(raw, where);
            check.fields(e, where, ["key", "operator", "values"]);
            return {
                key: check.string(e.key, `${where}.key`),
                operator: check.string(e.operator, `${where}.operator`) as LabelSelectorRequirement["operator"],
                ...(e.values !== undefined ? { values: check.stringList(e.values, `${where}.values`) } : {}),
            };
        });
    }
    return selector;
}

/** The selector as a matcher, after checking it as Kubernetes would; `strictValues` for label values. */
export function compileLabelSelector(check: SpecChecker, selector: LabelSelector, field: string, strictValues: boolean): LabelMatcher {
    const tests: LabelMatcher[] = [];
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        const where = `${field}.matchLabels["${key}"]`;
        const keyProblem = qualifiedNameProblem(key);
        if (keyProblem) check.fail(where, `invalid label key ${JSON.stringify(key)}: ${keyProblem}`);
        const valueProblem = strictValues ? labelValueProblem(value) : undefined;
        if (valueProblem) check.fail(where, `invalid label value ${JSON.stringify(value)}: ${valueProblem}`);
        tests.push((labels) => Object.hasOwn(labels, key) && labels[key] === value);
    }
    (selector.matchExpressions ?? []).forEach((e, i) => {
        const where = `${field}.matchExpressions[${i}]`;
        const keyProblem = qualifiedNameProblem(e.key);
        if (keyProblem) check.fail(`${where}.key`, `invalid label key ${JSON.stringify(e.key)}: ${keyProblem}`);
        if (!OPERATORS.includes(e.operator)) check.fail(`${where}.operator`, `${JSON.stringify(e.operator)} is not a label selector operator (expected one of ${OPERATORS.join(", ")})`);
        const values = e.values ?? [];
        const setBased = e.operator === "In" || e.operator === "NotIn";
        if (setBased && values.length === 0) check.fail(`${where}.values`, `operator ${e.operator} needs at least one value`);
        if (!setBased && values.length > 0) check.fail(`${where}.values`, `operator ${e.operator} takes no values`);
        if (strictValues) {
            values.forEach((v, j) => {
                const problem = labelValueProblem(v);
                if (problem) check.fail(`${where}.values[${j}]`, `invalid label value ${JSON.stringify(v)}: ${problem}`);
            });
        }
        const has = (labels: Readonly<Record<string, string>>) => Object.hasOwn(labels, e.key);
        if (e.operator === "In") tests.push((labels) => has(labels) && values.includes(labels[e.key]));
        else if (e.operator === "NotIn") tests.push((labels) => !has(labels) || !values.includes(labels[e.key]));
        else if (e.operator === "Exists") tests.push(has);
        else tests.push((labels) => !has(labels));
    });
    return (labels) => tests.every((t) => t(labels));
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
    return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** Whether any string of the selector is a template (then it is checked once interpolated). */
export function selectorIsTemplated(selector: LabelSelector): boolean {
    return JSON.stringify(selector).includes("{{");
}
