// Argo CD's `source.helm`, `source.kustomize` and `source.directory` fields: Helm's --set syntax, the
// layering of values, Argo CD's kustomize edits, the build environment, and every refusal (unknown
// fields, unsupported versions, paths leaving the checkout, Jsonnet).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildEnv, envsubst } from "../../components/source/envsubst";
import { fetchRevision } from "../../components/source/git";
import { helmTemplateRequest, type HelmRenderContext } from "../../components/source/helm-options";
import { escapeSetValue, parseSetInto } from "../../components/source/helm-set";
import { applyKustomizeOverrides, editKustomizationText, parseImageArgument } from "../../components/source/kustomize-overrides";
import { renderSource, type HelmTemplate, type HelmTemplateInvokeOptions, type RenderSpec } from "../../components/source/render";
import type { HelmSource, KustomizeSource } from "../../components/source/source-types";
import { SyncWaveInputError } from "../../components/sync/errors";
import { TestRepo } from "../helpers/git";

/** What `helm template --set name=value` (as Argo CD passes a parameter) makes of the values. */
function set(params: [string, string][], base: Record<string, unknown> = {}, asString = false): Record<string, unknown> {
    const values = structuredClone(base);
    for (const [name, value] of params) parseSetInto(`${name}=${escapeSetValue(value)}`, values, { asString });
    return values;
}

describe("Helm --set syntax (helm.sh/helm/v3 pkg/strvals)", () => {
    const cases: { name: string; params: [string, string][]; base?: Record<string, unknown>; asString?: boolean; want: Record<string, unknown> }[] = [
        { name: "dotted name", params: [["image.tag", "1.2"]], want: { image: { tag: "1.2" } } },
        { name: "into an existing map", params: [["image.tag", "2"]], base: { image: { repository: "nginx", tag: "1" } }, want: { image: { repository: "nginx", tag: 2 } } },
        { name: "integer", params: [["replicas", "3"]], want: { replicas: 3 } },
        { name: "leading zero stays a string", params: [["zip", "0123"]], want: { zip: "0123" } },
        // helm's int64 prints as its digits; a float64 from a million on would print as 9.005365e+06.
        { name: "an integer from a million on goes as its text", params: [["tag", "9005365"], ["neg", "-1000000"], ["below", "999999"]], want: { tag: "9005365", neg: "-1000000", below: 999999 } },
        { name: "zero", params: [["n", "0"]], want: { n: 0 } },
        { name: "float stays a string", params: [["ratio", "1.5"]], want: { ratio: "1.5" } },
        { name: "booleans in any case", params: [["a", "true"], ["b", "FALSE"]], want: { a: true, b: false } },
        { name: "null", params: [["gone", "null"]], base: { gone: 1 }, want: { gone: null } },
        { name: "forceString keeps the text", params: [["replicas", "3"], ["on", "true"]], asString: true, want: { replicas: "3", on: "true" } },
        { name: "index", params: [["servers[1].port", "80"]], want: { servers: [null, { port: 80 }] } },
        { name: "nested index", params: [["m[0][1]", "x"]], want: { m: [[null, "x"]] } },
        { name: "escaped dot in a name", params: [["annotations.kubernetes\\.io/role", "web"]], want: { annotations: { "kubernetes.io/role": "web" } } },
        { name: "a comma in a value is text (Argo CD escapes it)", params: [["hosts", "a,b"]], want: { hosts: "a,b" } },
        { name: "a {…} value is a list", params: [["hosts", "{a,b,3}"]], want: { hosts: ["a", "b", 3] } },
        { name: "empty value", params: [["empty", ""]], want: { empty: "" } },
        { name: "last one wins", params: [["a", "1"], ["a", "2"]], want: { a: 2 } },
    ];
    it.each(cases)("$name", ({ params, base, asString, want }) => {
        expect(set(params, base, asString)).toEqual(want);
    });

    it.each([
        ["a.b", "x", { a: "scalar" }],
        ["list[x]", "1", {}],
        ["a[0]z", "1", {}],
    ])("refuses %s=%s over %j", (name, value, base) => {
        expect(() => set([[name, value]], base)).toThrow();
    });
});

describe("envsubst (Argo CD's Env.Envsubst)", () => {
    const env = buildEnv({ application: "shop", namespace: "prod", revision: "0123456789abcdef", path: "deploy", repoURL: "https://git.example/shop.git", targetRevision: "main" });
    it.each([
        ["$ARGOCD_APP_NAME", "shop"],
        ["${ARGOCD_APP_REVISION_SHORT}", "0123456"],
        ["${ARGOCD_APP_REVISION_SHORT_8}-x", "01234567-x"],
        ["img:$ARGOCD_APP_SOURCE_TARGET_REVISION", "img:main"],
        ["$UNKNOWN-x", "-x"],
        ["cost $$5", "cost $5"],
        ["no variables", "no variables"],
        ["trailing $", "trailing $"],
        ["${}x", "x"],
    ])("%s → %s", (text, want) => expect(envsubst(text, env)).toBe(want));
});

/** A folder standing for a checkout: a chart in `chart/`, files around it. */
function checkout(files: Record<string, string>): { root: string; chartDir: string } {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "syncwave-fields-")));
    for (const [path, content] of Object.entries({ "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n", ...files })) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
    }
    return { root, chartDir: join(root, "chart") };
}

function context(files: Record<string, string>, more: Partial<HelmRenderContext> = {}): HelmRenderContext {
    return { application: "shop", namespace: "shop-ns", env: buildEnv({ application: "shop", revision: "abcdef0123456789" }), ...checkout(files), ...more };
}

/** The refusal expected: an input error naming the application and the field. */
function refused(run: () => unknown, field: string): string {
    let error: unknown;
    try {
        run();
    } catch (err) {
        error = err;
    }
    expect(error, "refused").toBeInstanceOf(SyncWaveInputError);
    const message = (error as Error).message;
    expect(message).toContain("application shop");
    expect(message).toContain(`field ${field}`);
    return message;
}

describe("Helm values: value files < values/valuesObject < parameters < forceString parameters < file parameters", () => {
    const files = { "chart/base.yaml": "tier: files\nimage: { tag: from-file, pullPolicy: Always }\nkeep: file\n", "chart/config.txt": "from a file\n" };

    it("layers every source of values in Helm's order", () => {
        const helm: HelmSource = {
            valueFiles: ["base.yaml"],
            values: "tier: values\nimage: { tag: from-values }\n",
            parameters: [
                { name: "image.tag", value: "from-set-string", forceString: true },
                { name: "image.tag", value: "from-set" },
                { name: "tier", value: "5" },
                { name: "config", value: "from-set" },
            ],
            fileParameters: [{ name: "config", path: "config.txt" }],
        };
        expect(helmTemplateRequest(context(files), helm).values).toEqual({
            tier: 5,
            image: { tag: "from-set-string", pullPolicy: "Always" },
            keep: "file",
            config: "from a file\n",
        });
    });

    it("takes valuesObject over values, as Argo CD's ValuesYAML does", () => {
        const helm: HelmSource = { values: "a: 1\nb: 1\n", valuesObject: { a: 2 } };
        expect(helmTemplateRequest(context({}), helm).values).toEqual({ a: 2 });
    });

    it("never changes the Application's own valuesObject", () => {
        const valuesObject = { image: { tag: "1" } };
        helmTemplateRequest(context({}), { valuesObject, parameters: [{ name: "image.tag", value: "2" }] });
        expect(valuesObject).toEqual({ image: { tag: "1" } });
    });

    it("substitutes the build environment in parameter values and value file names", () => {
        const request = helmTemplateRequest(context({ "chart/shop.yaml": "fromApp: true\n" }), {
            valueFiles: ["$ARGOCD_APP_NAME.yaml"],
            parameters: [{ name: "rev", value: "$ARGOCD_APP_REVISION_SHORT" }],
        });
        expect(request.values).toEqual({ fromApp: true, rev: "abcdef0" });
    });

    it("leaves out a missing value file with ignoreMissingValueFiles, and refuses it otherwise", () => {
        expect(helmTemplateRequest(context(files), { valueFiles: ["missing.yaml", "base.yaml"], ignoreMissingValueFiles: true }).values).toMatchObject({ tier: "files" });
        expect(refused(() => helmTemplateRequest(context(files), { valueFiles: ["missing.yaml"] }), "source.helm.valueFiles")).toMatch(/does not exist/);
    });

    it("passes the template options the invoke takes", () => {
        const request = helmTemplateRequest(context({}, { namespace: "release-ns" }), {
            releaseName: "web",
            namespace: "release-ns",
            kubeVersion: "1.29.0",
            apiVersions: ["monitoring.coreos.com/v1/ServiceMonitor"],
            skipCrds: true,
            skipTests: true,
            passCredentials: true,
            version: "v3",
        });
        expect(request).toMatchObject({ releaseName: "web", namespace: "release-ns", kubeVersion: "1.29.0", apiVersions: ["monitoring.coreos.com/v1/ServiceMonitor"], skipCrds: true, passCredentials: true });
        expect(helmTemplateRequest(context({}), {})).toMatchObject({ releaseName: "shop", namespace: "shop-ns", skipCrds: false });
    });
});

describe("Helm file parameters stay inside the checkout", () => {
    it.each([
        ["../../etc/passwd", /outside the checkout/],
        ["/etc/passwd", /does not exist/],
        ["missing.txt", /does not exist/],
    ])("refuses %s", (path, message) => {
        expect(refused(() => helmTemplateRequest(context({}), { fileParameters: [{ name: "x", path }] }), "source.helm.fileParameters[0]")).toMatch(message);
    });

    it("refuses a file parameter symlinked out of the checkout", () => {
        const ctx = context({});
        const outside = join(mkdtempSync(join(tmpdir(), "syncwave-outside-")), "secret.txt");
        writeFileSync(outside, "stolen");
        symlinkSync(outside, join(ctx.chartDir, "secret.txt"));
        expect(refused(() => helmTemplateRequest(ctx, { fileParameters: [{ name: "x", path: "secret.txt" }] }), "source.helm.fileParameters[0]")).toMatch(/outside the checkout/);
    });

    it("reads an absolute path from the checkout root", () => {
        const ctx = context({ "files/ca.pem": "CERT" });
        expect(helmTemplateRequest(ctx, { fileParameters: [{ name: "tls.ca", path: "/files/ca.pem" }] }).values).toEqual({ tls: { ca: "CERT" } });
    });
});

describe("Helm settings the provider cannot honour are refused", () => {
    it.each<[HelmSource, string, RegExp]>([
        [{ version: "v2" }, "source.helm.version", /helm version 'v2' is not supported/],
        [{ version: "v4" }, "source.helm.version", /Helm 3/],
        [{ skipSchemaValidation: true }, "source.helm.skipSchemaValidation", /always validates/],
        [{ kubeVersion: "latest" }, "source.helm.kubeVersion", /could not parse/],
        [{ values: "- a list\n" }, "source.helm.values", /not a YAML map/],
        [{ namespace: "elsewhere" }, "source.helm.namespace", /other than destination.namespace \(shop-ns\)/],
        [{ parameters: [{ name: "a.b", value: "1" }, { name: "a.b.c", value: "2" }] }, "source.helm.parameters[1]", /a\.b|b/],
    ])("%j", (helm, field, message) => {
        expect(refused(() => helmTemplateRequest(context({}), helm), field)).toMatch(message);
    });
});

describe("unknown and mistyped fields are refused, naming the field", () => {
    const spec = (more: Partial<RenderSpec>): RenderSpec => ({ application: "shop", checkoutDir: tmpdir(), path: ".", ...more });
    it.each<[Partial<RenderSpec>, string, RegExp]>([
        [{ helm: { valueFile: ["x"] } as unknown as HelmSource }, "source.helm.valueFile", /unknown field/],
        [{ helm: { parameters: [{ name: "a", value: "1", forcestring: true }] } as unknown as HelmSource }, "source.helm.parameters[0].forcestring", /unknown field/],
        [{ helm: { parameters: [{ name: "a", value: 3 }] } as unknown as HelmSource }, "source.helm.parameters[0].value", /must be a string/],
        [{ helm: { fileParameters: [{ name: "a" }] } as unknown as HelmSource }, "source.helm.fileParameters[0].path", /is required/],
        [{ kustomize: { commonLabel: { a: "b" } } as unknown as KustomizeSource }, "source.kustomize.commonLabel", /unknown field/],
        [{ kustomize: { replicas: [{ name: "web", count: "two" }] } as unknown as KustomizeSource }, "source.kustomize.replicas[0].count", /integer/],
        [{ kustomize: { patches: [{ patch: "x", target: { kind: "Deployment", selector: "a" } }] } as unknown as KustomizeSource }, "source.kustomize.patches[0].target.selector", /unknown field/],
        [{ kustomize: { version: "v5.4.0" } }, "source.kustomize.version", /not supported/],
        [{ kustomize: { kubeVersion: "1.29" } }, "source.kustomize.kubeVersion", /helmCharts/],
        [{ kustomize: { apiVersions: ["v1"] } }, "source.kustomize.apiVersions", /helmCharts/],
        [{ directory: { recursive: true } as unknown as RenderSpec["directory"] }, "source.directory.recursive", /unknown field/],
        [{ directory: { jsonnet: { tlas: [{ name: "env", value: "prod" }] } } }, "source.directory.jsonnet", /Jsonnet is not supported/],
        [{ helm: {}, kustomize: {} }, "source", /multiple application sources defined: Helm,Kustomize/],
    ])("%j", async (more, field, message) => {
        const error = await renderSource(spec(more)).then(
            () => undefined,
            (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(SyncWaveInputError);
        expect((error as Error).message).toContain(`field ${field}`);
        expect((error as Error).message).toMatch(message);
    });
});

describe("Argo CD's kustomize edits", () => {
    const env = buildEnv({ application: "shop", revision: "0123456789abcdef" });
    const edit = (k: Record<string, unknown>, o: KustomizeSource) => applyKustomizeOverrides(k, o, env);

    it.each<[string, Record<string, unknown>, KustomizeSource, Record<string, unknown>]>([
        ["name prefix and suffix replace the file's", { namePrefix: "a-" }, { namePrefix: "p-", nameSuffix: "-s" }, { namePrefix: "p-", nameSuffix: "-s" }],
        ["namespace", {}, { namespace: "team" }, { namespace: "team" }],
        [
            "images: new entries, a replaced entry, sorted by name",
            { images: [{ name: "nginx", newTag: "1.0", tagSuffix: "-x" }, { name: "zeta", newTag: "9" }] },
            { images: ["nginx=registry.example:5000/nginx:1.27", "alpine@sha256:abc", "busybox:1.36"] },
            {
                images: [
                    { name: "alpine", digest: "sha256:abc" },
                    { name: "busybox", newTag: "1.36" },
                    { name: "nginx", newName: "registry.example:5000/nginx", newTag: "1.27" },
                    { name: "zeta", newTag: "9" },
                ],
            },
        ],
        ["image `*` keeps the existing part", { images: [{ name: "app", newName: "reg/app", newTag: "1" }] }, { images: ["app=*:2"] }, { images: [{ name: "app", newName: "reg/app", newTag: "2" }] }],
        ["image with the build environment", {}, { images: ["app=reg/app:${ARGOCD_APP_REVISION_SHORT}"] }, { images: [{ name: "app", newName: "reg/app", newTag: "0123456" }] }],
        [
            "replicas: string counts, existing kept, sorted",
            { replicas: [{ name: "worker", count: 1 }, { name: "web", count: 1 }] },
            { replicas: [{ name: "web", count: "4" }, { name: "api", count: 2 }] },
            { replicas: [{ name: "api", count: 2 }, { name: "web", count: 4 }, { name: "worker", count: 1 }] },
        ],
        ["common labels merge (with the build environment)", { commonLabels: { team: "a" } }, { commonLabels: { app: "$ARGOCD_APP_NAME" } }, { commonLabels: { team: "a", app: "shop" } }],
        ["forced labels replace", { commonLabels: { team: "a" } }, { commonLabels: { team: "b" }, forceCommonLabels: true }, { commonLabels: { team: "b" } }],
        ["labels without selector", {}, { commonLabels: { team: "a" }, labelWithoutSelector: true }, { labels: [{ pairs: { team: "a" } }] }],
        [
            "labels without selector join the matching entry",
            { labels: [{ pairs: { x: "1" }, includeSelectors: true }, { pairs: { y: "2" } }] },
            { commonLabels: { team: "a" }, labelWithoutSelector: true },
            { labels: [{ pairs: { x: "1" }, includeSelectors: true }, { pairs: { y: "2", team: "a" } }] },
        ],
        ["labels including templates", {}, { commonLabels: { team: "a" }, labelWithoutSelector: true, labelIncludeTemplates: true }, { labels: [{ pairs: { team: "a" }, includeTemplates: true }] }],
        ["annotations are not substituted by default", {}, { commonAnnotations: { rev: "$ARGOCD_APP_REVISION" } }, { commonAnnotations: { rev: "$ARGOCD_APP_REVISION" } }],
        ["annotations substituted when asked", {}, { commonAnnotations: { rev: "$ARGOCD_APP_REVISION_SHORT" }, commonAnnotationsEnvsubst: true }, { commonAnnotations: { rev: "0123456" } }],
        [
            "patches append to the file's own",
            { patches: [{ path: "p.yaml" }] },
            { patches: [{ patch: "- op: add", target: { kind: "Deployment" } }] },
            { patches: [{ path: "p.yaml" }, { patch: "- op: add", target: { kind: "Deployment" } }] },
        ],
        ["components add once", { components: ["../c1"] }, { components: ["../c1", "../c2"] }, { components: ["../c1", "../c2"] }],
    ])("%s", (_name, before, overrides, want) => {
        const after = edit(before, overrides);
        expect(after).toMatchObject(want);
        for (const [key, value] of Object.entries(want)) expect(after[key]).toEqual(value);
    });

    it.each<[string, Record<string, unknown>, KustomizeSource, string, RegExp]>([
        ["an existing label without force", { commonLabels: { team: "a" } }, { commonLabels: { team: "b" } }, "source.kustomize.commonLabels", /already in kustomization file/],
        ["an existing annotation without force", { commonAnnotations: { a: "1" } }, { commonAnnotations: { a: "2" } }, "source.kustomize.commonAnnotations", /already/],
        ["an image without tag or new name", {}, { images: ["nginx"] }, "source.kustomize.images[0]", /invalid image/],
        ["includeTemplates alone", {}, { commonLabels: { a: "b" }, labelIncludeTemplates: true }, "source.kustomize.labelIncludeTemplates", /labelWithoutSelector/],
        ["a glob component", {}, { components: ["comps/*"] }, "source.kustomize.components[0]", /glob/],
    ])("refuses %s", (_name, before, overrides, field, message) => {
        let error: unknown;
        try {
            edit(before, overrides);
        } catch (err) {
            error = err;
        }
        expect((error as { field?: string }).field).toBe(field);
        expect((error as Error).message).toMatch(message);
    });

    it("leaves out a missing component with ignoreMissingComponents, and refuses it otherwise", () => {
        const exists = (p: string) => p === "../present";
        expect(applyKustomizeOverrides({}, { components: ["../missing", "../present"], ignoreMissingComponents: true }, env, exists).components).toEqual(["../present"]);
        expect(() => applyKustomizeOverrides({}, { components: ["../missing"] }, env, exists)).toThrow(/does not exist/);
    });

    it("keeps the kustomization file's comments and other fields", () => {
        const text = "# the web app\nresources:\n  - deploy.yaml # the deployment\nnamePrefix: old-\n";
        const edited = editKustomizationText(text, { namePrefix: "new-" }, env);
        expect(edited).toContain("# the web app");
        expect(edited).toContain("# the deployment");
        expect(edited).toContain("namePrefix: new-");
    });

    it.each([
        ["nginx:1.27", { name: "nginx", newTag: "1.27", digest: "" }],
        ["localhost:5000/app:2", { name: "localhost:5000/app", newTag: "2", digest: "" }],
        ["a=b", { name: "a", newName: "b", newTag: "", digest: "" }],
        ["a=b:1@sha256:d", { name: "a", newName: "b", newTag: "1", digest: "sha256:d" }],
    ])("image argument %s", (arg, want) => {
        expect(parseImageArgument(arg)).toEqual(want);
    });

    it("refuses an image argument whose registry port would read as a tag", () => {
        expect(() => parseImageArgument("localhost:5000/app")).toThrow(/invalid image/);
    });
});

describe("rendering with the fields, from a real repository", () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "syncwave-fields-cache-"));
    const deployment = (name: string, image: string) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: ${name} }\n  template:\n    metadata:\n      labels: { app: ${name} }\n    spec:\n      containers:\n        - { name: main, image: ${image} }\n`;

    it("applies the kustomize edits on a copy, never on the cached checkout", async () => {
        const repo = new TestRepo();
        repo.commit({
            "base/kustomization.yaml": "resources:\n  - web.yaml\n",
            "base/web.yaml": deployment("web", "nginx:1.25"),
            "components/debug/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  debug: \"on\"\n",
        });
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        const kustomize: KustomizeSource = {
            namePrefix: "prod-",
            images: ["nginx=nginx:1.27"],
            replicas: [{ name: "web", count: 3 }],
            commonLabels: { team: "shop" },
            components: ["../components/debug"],
        };
        const rendered = await renderSource({ application: "shop", checkoutDir: fetched.checkoutDir, path: "base", kustomize });
        const web = rendered[0].manifest as unknown as { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
        expect(web.metadata.name).toBe("prod-web");
        expect(web.metadata.labels.team).toBe("shop");
        expect(web.metadata.annotations.debug).toBe("on");
        expect(web.spec.replicas).toBe(3);
        expect(web.spec.template.spec.containers[0].image).toBe("nginx:1.27");
        expect(readFileSync(join(fetched.checkoutDir, "base/kustomization.yaml"), "utf8")).toBe("resources:\n  - web.yaml\n");
    });

    it("refuses a component or patch file outside the checkout, added by the edits", async () => {
        const repo = new TestRepo();
        repo.commit({ "base/kustomization.yaml": "resources:\n  - web.yaml\n", "base/web.yaml": deployment("web", "nginx") });
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        for (const kustomize of [{ components: ["../../../somewhere"] }, { patches: [{ path: "../../../etc/passwd" }] }] as KustomizeSource[]) {
            const error = await renderSource({ application: "shop", checkoutDir: fetched.checkoutDir, path: "base", kustomize }).then(
                () => undefined,
                (err: unknown) => err,
            );
            expect(error).toBeInstanceOf(SyncWaveInputError);
            expect((error as Error).message).toMatch(/outside the checkout/);
        }
    });

    it("refuses a .jsonnet file in a directory source, naming it", async () => {
        const repo = new TestRepo();
        repo.commit({ "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n", "app/main.jsonnet": "{}" });
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        const error = await renderSource({ application: "shop", checkoutDir: fetched.checkoutDir, path: "app" }).then(
            () => undefined,
            (err: unknown) => err,
        );
        expect((error as Error).message).toContain("file app/main.jsonnet");
        expect((error as Error).message).toMatch(/Jsonnet is not supported/);
        // Left out by an exclude, the rest renders.
        const rendered = await renderSource({ application: "shop", checkoutDir: fetched.checkoutDir, path: "app", directory: { exclude: "*.jsonnet" } });
        expect(rendered.map((r) => r.manifest.metadata.name)).toEqual(["a"]);
    });

    it("passes the Helm options to the provider's template invoke", async () => {
        const repo = new TestRepo();
        repo.commit({ "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n", "chart/values.yaml": "replicas: 1\n" });
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        const seen: HelmTemplateInvokeOptions[] = [];
        const helmTemplate: HelmTemplate = async (options) => {
            seen.push(options);
            return [];
        };
        await renderSource(
            {
                application: "shop",
                checkoutDir: fetched.checkoutDir,
                path: "chart",
                namespace: "dest",
                helm: { releaseName: "web", parameters: [{ name: "replicas", value: "2" }], skipCrds: true, kubeVersion: "1.30.0", apiVersions: ["v1"], namespace: "dest" },
            },
            helmTemplate,
        );
        expect(seen).toEqual([
            { path: realpathSync(join(fetched.checkoutDir, "chart")), values: { replicas: 2 }, release_name: "web", namespace: "dest", kube_version: "1.30.0", api_versions: ["v1"], skip_crd_rendering: true },
        ]);
        expect(existsSync(join(fetched.checkoutDir, "chart"))).toBe(true);
    });
});
