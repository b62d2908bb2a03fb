// Argo CD's ignoreDifferences as Pulumi ignoreChanges paths, and the matching of rules to resources
// (kept for drift classification too).
import type { IgnoreDifference } from "../application-spec";
import { SyncWaveInputError } from "./errors";
import type { ResourceKey } from "./manifest";

export function ignoreRuleMatches(rule: IgnoreDifference, key: ResourceKey): boolean {
    return (
        (rule.group ?? "") === key.group &&
        rule.kind === key.kind &&
        (rule.name === undefined || rule.name === key.name) &&
        (rule.namespace === undefined || rule.namespace === key.namespace)
    );
}

/** "/spec/template/metadata/annotations/a~1b" → 'spec.template.metadata.annotations["a/b"]'. */
export function jsonPointerToPropertyPath(pointer: string, where: { application?: string; field: string }): string {
    if (!pointer.startsWith("/")) {
        throw new SyncWaveInputError(`"${pointer}" is not a JSON pointer (it must start with /)`, where);
    }
    const parts = pointer
        .slice(1)
        .split("/")
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    return parts
        .map((p, i) => {
            if (/^\d+$/.test(p)) return `[${p}]`;
            if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p)) return i === 0 ? p : `.${p}`;
            return `[${JSON.stringify(p)}]`;
        })
        .join("");
}

/** The ignoreChanges paths of every rule that matches the resource. */
export function ignoreChangesFor(application: string, rules: readonly IgnoreDifference[], key: ResourceKey): string[] {
    const paths: string[] = [];
    rules.forEach((rule, i) => {
        if (!ignoreRuleMatches(rule, key)) return;
        (rule.jsonPointers ?? []).forEach((p, j) =>
            paths.push(jsonPointerToPropertyPath(p, { application, field: `ignoreDifferences[${i}].jsonPointers[${j}]` })),
        );
    });
    return paths;
}
