// Checks `source.helm`, `source.kustomize` and `source.directory` against Argo CD's field names and
// types before anything is rendered: an unknown or mistyped field is refused, naming it, never ignored.
import { SyncWaveInputError } from "../sync/errors";

type Shape =
    | "string"
    | "boolean"
    | "stringList"
    | "stringMap"
    | "object"
    | "intOrString"
    | { oneOf: Shape[] }
    | { fields: Record<string, Shape>; required?: string[] }
    | { list: Shape };

const jsonnetVar: Shape = { fields: { name: "string", value: "string", code: "boolean" }, required: ["name"] };

const DIRECTORY: Shape = {
    fields: {
        recurse: "boolean",
        include: "string",
        exclude: "string",
        disableExtensionFilter: "boolean",
        jsonnet: { fields: { extVars: { list: jsonnetVar }, tlas: { list: jsonnetVar }, libs: "stringList" } },
    },
};

const HELM: Shape = {
    fields: {
        releaseName: "string",
        valueFiles: "stringList",
        ignoreMissingValueFiles: "boolean",
        values: { oneOf: ["string", "object"] },
        valuesObject: "object",
        parameters: { list: { fields: { name: "string", value: "string", forceString: "boolean" }, required: ["name"] } },
        fileParameters: { list: { fields: { name: "string", path: "string" }, required: ["name", "path"] } },
        version: "string",
        passCredentials: "boolean",
        skipCrds: "boolean",
        skipTests: "boolean",
        skipSchemaValidation: "boolean",
        namespace: "string",
        kubeVersion: "string",
        apiVersions: "stringList",
    },
};

const KUSTOMIZE: Shape = {
    fields: {
        namePrefix: "string",
        nameSuffix: "string",
        images: "stringList",
        commonLabels: "stringMap",
        commonAnnotations: "stringMap",
        commonAnnotationsEnvsubst: "boolean",
        forceCommonLabels: "boolean",
        forceCommonAnnotations: "boolean",
        labelWithoutSelector: "boolean",
        labelIncludeTemplates: "boolean",
        namespace: "string",
        replicas: { list: { fields: { name: "string", count: "intOrString" }, required: ["name", "count"] } },
        patches: {
            list: {
                fields: {
                    path: "string",
                    patch: "string",
                    target: {
                        fields: {
                            group: "string",
                            version: "string",
                            kind: "string",
                            name: "string",
                            namespace: "string",
                            annotationSelector: "string",
                            labelSelector: "string",
                        },
                    },
                    options: { fields: { allowNameChange: "boolean", allowKindChange: "boolean" } },
                },
            },
        },
        components: "stringList",
        ignoreMissingComponents: "boolean",
        version: "string",
        kubeVersion: "string",
        apiVersions: "stringList",
    },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function describe(shape: Shape): string {
    if (typeof shape === "string") {
        return { string: "a string", boolean: "true or false", stringList: "a list of strings", stringMap: "a map of strings", object: "a map", intOrString: "an integer" }[shape];
    }
    if ("oneOf" in shape) return shape.oneOf.map(describe).join(" or ");
    if ("list" in shape) return "a list";
    return "a map";
}

/** The first problem with `value` at `field`, or undefined. */
function problem(value: unknown, shape: Shape, field: string): { field: string; message: string } | undefined {
    const wrong = { field, message: `must be ${describe(shape)}` };
    if (typeof shape === "string") {
        switch (shape) {
            case "string":
                return typeof value === "string" ? undefined : wrong;
            case "boolean":
                return typeof value === "boolean" ? undefined : wrong;
            case "object":
                return isObject(value) ? undefined : wrong;
            case "intOrString":
                return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value.trim())) ? undefined : wrong;
            case "stringList":
                return Array.isArray(value) && value.every((v) => typeof v === "string") ? undefined : wrong;
            case "stringMap":
                return isObject(value) && Object.values(value).every((v) => typeof v === "string") ? undefined : wrong;
        }
    }
    if ("oneOf" in shape) return shape.oneOf.some((s) => problem(value, s, field) === undefined) ? undefined : wrong;
    if ("list" in shape) {
        if (!Array.isArray(value)) return wrong;
        for (const [i, item] of value.entries()) {
            const p = problem(item, shape.list, `${field}[${i}]`);
            if (p) return p;
        }
        return undefined;
    }
    if (!isObject(value)) return wrong;
    for (const [key, v] of Object.entries(value)) {
        const sub = shape.fields[key];
        if (!sub) return { field: `${field}.${key}`, message: `unknown field (expected one of ${Object.keys(shape.fields).join(", ")})` };
        // An explicit null is an omitted field, as in a Kubernetes object.
        if (v === null || v === undefined) continue;
        const p = problem(v, sub, `${field}.${key}`);
        if (p) return p;
    }
    for (const key of shape.required ?? []) {
        if (value[key] === undefined || value[key] === null) return { field: `${field}.${key}`, message: "is required" };
    }
    return undefined;
}

const SHAPES: Record<string, Shape> = { directory: DIRECTORY, helm: HELM, kustomize: KUSTOMIZE };

/** Refuses an unknown or mistyped field in `source.directory`, `source.helm` or `source.kustomize`. */
export function checkSourceFields(application: string, source: { directory?: unknown; helm?: unknown; kustomize?: unknown }): void {
    for (const [key, shape] of Object.entries(SHAPES)) {
        const value = source[key as keyof typeof source];
        if (value === undefined || value === null) continue;
        const p = problem(value, shape, `source.${key}`);
        if (p) throw new SyncWaveInputError(p.message, { application, field: p.field });
    }
    // As Argo CD's ApplicationSource.ExplicitType: one renderer per source.
    const explicit = Object.keys(SHAPES).filter((k) => source[k as keyof typeof source] != null);
    if (explicit.length > 1) {
        throw new SyncWaveInputError(`multiple application sources defined: ${explicit.map((k) => k[0].toUpperCase() + k.slice(1)).join(",")}`, {
            application,
            field: "source",
        });
    }
}
