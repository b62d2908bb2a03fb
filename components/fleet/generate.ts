// The Applications an ApplicationSet generates, as Argo CD's controller generates them
// (applicationset/controllers/template/template.go GenerateApplications): each entry of `generators`
// generates parameter sets (./generators/), each set renders the template (the generator's own
// `template` merged over the set's) and the templatePatch (./template/render.ts). Pure but for
// reading the git revisions it is given. Any error throws, so a caller changes nothing of the set.
import type { ApplicationSetSpec, ApplicationSetTemplate } from "./applicationset-spec";
import type { FleetCluster } from "./fleet-clusters";
import { generationContext, type Checkout, type GenerationContext } from "./generators/context";
import { cloneJson, isPlainObject, type Params } from "./generators/go-values";
import { generatorParams, kindsOf } from "./generators/run";
import { SpecChecker } from "./generators/spec-checker";
import { mergeTemplates } from "./generators/template-merge";
import { renderApplicationTemplates } from "./template/render";

export interface GeneratedApplication {
    name: string;
    /**
     * The template's metadata.namespace as rendered. Argo CD puts every generated Application in the
     * ApplicationSet's own namespace instead, whatever the template says; SyncWave's Applications
     * live in no namespace, so this is only shown.
     */
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    spec: Record<string, unknown>;
    /** The parameter set it was rendered from. */
    params: Record<string, unknown>;
}

/** A generated Application as an Argo CD Application manifest: what a sync checks and what `appset generate` prints. */
export function generatedManifest(g: GeneratedApplication): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> } {
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
            name: g.name,
            ...(g.namespace ? { namespace: g.namespace } : {}),
            ...(Object.keys(g.labels ?? {}).length ? { labels: g.labels } : {}),
            ...(Object.keys(g.annotations ?? {}).length ? { annotations: g.annotations } : {}),
            ...(g.finalizers?.length ? { finalizers: g.finalizers } : {}),
        },
        spec: g.spec,
    };
}

/** The finalizer Argo CD gives a generated Application whose template names none (cascade delete). */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

export async function generateApplications(
    name: string,
    spec: ApplicationSetSpec,
    io: { clusters: FleetCluster[]; checkout: (repoURL: string, revision: string) => Promise<Checkout> },
    where: { file?: string; field: string },
): Promise<GeneratedApplication[]> {
    const check = new SpecChecker(name, where.file);
    const ctx = generationContext(check, { goTemplate: spec.goTemplate, goTemplateOptions: spec.goTemplateOptions }, io);
    const generated: GeneratedApplication[] = [];
    for (const [i, entry] of spec.generators.entries()) {
        const field = `${where.field}.generators[${i}]`;
        // An entry naming several generators generates with each, each with its own template.
        for (const kind of kindsOf(entry)) {
            const paramSets = await generatorParams(entry, kind, ctx, field, 0);
            const template = mergeTemplates(entry[kind]?.template, spec.template);
            generated.push(...(await render(template, paramSets, spec, ctx, `${where.field}.template`)));
        }
    }
    checkNames(generated, check, `${where.field}.template.metadata.name`);
    return generated;
}

async function render(template: ApplicationSetTemplate, paramSets: Params[], spec: ApplicationSetSpec, ctx: GenerationContext, field: string): Promise<GeneratedApplication[]> {
    const options = {
        goTemplate: spec.goTemplate,
        goTemplateOptions: spec.goTemplateOptions,
        ...(spec.templatePatch !== undefined ? { templatePatch: spec.templatePatch } : {}),
    };
    // RenderTemplateParams returns the template untouched for an empty parameter set, without the
    // finalizer it adds to the others: those sets render apart, with the template as written.
    const isEmpty = (params: Params) => Object.keys(params).length === 0;
    const groups = [
        { template: withDefaultFinalizer(template, spec), indexes: paramSets.flatMap((p, i) => (isEmpty(p) ? [] : [i])) },
        { template, indexes: paramSets.flatMap((p, i) => (isEmpty(p) ? [i] : [])) },
    ];
    const out: GeneratedApplication[] = new Array(paramSets.length);
    for (const group of groups) {
        if (group.indexes.length === 0) continue;
        const sets = group.indexes.map((i) => paramSets[i]);
        const results = await renderApplicationTemplates(group.template as Record<string, unknown>, sets, options);
        results.forEach((result, j) => {
            if (!result.ok) ctx.check.fail(field, `cannot render the Application for parameters ${JSON.stringify(sets[j])}: ${result.error}`);
            out[group.indexes[j]] = generatedApplication(result.application, sets[j]);
        });
    }
    return out;
}

/**
 * RenderTemplateParams adds the resources finalizer when the template has none, unless
 * syncPolicy.preserveResourcesOnDeletion. It is added before the templatePatch, which may replace it.
 */
function withDefaultFinalizer(template: ApplicationSetTemplate, spec: ApplicationSetSpec): ApplicationSetTemplate {
    if (spec.syncPolicy?.preserveResourcesOnDeletion === true || (template.metadata?.finalizers ?? []).length > 0) return template;
    return { ...template, metadata: { ...template.metadata, finalizers: [RESOURCES_FINALIZER] } };
}

function generatedApplication(application: Record<string, unknown>, params: Params): GeneratedApplication {
    const metadata = isPlainObject(application.metadata) ? application.metadata : {};
    const strings = (value: unknown) => (isPlainObject(value) && Object.keys(value).length > 0 ? (cloneJson(value) as Record<string, string>) : undefined);
    const labels = strings(metadata.labels);
    const annotations = strings(metadata.annotations);
    const finalizers = Array.isArray(metadata.finalizers) && metadata.finalizers.length > 0 ? [...(metadata.finalizers as string[])] : undefined;
    return {
        name: typeof metadata.name === "string" ? metadata.name : "",
        ...(typeof metadata.namespace === "string" && metadata.namespace !== "" ? { namespace: metadata.namespace } : {}),
        ...(labels ? { labels } : {}),
        ...(annotations ? { annotations } : {}),
        ...(finalizers ? { finalizers } : {}),
        spec: isPlainObject(application.spec) ? application.spec : {},
        params,
    };
}

/** Every generated Application needs a name, and a name of its own (the controller's validateGeneratedApplications). */
function checkNames(generated: GeneratedApplication[], check: SpecChecker, field: string): void {
    const seen = new Map<string, GeneratedApplication>();
    for (const app of generated) {
        if (app.name === "") {
            check.fail(field, `the Application rendered from parameters ${JSON.stringify(app.params)} has no name: set template.metadata.name (or set it in templatePatch)`);
        }
        const first = seen.get(app.name);
        if (first) {
            check.fail(field, `two parameter sets generate the Application ${app.name}: ${JSON.stringify(first.params)} and ${JSON.stringify(app.params)}`);
        }
        seen.set(app.name, app);
    }
}
