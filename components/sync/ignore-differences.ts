// Argo CD's ignoreDifferences: the matching of rules to resources, the paths a rule ignores in an
// object (jsonPointers and jqPathExpressions, as path segments), and those paths as Pulumi ignoreChanges
// on the sync side. Drift classification uses the same matching and the same paths.
import type { IgnoreDifference } from "../application-spec";
import { SyncWaveInputError } from "./errors";
import { checkJqPathExpression, jqPaths, loadJq } from "./jq-paths";
import { parseJsonPointer, pointerSegments, toPropertyPath, type PathSegment } from "./json-pointer";
import type { ResourceKey } from "./manifest";

export function ignoreRuleMatches(rule: IgnoreDifference, key: Pick<ResourceKey, "group" | "kind" | "name" | "namespace">): boolean {
    return (
        (rule.group ?? "") === key.group &&
        rule.kind === key.kind &&
        (rule.name === undefined || rule.name === key.name) &&
        (rule.namespace === undefined || rule.namespace === key.namespace)
    );
}

/** "/spec/template/metadata/annotations/example.com~1x" → 'spec.template.metadata.annotations["example.com/x"]'. */
export function jsonPointerToPropertyPath(pointer: string, where: { application?: string; field: string }, document?: unknown): string {
    return toPropertyPath(pointerSegments(parseJsonPointer(pointer, where), document), where);
}

/**
 * Validates every rule before anything is planned (a bad pointer or jq expression is refused even when
 * no resource matches it), and loads jq when a rule uses it. Call once per Application before
 * ignoreChangesFor.
 */
export async function prepareIgnoreDifferences(application: string, rules: readonly IgnoreDifference[]): Promise<void> {
    if (rules.some((r) => (r.jqPathExpressions ?? []).length > 0)) await loadJq();
    rules.forEach((rule, i) => {
        (rule.jsonPointers ?? []).forEach((p, j) => parseJsonPointer(p, { application, field: `ignoreDifferences[${i}].jsonPointers[${j}]` }));
        (rule.jqPathExpressions ?? []).forEach((e, j) => checkJqPathExpression(e, { application, field: `ignoreDifferences[${i}].jqPathExpressions[${j}]` }));
        (rule.managedFieldsManagers ?? []).forEach((m, j) => {
            if (typeof m !== "string" || m === "") {
                throw new SyncWaveInputError("a field manager must be a non-empty string", { application, field: `ignoreDifferences[${i}].managedFieldsManagers[${j}]` });
            }
        });
    });
}

export interface IgnoredPath {
    segments: PathSegment[];
    /** Which rule and field selected it, for reports. */
    source: string;
}

/**
 * The paths the rules matching this resource ignore in these documents (jq expressions are evaluated
 * on each; Argo CD removes them from both the live object and the desired manifest).
 */
export function ignoredPaths(application: string, rules: readonly IgnoreDifference[], key: Pick<ResourceKey, "group" | "kind" | "name" | "namespace">, documents: readonly unknown[]): IgnoredPath[] {
    const paths: IgnoredPath[] = [];
    rules.forEach((rule, i) => {
        if (!ignoreRuleMatches(rule, key)) return;
        (rule.jsonPointers ?? []).forEach((p, j) => {
            const tokens = parseJsonPointer(p, { application, field: `ignoreDifferences[${i}].jsonPointers[${j}]` });
            paths.push({ segments: pointerSegments(tokens, documents[0]), source: `ignoreDifferences jsonPointers ${p}` });
        });
        for (const expression of rule.jqPathExpressions ?? []) {
            for (const document of documents) {
                for (const segments of jqPaths(document, expression)) paths.push({ segments, source: `ignoreDifferences jqPathExpressions ${expression}` });
            }
        }
    });
    return paths;
}

/**
 * The ignoreChanges paths of every rule that matches the resource. jq expressions are evaluated on the
 * desired manifest: ignoreChanges only acts on fields the manifest sets (a field only the live object
 * has, such as an injected sidecar, is not Pulumi's to overwrite anyway).
 */
export function ignoreChangesFor(application: string, rules: readonly IgnoreDifference[], key: ResourceKey, manifest?: unknown): string[] {
    const paths = ignoredPaths(application, rules, key, manifest === undefined ? [] : [manifest]);
    const unique = new Set(paths.map((p, n) => toPropertyPath(p.segments, { application, field: `ignoreDifferences (path ${n + 1} of ${key.kind} ${key.name})` })));
    return [...unique];
}
