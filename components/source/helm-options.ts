// What `source.helm` asks of `helm template`, as Argo CD's reposerver/repository/repository.go
// `helmTemplate` and util/helm/cmd.go `template` build it, turned into one request for the Kubernetes
// provider's `kubernetes:helm:template` invoke (which takes a values map, not --set flags). Values are
// layered as Helm's MergeValues does with Argo CD's flags: value files, then `values`/`valuesObject`
// (one extra values file), then `--set`, `--set-string` (forceString) and `--set-file`.
import { readFileSync } from "node:fs";
import { SyncWaveInputError } from "../sync/errors";
import { CheckoutPathError, resolveValueFile } from "./checkout-paths";
import { envsubst, type BuildEnv } from "./envsubst";
import { escapeSetValue, HelmSetError, parseSetFileInto, parseSetInto, type Values } from "./helm-set";
import { helmValues, valuesFromYaml, ValuesFileError } from "./helm-values";
import { refOf, resolveValueFilesWithRefs, type RefCheckouts } from "./ref-value-files";
import type { HelmSource } from "./source-types";

/** One render of a chart folder, in the invoke's terms. */
export interface HelmTemplateRequest {
    chartDir: string;
    values: Values;
    releaseName: string;
    /** The release namespace (`.Release.Namespace`). */
    namespace?: string;
    /** Replaces the destination cluster's version (`.Capabilities.KubeVersion`). */
    kubeVersion?: string;
    /** Replaces the destination cluster's API versions (`.Capabilities.APIVersions`). */
    apiVersions?: string[];
    skipCrds: boolean;
    /** Recorded for charts from a Helm repository; a chart in the checkout has no credentials to pass. */
    passCredentials: boolean;
}

/** The Helm versions the provider's template support renders with: it links Helm 3. */
const HELM_VERSIONS = ["", "v3"];

export interface HelmRenderContext {
    application: string;
    /** Real path of the checkout root and of the chart folder inside it. */
    root: string;
    chartDir: string;
    /** The destination namespace. */
    namespace?: string;
    env: BuildEnv;
    /** A multi-source Application's `ref` checkouts, for `$ref/...` value files; undefined with one source. */
    refs?: RefCheckouts;
}

function inputError(context: HelmRenderContext, field: string, message: string, file?: string): SyncWaveInputError {
    return new SyncWaveInputError(message, { application: context.application, field, ...(file ? { file } : {}) });
}

/** Runs `fn`, turning a path leaving the checkout or a parameter Helm cannot parse into an input error on `field`. */
function within<T>(context: HelmRenderContext, field: string, fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        if (err instanceof CheckoutPathError) throw inputError(context, field, err.message, err.file);
        if (err instanceof HelmSetError) throw inputError(context, field, err.message);
        if (err instanceof ValuesFileError) throw inputError(context, field, err.message, err.file);
        throw err;
    }
}

/** Refuses what the provider's template support cannot do, before anything is read. */
export function checkHelmOptions(application: string, helm: HelmSource): void {
    const version = helm.version ?? "";
    if (!HELM_VERSIONS.includes(version)) {
        const why = version === "v4" ? "SyncWave renders charts with Helm 3 (the Kubernetes provider's)" : "only v3 is supported";
        throw new SyncWaveInputError(`helm version '${version}' is not supported: ${why}`, { application, field: "source.helm.version" });
    }
    if (helm.skipSchemaValidation) {
        throw new SyncWaveInputError(
            "skipSchemaValidation is not supported: the Kubernetes provider's helm template always validates values against the chart's values.schema.json",
            { application, field: "source.helm.skipSchemaValidation" },
        );
    }
    if (helm.kubeVersion && !/^v?\d+\.\d+(\.\d+)?([-+].*)?$/.test(helm.kubeVersion)) {
        throw new SyncWaveInputError(`could not parse kubernetes version ${helm.kubeVersion}`, { application, field: "source.helm.kubeVersion" });
    }
}

/** The values of `values`/`valuesObject`: valuesObject replaces values when both are set, as Argo CD's ValuesYAML. */
function inlineValues(context: HelmRenderContext, helm: HelmSource): Values | undefined {
    if (helm.valuesObject && Object.keys(helm.valuesObject).length > 0) return helm.valuesObject;
    if (typeof helm.values !== "string") return helm.values;
    try {
        return valuesFromYaml(helm.values);
    } catch (err) {
        throw inputError(context, "source.helm.values", (err as Error).message);
    }
}

/** The merged values and the invoke's options for a chart in the checkout. */
export function helmTemplateRequest(context: HelmRenderContext, helm: HelmSource = {}): HelmTemplateRequest {
    checkHelmOptions(context.application, helm);
    // The invoke uses one namespace for both `.Release.Namespace` and every namespaced object the chart
    // leaves without one (pulumi-kubernetes invoke_decode_yaml.go); Argo CD puts those objects in the
    // destination namespace. The two agree only when the release namespace is the destination's.
    if (helm.namespace && helm.namespace !== context.namespace) {
        throw inputError(
            context,
            "source.helm.namespace",
            `a release namespace other than destination.namespace (${context.namespace ?? "none"}) is not supported: the Kubernetes provider's helm template would also move every object without a namespace into ${helm.namespace}`,
        );
    }
    const { root, chartDir, env } = context;
    // In a multi-source Application `$ref/...` names another source's checkout, and Argo CD's build
    // variables are filled into the others only; with one source `$` only starts a build variable
    // (Argo CD's resolveReferencedSources looks for refs only with several sources).
    const valueFiles = within(context, "source.helm.valueFiles", () =>
        resolveValueFilesWithRefs(
            root,
            chartDir,
            (helm.valueFiles ?? []).map((f) => (context.refs !== undefined && refOf(f) ? f : envsubst(f, env))),
            context.refs,
            { ignoreMissing: helm.ignoreMissingValueFiles },
        ),
    );
    // A copy: --set writes into the maps it finds, and those may be the Application's own valuesObject.
    const inline = inlineValues(context, helm);
    const values = structuredClone(within(context, "source.helm.valueFiles", () => helmValues(valueFiles, inline))) as Values;

    const parameters = helm.parameters ?? [];
    // Helm applies every --set before every --set-string, whatever their order in the Application.
    for (const asString of [false, true]) {
        for (const [i, p] of parameters.entries()) {
            if (Boolean(p.forceString) !== asString) continue;
            within(context, `source.helm.parameters[${i}]`, () =>
                parseSetInto(`${p.name}=${escapeSetValue(envsubst(p.value ?? "", env))}`, values, { asString }),
            );
        }
    }
    for (const [i, p] of (helm.fileParameters ?? []).entries()) {
        const field = `source.helm.fileParameters[${i}]`;
        const written = envsubst(p.path, env);
        const path = within(context, field, () => resolveValueFile(root, chartDir, written));
        if (path === undefined) throw inputError(context, field, "file does not exist in the checkout", written);
        within(context, field, () =>
            parseSetFileInto(`${p.name}=${escapeSetValue(path)}`, values, (read) => {
                // Only the file just resolved is ever read, whatever a strange name makes the parser see.
                if (read !== path) throw new HelmSetError(`file parameter name ${p.name} is not a plain value name`);
                return readFileSync(path, "utf8");
            }),
        );
    }

    return {
        chartDir,
        values,
        releaseName: helm.releaseName || context.application,
        namespace: helm.namespace || context.namespace,
        ...(helm.kubeVersion ? { kubeVersion: helm.kubeVersion } : {}),
        ...(helm.apiVersions?.length ? { apiVersions: helm.apiVersions } : {}),
        skipCrds: Boolean(helm.skipCrds),
        passCredentials: Boolean(helm.passCredentials),
    };
}
