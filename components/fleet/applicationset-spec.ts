// An ApplicationSet's spec, read as Argo CD's CRD defines it (pkg/apis/application/v1alpha1/
// applicationset_types.go) and refused, field by field, wherever SyncWave would do something else
// than Argo CD: every field it does not support is an error naming the file, the ApplicationSet and
// the field, never a field silently ignored. Generators are read by ./generators/validate.ts.
import type { LabelSelector } from "./generators/label-selector";
import { SpecChecker } from "./generators/spec-checker";
import { readGoTemplateOptions, readTemplate, readTopGenerator } from "./generators/validate";

export type { LabelSelector } from "./generators/label-selector";

export interface TemplateMetadata {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
}

/** `template` (of the set or of one generator): an Application's metadata and spec, before rendering. */
export interface ApplicationSetTemplate {
    metadata?: TemplateMetadata;
    /** Checked after rendering, as every Application manifest is (stack-config applicationFromManifest). */
    spec?: Record<string, unknown>;
}

export interface ListGeneratorSpec {
    elements?: Record<string, unknown>[];
    elementsYaml?: string;
    template?: ApplicationSetTemplate;
}

export interface ClusterGeneratorSpec {
    selector?: LabelSelector;
    values?: Record<string, string>;
    flatList?: boolean;
    template?: ApplicationSetTemplate;
}

export interface GitPathItem {
    path: string;
    exclude?: boolean;
}

export interface GitGeneratorSpec {
    repoURL: string;
    revision: string;
    directories?: GitPathItem[];
    files?: GitPathItem[];
    pathParamPrefix?: string;
    values?: Record<string, string>;
    /** Accepted and unused: it only sets how often Argo CD polls; a SyncWave sync reads the revision once. */
    requeueAfterSeconds?: number;
    template?: ApplicationSetTemplate;
}

export interface MatrixGeneratorSpec {
    generators: GeneratorSpec[];
    template?: ApplicationSetTemplate;
}

export interface MergeGeneratorSpec {
    generators: GeneratorSpec[];
    mergeKeys: string[];
    template?: ApplicationSetTemplate;
}

/**
 * One entry of `generators` (or a child of matrix/merge). At the top level an entry may name several
 * generators, each generating with its own template, as Argo CD allows; a child names exactly one.
 */
export interface GeneratorSpec {
    list?: ListGeneratorSpec;
    clusters?: ClusterGeneratorSpec;
    git?: GitGeneratorSpec;
    matrix?: MatrixGeneratorSpec;
    merge?: MergeGeneratorSpec;
    /** Post-filter over the generator's flattened parameters. */
    selector?: LabelSelector;
}

export const GENERATOR_KINDS = ["list", "clusters", "git", "matrix", "merge"] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

export type ApplicationsSync = "create-only" | "create-update" | "create-delete" | "sync";
export const APPLICATIONS_SYNC_POLICIES: readonly ApplicationsSync[] = ["create-only", "create-update", "create-delete", "sync"];

export interface RollingSyncMatchExpression {
    key: string;
    operator: "In" | "NotIn";
    values: string[];
}

export interface RollingSyncStep {
    matchExpressions: RollingSyncMatchExpression[];
    /** An integer, or a percentage of the step's Applications ("25%"); all at once when unset. */
    maxUpdate?: number | string;
}

export interface ApplicationSetStrategy {
    type?: "RollingSync" | "AllAtOnce";
    /** Present exactly when type is RollingSync. */
    rollingSync?: { steps: RollingSyncStep[] };
}

export interface ApplicationSetSpec {
    generators: GeneratorSpec[];
    template: ApplicationSetTemplate;
    templatePatch?: string;
    goTemplate: boolean;
    goTemplateOptions: string[];
    syncPolicy?: { preserveResourcesOnDeletion?: boolean; applicationsSync?: ApplicationsSync };
    strategy?: ApplicationSetStrategy;
}

const SPEC_FIELDS = ["generators", "template", "templatePatch", "goTemplate", "goTemplateOptions", "syncPolicy", "strategy", "applyNestedSelectors"];

const REFUSED_SPEC_FIELDS: Record<string, string> = {
    preservedFields:
        "preservedFields is not supported: it keeps labels and annotations others set on the live Applications, and SyncWave owns every field of the Applications it generates",
    ignoreApplicationDifferences:
        "ignoreApplicationDifferences is not supported: Argo CD keeps those fields of an existing Application as they are live, SyncWave always applies the generated Application",
};

export function validateApplicationSet(name: string, spec: Record<string, unknown>, where: { file?: string; field: string }): ApplicationSetSpec {
    const check = new SpecChecker(name, where.file);
    const field = where.field;
    const value = check.object(spec, field);
    check.fields(value, field, SPEC_FIELDS, REFUSED_SPEC_FIELDS);
    // applyNestedSelectors is deprecated in Argo CD and ignored there: nested selectors always apply.
    check.boolean(value.applyNestedSelectors, `${field}.applyNestedSelectors`);

    const goTemplate = check.boolean(value.goTemplate, `${field}.goTemplate`) ?? false;
    const goTemplateOptions = readGoTemplateOptions(check, value.goTemplateOptions, `${field}.goTemplateOptions`, goTemplate);
    // Argo CD's documentation says templatePatch needs goTemplate; its code renders the patch in either
    // mode (template.go renderTemplatePatch), and so does SyncWave.
    const templatePatch = check.optionalString(value.templatePatch, `${field}.templatePatch`);
    if (value.template === undefined) check.fail(`${field}.template`, "required: the Application every parameter set renders");
    const template = readTemplate(check, value.template, `${field}.template`);

    const generators = check.list(value.generators, `${field}.generators`);
    if (generators.length === 0) check.fail(`${field}.generators`, "needs at least one generator");
    const context = { goTemplate };
    return {
        generators: generators.map((g, i) => readTopGenerator(check, g, `${field}.generators[${i}]`, context)),
        template,
        ...(templatePatch !== undefined ? { templatePatch } : {}),
        goTemplate,
        goTemplateOptions,
        ...(value.syncPolicy !== undefined ? { syncPolicy: readSyncPolicy(check, value.syncPolicy, `${field}.syncPolicy`) } : {}),
        ...(value.strategy !== undefined ? { strategy: readStrategy(check, value.strategy, `${field}.strategy`) } : {}),
    };
}

function readSyncPolicy(check: SpecChecker, raw: unknown, field: string): NonNullable<ApplicationSetSpec["syncPolicy"]> {
    const value = check.object(raw, field);
    check.fields(value, field, ["preserveResourcesOnDeletion", "applicationsSync"]);
    const preserve = check.boolean(value.preserveResourcesOnDeletion, `${field}.preserveResourcesOnDeletion`);
    const sync = check.optionalString(value.applicationsSync, `${field}.applicationsSync`);
    if (sync !== undefined && !APPLICATIONS_SYNC_POLICIES.includes(sync as ApplicationsSync)) {
        check.fail(`${field}.applicationsSync`, `${JSON.stringify(sync)} is not a policy (expected one of ${APPLICATIONS_SYNC_POLICIES.join(", ")})`);
    }
    return { ...(preserve !== undefined ? { preserveResourcesOnDeletion: preserve } : {}), ...(sync !== undefined ? { applicationsSync: sync as ApplicationsSync } : {}) };
}

function readStrategy(check: SpecChecker, raw: unknown, field: string): ApplicationSetStrategy {
    const value = check.object(raw, field);
    check.fields(value, field, ["type", "rollingSync"], {
        deletionOrder: "deletionOrder is not supported: SyncWave does not order the deletion of the Applications a set no longer generates",
    });
    const type = check.optionalString(value.type, `${field}.type`);
    if (type !== undefined && type !== "" && type !== "AllAtOnce" && type !== "RollingSync") {
        check.fail(`${field}.type`, `${JSON.stringify(type)} is not a strategy (expected AllAtOnce or RollingSync)`);
    }
    if (type !== "RollingSync") {
        if (value.rollingSync !== undefined) check.fail(`${field}.rollingSync`, "is read only with type: RollingSync (Argo CD ignores it otherwise)");
        return type === "AllAtOnce" ? { type } : {};
    }
    if (value.rollingSync === undefined) check.fail(`${field}.rollingSync`, "type RollingSync needs rollingSync.steps");
    const rolling = check.object(value.rollingSync, `${field}.rollingSync`);
    check.fields(rolling, `${field}.rollingSync`, ["steps"]);
    const steps = check.list(rolling.steps ?? [], `${field}.rollingSync.steps`);
    // Argo CD: "No steps defined for rollout", and nothing is synced.
    if (steps.length === 0) check.fail(`${field}.rollingSync.steps`, "a RollingSync needs at least one step");
    return { type, rollingSync: { steps: steps.map((s, i) => readStep(check, s, `${field}.rollingSync.steps[${i}]`)) } };
}

function readStep(check: SpecChecker, raw: unknown, field: string): RollingSyncStep {
    const value = check.object(raw, field);
    check.fields(value, field, ["matchExpressions", "maxUpdate"]);
    const matchExpressions = check.list(value.matchExpressions ?? [], `${field}.matchExpressions`).map((raw, i) => {
        const where = `${field}.matchExpressions[${i}]`;
        const e = check.object(raw, where);
        check.fields(e, where, ["key", "operator", "values"]);
        const operator = check.string(e.operator, `${where}.operator`);
        // progressive_sync.go labelMatchedExpression: any other operator is invalid for a step.
        if (operator !== "In" && operator !== "NotIn") check.fail(`${where}.operator`, `${JSON.stringify(operator)} is not a RollingSync operator (expected In or NotIn)`);
        const expression: RollingSyncMatchExpression = { key: check.string(e.key, `${where}.key`), operator, values: e.values === undefined ? [] : check.stringList(e.values, `${where}.values`) };
        return expression;
    });
    const step: RollingSyncStep = { matchExpressions };
    if (value.maxUpdate !== undefined) step.maxUpdate = readMaxUpdate(check, value.maxUpdate, `${field}.maxUpdate`);
    return step;
}

/** intstr.GetScaledValueFromIntOrPercent: an integer, or a string "N%". */
function readMaxUpdate(check: SpecChecker, value: unknown, field: string): number | string {
    if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === "string" && /^\d+%$/.test(value)) return value;
    return check.fail(field, `must be a whole number or a percentage such as "25%", found ${JSON.stringify(value)}`);
}
