// How parameter sets are combined and templates merged, with dario.cat/mergo as Argo CD calls it.
import type { ApplicationSetTemplate } from "../applicationset-spec";
import { cloneJson, isPlainObject, type Params } from "./go-values";

/**
 * A generator's `template` over the ApplicationSet's (generator_spec_processor.go,
 * mergeGeneratorTemplate: mergo.Merge(generatorTemplate, setTemplate) without override): every field
 * the generator's template leaves empty ("", 0, false, none) comes from the set's; maps are merged
 * key by key; lists and helm `valuesObject` (a raw JSON field) are taken whole from one side.
 */
export function mergeTemplates(generatorTemplate: ApplicationSetTemplate | undefined, setTemplate: ApplicationSetTemplate): ApplicationSetTemplate {
    if (!generatorTemplate) return cloneJson(setTemplate);
    return fillEmpty(cloneJson(generatorTemplate) as Record<string, unknown>, setTemplate as Record<string, unknown>) as ApplicationSetTemplate;
}

const ATOMIC_FIELDS = new Set(["valuesObject"]);

function isEmpty(value: unknown): boolean {
    return value === undefined || value === null || value === "" || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

function fillEmpty(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
    for (const [key, value] of Object.entries(source)) {
        const current = target[key];
        if (isEmpty(current)) {
            if (!isEmpty(value)) target[key] = cloneJson(value);
        } else if (isPlainObject(current) && isPlainObject(value) && !ATOMIC_FIELDS.has(key)) {
            fillEmpty(current, value);
        }
    }
    return target;
}

/**
 * mergo.Merge(target, source, mergo.WithOverride) of two parameter maps: each of source's keys
 * replaces target's, even with false or "" (maps of interface values are set, not compared), except
 * that two maps are merged key by key. Used by matrix (the first generator's parameters over the
 * second's) and merge (each later generator's over the base) in goTemplate mode.
 */
export function mergeOverride(target: Params, source: Params): Params {
    for (const [key, value] of Object.entries(source)) {
        const current = target[key];
        if (isPlainObject(current) && isPlainObject(value)) mergeOverride(current, value);
        else target[key] = cloneJson(value);
    }
    return target;
}
