// Reading `generators` and templates of an ApplicationSet. Nesting is Argo CD's
// (applicationset_types.go, generators/utils.go GetGenerators): a top-level entry may be list,
// clusters, git, matrix or merge; a child of a top-level matrix/merge may be any of those too; a child
// of a nested matrix/merge (ApplicationSetTerminalGenerator) only list, clusters or git.
import type {
    ApplicationSetTemplate,
    ClusterGeneratorSpec,
    GeneratorSpec,
    GitGeneratorSpec,
    GitPathItem,
    ListGeneratorSpec,
    MatrixGeneratorSpec,
    MergeGeneratorSpec,
} from "../applicationset-spec";
import { normalizePathspec, PathspecError } from "./git-pathspec";
import { isPlainObject } from "./go-values";
import { compileLabelSelector, readLabelSelector, selectorIsTemplated } from "./label-selector";
import { BadPatternError, checkGoPattern } from "./path-match";
import { describe, type SpecChecker } from "./spec-checker";

export interface ReadContext {
    goTemplate: boolean;
}

type Level = "top" | "child" | "terminal";

const UNSUPPORTED_GENERATORS: Record<string, string> = {
    scmProvider: "the scmProvider generator is not supported by SyncWave (supported: list, clusters, git, matrix, merge)",
    pullRequest: "the pullRequest generator is not supported by SyncWave (supported: list, clusters, git, matrix, merge)",
    clusterDecisionResource: "the clusterDecisionResource generator is not supported by SyncWave (supported: list, clusters, git, matrix, merge)",
    plugin: "the plugin generator is not supported by SyncWave (supported: list, clusters, git, matrix, merge)",
};

const KINDS_AT: Record<Level, readonly string[]> = {
    top: ["list", "clusters", "git", "matrix", "merge"],
    child: ["list", "clusters", "git", "matrix", "merge"],
    terminal: ["list", "clusters", "git"],
};

const GO_TEMPLATE_OPTIONS = ["missingkey=default", "missingkey=invalid", "missingkey=zero", "missingkey=error"];

export function readGoTemplateOptions(check: SpecChecker, raw: unknown, field: string, goTemplate: boolean): string[] {
    if (raw === undefined) return [];
    const options = check.stringList(raw, field);
    if (options.length > 0 && !goTemplate) check.fail(field, "goTemplateOptions apply only with goTemplate: true");
    options.forEach((o, i) => {
        // Go's template.Option panics on anything else; Argo CD passes the strings through.
        if (!GO_TEMPLATE_OPTIONS.includes(o)) check.fail(`${field}[${i}]`, `${JSON.stringify(o)} is not a Go template option (expected one of ${GO_TEMPLATE_OPTIONS.join(", ")})`);
    });
    return options;
}

export function readTemplate(check: SpecChecker, raw: unknown, field: string): ApplicationSetTemplate {
    const value = check.object(raw, field);
    check.fields(value, field, ["metadata", "spec"]);
    const template: ApplicationSetTemplate = {};
    if (value.metadata !== undefined) {
        const where = `${field}.metadata`;
        const m = check.object(value.metadata, where);
        check.fields(m, where, ["name", "namespace", "labels", "annotations", "finalizers"]);
        template.metadata = {
            ...(m.name !== undefined ? { name: check.string(m.name, `${where}.name`) } : {}),
            ...(m.namespace !== undefined ? { namespace: check.string(m.namespace, `${where}.namespace`) } : {}),
            ...(m.labels !== undefined ? { labels: check.stringMap(m.labels, `${where}.labels`) } : {}),
            ...(m.annotations !== undefined ? { annotations: check.stringMap(m.annotations, `${where}.annotations`) } : {}),
            ...(m.finalizers !== undefined ? { finalizers: check.stringList(m.finalizers, `${where}.finalizers`) } : {}),
        };
    }
    if (value.spec !== undefined) template.spec = check.object(value.spec, `${field}.spec`);
    return template;
}

export function readTopGenerator(check: SpecChecker, raw: unknown, field: string, context: ReadContext): GeneratorSpec {
    return readGenerator(check, raw, field, context, "top");
}

/** Reads a child of matrix or merge again once interpolated (its strings may have changed). */
export function readChildGenerator(check: SpecChecker, raw: unknown, field: string, context: ReadContext, terminal: boolean): GeneratorSpec {
    return readGenerator(check, raw, field, context, terminal ? "terminal" : "child");
}

function readGenerator(check: SpecChecker, raw: unknown, field: string, context: ReadContext, level: Level): GeneratorSpec {
    const value = check.object(raw, field);
    const kinds = KINDS_AT[level];
    const refused: Record<string, string> = { ...UNSUPPORTED_GENERATORS };
    if (level === "terminal") {
        const why = "Argo CD nests matrix and merge two levels deep at most: a child of a nested matrix or merge can only be list, clusters or git";
        refused.matrix = why;
        refused.merge = why;
    }
    check.fields(value, field, [...kinds, "selector"], refused);
    const named = kinds.filter((k) => value[k] !== undefined);
    if (named.length === 0) check.fail(field, `names no generator (expected one of ${kinds.join(", ")})`);
    if (level !== "top" && named.length > 1) {
        check.fail(field, `names ${named.join(" and ")}: a child of matrix or merge is exactly one generator (Argo CD refuses more)`);
    }
    const generator: GeneratorSpec = {};
    const allowTemplate = level === "top";
    const childLevel = level === "top" ? "child" : "terminal";
    if (value.list !== undefined) generator.list = readList(check, value.list, `${field}.list`, context, allowTemplate);
    if (value.clusters !== undefined) generator.clusters = readClusters(check, value.clusters, `${field}.clusters`, allowTemplate);
    if (value.git !== undefined) generator.git = readGit(check, value.git, `${field}.git`, allowTemplate);
    if (value.matrix !== undefined) generator.matrix = readMatrix(check, value.matrix, `${field}.matrix`, context, allowTemplate, childLevel);
    if (value.merge !== undefined) generator.merge = readMerge(check, value.merge, `${field}.merge`, context, allowTemplate, childLevel);
    if (value.selector !== undefined) {
        generator.selector = readLabelSelector(check, value.selector, `${field}.selector`);
        // Argo CD applies the post-selector as written, never interpolated (generator_spec_processor.go).
        compileLabelSelector(check, generator.selector, `${field}.selector`, false);
    }
    return generator;
}

/** A generator's own `template`, or the refusal where Argo CD would ignore it. */
function readGeneratorTemplate(check: SpecChecker, raw: unknown, field: string, allowed: boolean): { template?: ApplicationSetTemplate } {
    if (raw === undefined) return {};
    if (!allowed) {
        check.fail(field, "a generator inside matrix or merge cannot have a template (Argo CD ignores it): put it on the matrix or merge, or on the ApplicationSet");
    }
    return { template: readTemplate(check, raw, field) };
}

function readList(check: SpecChecker, raw: unknown, field: string, context: ReadContext, allowTemplate: boolean): ListGeneratorSpec {
    const value = check.object(raw, field);
    check.fields(value, field, ["elements", "elementsYaml", "template"]);
    const list: ListGeneratorSpec = { ...readGeneratorTemplate(check, value.template, `${field}.template`, allowTemplate) };
    if (value.elements !== undefined) {
        list.elements = check.list(value.elements, `${field}.elements`).map((e, i) => {
            const where = `${field}.elements[${i}]`;
            const element = check.object(e, where);
            if (!context.goTemplate) checkFlatElement(check, element, where);
            return element;
        });
    }
    if (value.elementsYaml !== undefined) list.elementsYaml = check.string(value.elementsYaml, `${field}.elementsYaml`);
    return list;
}

/** list.go without goTemplate: every value a string, and `values` a map of strings. */
export function checkFlatElement(check: SpecChecker, element: Record<string, unknown>, field: string): void {
    for (const [key, v] of Object.entries(element)) {
        if (key === "values") {
            if (!isPlainObject(v)) check.fail(`${field}.values`, `must be a map of strings (without goTemplate), found ${describe(v)}`);
            for (const [k, inner] of Object.entries(v)) {
                if (typeof inner !== "string") check.fail(`${field}.values.${k}`, `must be a string without goTemplate (use goTemplate: true for other values), found ${describe(inner)}`);
            }
        } else if (typeof v !== "string") {
            check.fail(`${field}.${key}`, `must be a string without goTemplate (use goTemplate: true for other values), found ${describe(v)}`);
        }
    }
}

function readClusters(check: SpecChecker, raw: unknown, field: string, allowTemplate: boolean): ClusterGeneratorSpec {
    const value = check.object(raw, field);
    check.fields(value, field, ["selector", "values", "flatList", "template"]);
    const clusters: ClusterGeneratorSpec = { ...readGeneratorTemplate(check, value.template, `${field}.template`, allowTemplate) };
    if (value.selector !== undefined) {
        clusters.selector = readLabelSelector(check, value.selector, `${field}.selector`);
        if (!selectorIsTemplated(clusters.selector)) compileLabelSelector(check, clusters.selector, `${field}.selector`, true);
    }
    if (value.values !== undefined) clusters.values = check.stringMap(value.values, `${field}.values`);
    const flatList = check.boolean(value.flatList, `${field}.flatList`);
    if (flatList !== undefined) clusters.flatList = flatList;
    return clusters;
}

function readGit(check: SpecChecker, raw: unknown, field: string, allowTemplate: boolean): GitGeneratorSpec {
    const value = check.object(raw, field);
    check.fields(value, field, ["repoURL", "revision", "directories", "files", "pathParamPrefix", "values", "requeueAfterSeconds", "template"]);
    if (value.repoURL === undefined) check.fail(`${field}.repoURL`, "required: the repository to read");
    if (value.revision === undefined) check.fail(`${field}.revision`, "required: the branch, tag or commit to read (HEAD for the default branch)");
    const git: GitGeneratorSpec = {
        repoURL: check.string(value.repoURL, `${field}.repoURL`),
        revision: check.string(value.revision, `${field}.revision`),
        ...readGeneratorTemplate(check, value.template, `${field}.template`, allowTemplate),
    };
    if (value.directories !== undefined && value.files !== undefined) {
        check.fail(field, "set directories or files, not both (Argo CD would read directories and ignore files)");
    }
    if (value.directories === undefined && value.files === undefined) check.fail(field, "needs directories or files");
    if (value.directories !== undefined) {
        git.directories = readPathItems(check, value.directories, `${field}.directories`, (path, where) => {
            try {
                checkGoPattern(path);
            } catch (err) {
                if (err instanceof BadPatternError) check.fail(where, `${err.message} (a Go path.Match pattern: *, ?, [...], \\)`);
                throw err;
            }
        });
    }
    if (value.files !== undefined) {
        git.files = readPathItems(check, value.files, `${field}.files`, (path, where) => {
            try {
                normalizePathspec(path);
            } catch (err) {
                if (err instanceof PathspecError) check.fail(where, err.message);
                throw err;
            }
        });
    }
    const prefix = check.optionalString(value.pathParamPrefix, `${field}.pathParamPrefix`);
    if (prefix !== undefined && prefix !== "") git.pathParamPrefix = prefix;
    if (value.values !== undefined) git.values = check.stringMap(value.values, `${field}.values`);
    if (value.requeueAfterSeconds !== undefined) {
        // Only how often Argo CD polls the repository; one sync reads the revision once, so it changes nothing.
        const seconds = value.requeueAfterSeconds;
        if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) check.fail(`${field}.requeueAfterSeconds`, `must be a whole number of seconds, found ${describe(seconds)}`);
        git.requeueAfterSeconds = seconds;
    }
    return git;
}

function readPathItems(check: SpecChecker, raw: unknown, field: string, checkPath: (path: string, field: string) => void): GitPathItem[] {
    const items = check.list(raw, field);
    if (items.length === 0) check.fail(field, "needs at least one path");
    return items.map((raw, i) => {
        const where = `${field}[${i}]`;
        const item = check.object(raw, where);
        check.fields(item, where, ["path", "exclude"]);
        const path = check.string(item.path, `${where}.path`);
        if (!path.includes("{{")) checkPath(path, `${where}.path`);
        const exclude = check.boolean(item.exclude, `${where}.exclude`);
        return { path, ...(exclude !== undefined ? { exclude } : {}) };
    });
}

function readChildren(check: SpecChecker, raw: unknown, field: string, context: ReadContext, level: Level): GeneratorSpec[] {
    return check.list(raw, field).map((g, i) => readGenerator(check, g, `${field}[${i}]`, context, level));
}

function readMatrix(check: SpecChecker, raw: unknown, field: string, context: ReadContext, allowTemplate: boolean, childLevel: Level): MatrixGeneratorSpec {
    const value = check.object(raw, field);
    check.fields(value, field, allowTemplate ? ["generators", "template"] : ["generators"], allowTemplate ? {} : { template: "a nested matrix has no template in Argo CD" });
    const generators = readChildren(check, value.generators, `${field}.generators`, context, childLevel);
    // matrix.go: ErrLessThanTwoGenerators / ErrMoreThanTwoGenerators.
    if (generators.length !== 2) check.fail(`${field}.generators`, `a matrix combines exactly two generators, found ${generators.length}`);
    return { generators, ...readGeneratorTemplate(check, value.template, `${field}.template`, allowTemplate) };
}

function readMerge(check: SpecChecker, raw: unknown, field: string, context: ReadContext, allowTemplate: boolean, childLevel: Level): MergeGeneratorSpec {
    const value = check.object(raw, field);
    check.fields(value, field, allowTemplate ? ["generators", "mergeKeys", "template"] : ["generators", "mergeKeys"], allowTemplate ? {} : { template: "a nested merge has no template in Argo CD" });
    const generators = readChildren(check, value.generators, `${field}.generators`, context, childLevel);
    // merge.go: ErrLessThanTwoGeneratorsInMerge / ErrNoMergeKeys.
    if (generators.length < 2) check.fail(`${field}.generators`, `a merge needs at least two generators (the first is the base), found ${generators.length}`);
    if (value.mergeKeys === undefined) check.fail(`${field}.mergeKeys`, "required: the parameters that identify a parameter set across the generators");
    const mergeKeys = check.stringList(value.mergeKeys, `${field}.mergeKeys`);
    if (mergeKeys.length === 0) check.fail(`${field}.mergeKeys`, "needs at least one merge key");
    return { generators, mergeKeys, ...readGeneratorTemplate(check, value.template, `${field}.template`, allowTemplate) };
}
