// An Application's sources as Argo CD reads them: one `source`, or `sources` (a list, rendered in order
// and concatenated). `source` and `sources` together are refused (Argo CD would silently prefer
// `sources`). Each source is a git repository (`path`) or a Helm repository chart (`chart`); in
// `sources`, a source with `ref` lends its checkout to the others' `$ref/...` value files and renders
// nothing unless it has a `path`. Pure: util/argo/argo.go (GetRefSources, validateSourcePermissions).
import type { ApplicationSource, ApplicationSpec } from "../application-spec";
import { SyncWaveInputError } from "../sync/errors";

/** One source with where it was declared: `source` or `sources[i]`, for messages. */
export interface DeclaredSource {
    source: ApplicationSource;
    /** "source" or "sources[2]". */
    field: string;
    /** True for the entries of `sources` (refs exist only there). */
    multi: boolean;
}

const REF_NAME = /^[a-zA-Z0-9_-]+$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return Boolean(value) && typeof value === "object" && !Array.isArray(value);
}

/** Every field of an Argo CD ApplicationSource SyncWave reads; `plugin` (a CMP) is refused by name. */
const KNOWN_SOURCE_FIELDS = ["repoURL", "targetRevision", "path", "chart", "ref", "name", "directory", "helm", "kustomize"];

function checkOne(application: string, value: unknown, field: string, multi: boolean, file?: string): ApplicationSource {
    const where = (f: string) => ({ application, file, field: `${field}.${f}` });
    if (!isObject(value)) throw new SyncWaveInputError("must be an object", { application, file, field });
    for (const key of Object.keys(value)) {
        if (KNOWN_SOURCE_FIELDS.includes(key)) continue;
        const why = key === "plugin" ? "config management plugins are not supported: render with Helm, Kustomize or plain YAML" : `unknown field (expected one of ${KNOWN_SOURCE_FIELDS.join(", ")})`;
        throw new SyncWaveInputError(why, where(key));
    }
    if (typeof value.repoURL !== "string" || !value.repoURL) throw new SyncWaveInputError(`${field} has no repoURL`, where("repoURL"));
    // A password in the URL would be kept in the stack's state and history in the clear.
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(value.repoURL)) {
        throw new SyncWaveInputError(`${value.repoURL.replace(/\/\/[^/@]*@/, "//***@")} holds credentials: put them in syncwave:repoCredentials (pulumi config set --secret)`, where("repoURL"));
    }
    for (const key of ["targetRevision", "path", "chart", "ref", "name"] as const) {
        if (value[key] !== undefined && typeof value[key] !== "string") throw new SyncWaveInputError("must be a string", where(key));
    }
    if (value.chart !== undefined && value.path !== undefined) {
        throw new SyncWaveInputError(`${field} has both chart and path: a chart comes from a Helm repository, a path from a git repository`, where("chart"));
    }
    if (value.chart === "") throw new SyncWaveInputError("must name a chart", where("chart"));
    if (value.chart !== undefined && (value.directory !== undefined || value.kustomize !== undefined)) {
        throw new SyncWaveInputError(`${field} is a Helm chart: directory and kustomize settings do not apply to it`, where(value.directory !== undefined ? "directory" : "kustomize"));
    }
    if (value.ref !== undefined) {
        if (!multi) throw new SyncWaveInputError("ref names a source for the others of spec.sources; a single source has no others", where("ref"));
        if (!REF_NAME.test(value.ref as string)) throw new SyncWaveInputError(`ref ${value.ref} may only hold letters, digits, '_' and '-'`, where("ref"));
        // Argo CD: "Helm charts are not yet not supported for 'ref' sources".
        if (value.chart !== undefined) throw new SyncWaveInputError("a ref source must be a git repository; a Helm chart cannot be a ref source, as in Argo CD", where("ref"));
    }
    if (value.helm !== undefined && !isObject(value.helm)) throw new SyncWaveInputError("must be an object", where("helm"));
    const helm = value.helm as Record<string, unknown> | undefined;
    if (helm?.passCredentials !== undefined && typeof helm.passCredentials !== "boolean") throw new SyncWaveInputError("must be true or false", where("helm.passCredentials"));
    return value as unknown as ApplicationSource;
}

/**
 * The Application's sources in order, each checked; refused when it has none, both `source` and
 * `sources`, an empty `sources`, or two sources with the same `ref`.
 */
export function declaredSources(application: string, spec: Pick<ApplicationSpec, "source" | "sources">, file?: string, prefix = ""): DeclaredSource[] {
    const { source, sources } = spec as { source?: unknown; sources?: unknown };
    const at = (f: string) => `${prefix}${f}`;
    if (source !== undefined && sources !== undefined) {
        throw new SyncWaveInputError("has both source and sources: declare one source, or every source in sources", { application, file, field: at("sources") });
    }
    if (sources === undefined) {
        if (source === undefined) throw new SyncWaveInputError(`application ${application} has no source (or sources)`, { application, file, field: at("source") });
        return [{ source: checkOne(application, source, at("source"), false, file), field: "source", multi: false }];
    }
    if (!Array.isArray(sources) || sources.length === 0) throw new SyncWaveInputError("must be a non-empty list of sources", { application, file, field: at("sources") });
    const declared = sources.map((s, i) => ({ source: checkOne(application, s, at(`sources[${i}]`), true, file), field: `sources[${i}]`, multi: true }));
    const seen = new Map<string, string>();
    for (const d of declared) {
        const ref = d.source.ref;
        if (ref === undefined) continue;
        if (seen.has(ref)) throw new SyncWaveInputError(`ref ${ref} is declared twice (also ${seen.get(ref)})`, { application, file, field: at(`${d.field}.ref`) });
        seen.set(ref, d.field);
    }
    return declared;
}

/** Whether a source renders manifests: a ref source without a path only lends its checkout (Argo CD's repository.go). */
export function rendersManifests(d: DeclaredSource): boolean {
    return !(d.multi && d.source.ref !== undefined && d.source.path === undefined && d.source.chart === undefined);
}
