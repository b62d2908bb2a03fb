// The git generators (applicationset/generators/git.go), over the revision checked out once.
//  directories: every directory of the repository (./repository-tree.ts) that some non-exclude path
//    matches and no exclude path matches, with Go's path.Match (./path-match.ts), in walk order.
//  files: the files the include paths list as git pathspecs (./git-pathspec.ts), less those an
//    exclude path lists, sorted by path; each is a YAML/JSON object or list of objects, one parameter
//    set per object.
// Parameters (P is "path", or "<pathParamPrefix>.path" flat / {<prefix>: {path: ...}} in goTemplate):
//  flat:       P, P.basename, P.basenameNormalized, P[0], P[1], ... (non-empty segments) and for files
//              P.filename, P.filenameNormalized plus the file's keys flattened with dots, as strings;
//  goTemplate: P: {path, basename, basenameNormalized, segments} (files: + filename,
//              filenameNormalized) and the file's object as it is.
// For a file, P is its directory ("." at the root); `values` are appended last.
import type { GitGeneratorSpec, GitPathItem } from "../applicationset-spec";
import type { GenerationContext } from "./context";
import { normalizePathspec, PathspecError, pathspecMatches } from "./git-pathspec";
import { parseParameterFile } from "./go-yaml";
import { flattenDotted, formatGoValue, goBase, goDir, sanitizeName, type Params } from "./go-values";
import { BadPatternError, goPathMatch } from "./path-match";
import { readRepositoryFile } from "./repository-tree";
import { appendValues } from "./values";

export async function gitParams(gen: GitGeneratorSpec, ctx: GenerationContext, field: string): Promise<Params[]> {
    // The repo-server resolves an empty revision as HEAD.
    const revision = gen.revision === "" ? "HEAD" : gen.revision;
    let dir: string;
    try {
        ({ dir } = await ctx.checkout(gen.repoURL, revision));
    } catch (err) {
        return ctx.check.fail(`${field}.repoURL`, `cannot read ${gen.repoURL} at ${revision}: ${(err as Error).message}`);
    }
    const sets = gen.directories ? await directoryParams(gen, gen.directories, dir, ctx, field) : await fileParams(gen, gen.files ?? [], dir, ctx, field);
    await appendValues(sets, gen.values, ctx, field);
    return sets;
}

async function directoryParams(gen: GitGeneratorSpec, items: GitPathItem[], dir: string, ctx: GenerationContext, field: string): Promise<Params[]> {
    const matchers = items.map((item, i) => {
        const where = `${field}.directories[${i}].path`;
        const test = (path: string) => {
            try {
                return goPathMatch(item.path, path);
            } catch (err) {
                if (err instanceof BadPatternError) ctx.check.fail(where, `${err.message} (a Go path.Match pattern: *, ?, [...], \\)`);
                throw err;
            }
        };
        test("");
        return { exclude: item.exclude === true, test };
    });
    // filterApps: an exclude wins over any include, whatever their order.
    const selected = (await ctx.directories(dir)).filter((path) => {
        const hits = matchers.filter((m) => m.test(path));
        return hits.some((m) => !m.exclude) && !hits.some((m) => m.exclude);
    });
    return selected.map((path) => pathParams(path, undefined, gen.pathParamPrefix, ctx.template.goTemplate));
}

async function fileParams(gen: GitGeneratorSpec, items: GitPathItem[], dir: string, ctx: GenerationContext, field: string): Promise<Params[]> {
    const all = await ctx.files(dir);
    const pathspecs = items.map((item, i) => {
        try {
            return { exclude: item.exclude === true, pathspec: normalizePathspec(item.path) };
        } catch (err) {
            if (err instanceof PathspecError) ctx.check.fail(`${field}.files[${i}].path`, err.message);
            throw err;
        }
    });
    const selected = all.filter(
        (file) => pathspecs.some((p) => !p.exclude && pathspecMatches(p.pathspec, file)) && !pathspecs.some((p) => p.exclude && pathspecMatches(p.pathspec, file)),
    );
    const sets: Params[] = [];
    for (const file of selected) {
        let objects: Record<string, unknown>[];
        try {
            objects = parseParameterFile((await readRepositoryFile(dir, file)).toString("utf8"));
        } catch (err) {
            return ctx.check.fail(`${field}.files`, `unable to process file '${file}' from repository '${gen.repoURL}': ${(err as Error).message}`);
        }
        for (const object of objects) {
            const params = ctx.template.goTemplate ? { ...object } : flatFileParams(object);
            Object.assign(params, pathParams(goDir(file), file, gen.pathParamPrefix, ctx.template.goTemplate));
            sets.push(params);
        }
    }
    return sets;
}

function flatFileParams(object: Record<string, unknown>): Params {
    return Object.fromEntries(Object.entries(flattenDotted(object)).map(([k, v]) => [k, formatGoValue(v)]));
}

/** The path parameters of a directory, or of a file in that directory. */
function pathParams(path: string, file: string | undefined, prefix: string | undefined, goTemplate: boolean): Params {
    const basename = goBase(path);
    const filename = file === undefined ? undefined : goBase(file);
    if (goTemplate) {
        const value: Params = {
            path,
            basename,
            ...(filename !== undefined ? { filename } : {}),
            basenameNormalized: sanitizeName(basename),
            ...(filename !== undefined ? { filenameNormalized: sanitizeName(filename) } : {}),
            segments: path.split("/"),
        };
        return prefix ? { [prefix]: { path: value } } : { path: value };
    }
    const name = prefix ? `${prefix}.path` : "path";
    const params: Params = { [name]: path, [`${name}.basename`]: basename, [`${name}.basenameNormalized`]: sanitizeName(basename) };
    if (filename !== undefined) {
        params[`${name}.filename`] = filename;
        params[`${name}.filenameNormalized`] = sanitizeName(filename);
    }
    path.split("/").forEach((segment, i) => {
        if (segment !== "") params[`${name}[${i}]`] = segment;
    });
    return params;
}
