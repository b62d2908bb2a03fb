// The renderer settings of an Application's source, with Argo CD's field names and types
// (pkg/apis/application/v1alpha1/types.go: ApplicationSourceDirectory, ApplicationSourceHelm,
// ApplicationSourceKustomize).

export interface JsonnetVar {
    name: string;
    value: string;
    code?: boolean;
}

export interface DirectorySource {
    recurse?: boolean;
    /** Glob of file paths (relative to the source path) to include, e.g. "*.yaml" or "{a.yaml,b.yaml}". */
    include?: string;
    exclude?: string;
    /** Consider every file, not only .yaml/.yml/.json/.jsonnet; include/exclude then decide. */
    disableExtensionFilter?: boolean;
    /** Refused when set: SyncWave does not evaluate Jsonnet. */
    jsonnet?: { extVars?: JsonnetVar[]; tlas?: JsonnetVar[]; libs?: string[] };
}

/** `helm.parameters[]`: one `--set` (or `--set-string` with forceString). */
export interface HelmParameter {
    name: string;
    value?: string;
    forceString?: boolean;
}

/** `helm.fileParameters[]`: one `--set-file`, the path inside the checkout. */
export interface HelmFileParameter {
    name: string;
    path: string;
}

export interface HelmSource {
    releaseName?: string;
    valueFiles?: string[];
    ignoreMissingValueFiles?: boolean;
    /** A YAML document (Argo CD's field is a string); SyncWave also takes an object here. */
    values?: Record<string, unknown> | string;
    /** Takes precedence over `values`. */
    valuesObject?: Record<string, unknown>;
    parameters?: HelmParameter[];
    fileParameters?: HelmFileParameter[];
    /** "" or "v3": the provider renders with Helm 3. */
    version?: string;
    /** Recorded; only meaningful for charts fetched from a Helm repository. */
    passCredentials?: boolean;
    skipCrds?: boolean;
    skipTests?: boolean;
    /** Refused when true: the provider always validates values against the chart's schema. */
    skipSchemaValidation?: boolean;
    /** The release namespace; the destination namespace when empty. Refused when it differs from it (see helm-options.ts). */
    namespace?: string;
    kubeVersion?: string;
    apiVersions?: string[];
}

export interface KustomizeReplica {
    name: string;
    count: number | string;
}

export interface KustomizePatch {
    path?: string;
    patch?: string;
    target?: {
        group?: string;
        version?: string;
        kind?: string;
        name?: string;
        namespace?: string;
        annotationSelector?: string;
        labelSelector?: string;
    };
    options?: Record<string, boolean>;
}

export interface KustomizeSource {
    namePrefix?: string;
    nameSuffix?: string;
    /** `kustomize edit set image` arguments: `name=newName:tag`, `name:tag`, `name@digest`, `name=*:tag`. */
    images?: string[];
    commonLabels?: Record<string, string>;
    commonAnnotations?: Record<string, string>;
    commonAnnotationsEnvsubst?: boolean;
    forceCommonLabels?: boolean;
    forceCommonAnnotations?: boolean;
    labelWithoutSelector?: boolean;
    labelIncludeTemplates?: boolean;
    namespace?: string;
    replicas?: KustomizeReplica[];
    patches?: KustomizePatch[];
    components?: string[];
    ignoreMissingComponents?: boolean;
    /** Refused unless empty: there is one kustomize, the toolchain's kubectl. */
    version?: string;
    /** Refused unless empty: they only reach Helm charts inflated by kustomize, which SyncWave does not run. */
    kubeVersion?: string;
    apiVersions?: string[];
}
