// ApplicationSet template rendering: Go templates against the conformance table that Go itself
// produced (test/unit/fixtures/gotemplate-conformance.json, from toolchain/gotemplate/conformance/gen),
// Argo CD's default fasttemplate mode against its own tests' cases, and whole Applications in both
// modes with a templatePatch.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { executeGoTemplates, GO_TEMPLATE_BINARY_ENV } from "../../components/fleet/template/go-template";
import { renderApplicationTemplates, renderStrings } from "../../components/fleet/template/render";
import conformance from "./fixtures/gotemplate-conformance.json";

interface ConformanceRow {
    name: string;
    mode: string;
    template: string;
    params: Record<string, unknown>;
    options?: string[];
    text?: string;
    error?: { stage: string; class: string; message: string };
}

const rows = conformance.rows as ConformanceRow[];

/** The message Argo CD's Render.Replace wraps Go's error in, by the step that failed. */
function argoMessage(row: ConformanceRow): string {
    const { stage, message } = row.error!;
    if (stage === "parse") return `failed to parse template ${row.template}: ${message}`;
    if (stage === "execute") return `failed to execute go template ${row.template}: ${message}`;
    if (stage === "fasttemplate") return `invalid template: ${message}`;
    return message;
}

async function renderRows(mode: string): Promise<Map<ConformanceRow, Awaited<ReturnType<typeof renderStrings>>[number]>> {
    const byOptions = new Map<string, ConformanceRow[]>();
    for (const row of rows.filter((r) => r.mode === mode)) {
        const key = JSON.stringify(row.options ?? []);
        byOptions.set(key, [...(byOptions.get(key) ?? []), row]);
    }
    const rendered = new Map<ConformanceRow, Awaited<ReturnType<typeof renderStrings>>[number]>();
    for (const [key, group] of byOptions) {
        const results = await renderStrings(
            group.map((row) => ({ template: row.template, params: row.params })),
            { goTemplate: mode === "goTemplate", goTemplateOptions: JSON.parse(key) },
        );
        group.forEach((row, i) => rendered.set(row, results[i]));
    }
    return rendered;
}

describe.each(["goTemplate", "fasttemplate"])("conformance with Go (%s)", (mode) => {
    it(`renders every ${mode} row of the table exactly as Go did`, async () => {
        const rendered = await renderRows(mode);
        expect(rendered.size).toBeGreaterThan(10);
        for (const [row, result] of rendered) {
            const context = `${row.name}: ${JSON.stringify(row.template)}`;
            if (row.text !== undefined) {
                expect(result, context).toEqual({ ok: true, text: row.text });
            } else if (row.error!.stage === "options") {
                expect(result.ok, context).toBe(false);
                expect(!result.ok && result.error, context).toContain(row.error!.message);
            } else {
                expect(result, context).toEqual({ ok: false, error: argoMessage(row) });
            }
        }
    });
});

describe("the table covers what ApplicationSet users write", () => {
    it.each([
        "default", "lower", "upper", "replace", "trunc", "quote", "squote", "toYaml", "printf", "index", "normalize",
        "slugify 10 false", ".path.basename", "index .metadata.labels", "{{-", "range", "with", "else", "|",
    ])("has a goTemplate row using %s", (fragment) => {
        expect(rows.some((row) => row.mode === "goTemplate" && row.template.includes(fragment))).toBe(true);
    });

    it.each(["undefined-function", "missing-key", "syntax", "function-error", "invalid-option"])("has a Go error of class %s", (errorClass) => {
        expect(rows.some((row) => row.error?.class === errorClass)).toBe(true);
    });

    it("shows missingkey=error against the default <no value>", () => {
        const missing = rows.filter((row) => row.template === "{{ .missing }}");
        expect(missing.find((row) => !row.options)?.text).toBe("<no value>");
        expect(missing.find((row) => row.options?.includes("missingkey=error"))?.error?.class).toBe("missing-key");
    });
});

// The cases of TestRenderTemplateParams (argo-cd applicationset/utils/utils_test.go), re-expressed:
// each value is put in turn into each templated field of an otherwise fixed Application.
describe("fasttemplate mode (Argo CD's default), as Argo CD's own tests have it", () => {
    const fields: Array<[string, (app: Record<string, any>) => unknown, (app: Record<string, any>, v: string) => void]> = [
        ["spec.source.path", (a) => a.spec.source.path, (a, v) => (a.spec.source.path = v)],
        ["spec.source.repoURL", (a) => a.spec.source.repoURL, (a, v) => (a.spec.source.repoURL = v)],
        ["spec.source.targetRevision", (a) => a.spec.source.targetRevision, (a, v) => (a.spec.source.targetRevision = v)],
        ["spec.destination.server", (a) => a.spec.destination.server, (a, v) => (a.spec.destination.server = v)],
        ["spec.destination.namespace", (a) => a.spec.destination.namespace, (a, v) => (a.spec.destination.namespace = v)],
        ["spec.project", (a) => a.spec.project, (a, v) => (a.spec.project = v)],
    ];
    const application = () => ({
        metadata: {
            name: "application-one",
            namespace: "default",
            labels: { "label-key": "label-value" },
            annotations: { "annotation-key": "annotation-value" },
        },
        spec: { project: "", source: { path: "", repoURL: "", targetRevision: "" }, destination: { server: "", namespace: "" } },
    });

    it.each([
        ["a tag", "{{one}}", { one: "two" }, "two"],
        ["a tag with spaces inside", "{{ one }}", { one: "two" }, "two"],
        ["braces that are not a tag", "}} {{", { one: "two" }, "}} {{"],
        ["an empty tag, even with a blank parameter", "{{ }}", { " ": "two", "": "three" }, "{{ }}"],
        ["a parameter whose value is a tag", "{{one}}", { one: "{{ }}" }, "{{ }}"],
        ["a parameter named like the whole tag", "{{one}}", { "{{one}}": "{{two}}" }, "{{one}}"],
        ["a tag in another case", "{{ONE}}", { one: "two" }, "{{ONE}}"],
        ["the same tag twice", "{{one}}{{one}}", { one: "two" }, "twotwo"],
        ["two tags", "{{one}}{{three}}", { one: "two", three: "four" }, "twofour"],
        ["a value with quotes", "{{one}} {{three}}", { one: '"hello" world', three: "four" }, '"hello" world four'],
    ])("%s", async (_name, value, params, expected) => {
        for (const [field, get, set] of fields) {
            const template = application();
            set(template, value);
            const [result] = await renderApplicationTemplates(template, [params], { goTemplate: false });
            if (!result.ok) throw new Error(result.error);
            expect(get(result.application), field).toBe(expected);
            expect(result.application.metadata).toEqual(application().metadata);
        }
    });

    it("leaves a non-string parameter's tag as written (no JSON of it in the text)", async () => {
        const [result] = await renderApplicationTemplates({ metadata: { name: "{{n}}-{{s}}" } }, [{ n: 3, s: "x" }], { goTemplate: false });
        expect(result).toEqual({ ok: true, application: { metadata: { name: "{{n}}-x" } } });
    });

    it("fails a text with an unclosed tag, naming the field", async () => {
        const [result] = await renderApplicationTemplates({ spec: { source: { path: "{{a}}/{{b" } } }, [{ a: "x" }], { goTemplate: false });
        expect(result.ok).toBe(false);
        expect(!result.ok && result.error).toBe(
            'spec.source.path: invalid template: Cannot find end tag="}}" in the template="{{a}}/{{b" starting from "b"',
        );
    });
});

describe("renderApplicationTemplates", () => {
    const template = {
        metadata: {
            name: "{{ .name | normalize }}-guestbook",
            labels: { env: '{{ index .metadata.labels "env" }}', "{{ .metadata.labels.region }}": "region", team: "payments" },
            annotations: { "example.com/unset": null },
        },
        spec: {
            project: "default",
            source: {
                repoURL: "https://git.example.com/apps.git",
                path: "apps/{{ .path.basename }}",
                helm: { valuesObject: { replicas: 2, image: { tag: "{{ .metadata.labels.env }}-latest" }, unset: null }, parameters: [{ name: "x", value: "{{ .name }}" }, null] },
            },
            destination: { server: "{{ .server }}", namespace: "{{ .path.basename }}" },
            syncPolicy: { automated: { prune: true } },
        },
    };
    const prodEU = { name: "Prod_EU", server: "https://10.0.0.1:6443", metadata: { labels: { env: "prod", region: "eu-west-1" } }, path: { basename: "guestbook" } };
    const devUS = { name: "dev-us", server: "https://10.0.0.2:6443", metadata: { labels: { env: "dev", region: "us-east-1" } }, path: { basename: "guestbook" } };

    it("renders every string field and map key with Go templates, once per parameter set", async () => {
        const [prod, dev] = await renderApplicationTemplates(template, [prodEU, devUS], { goTemplate: true, goTemplateOptions: ["missingkey=error"] });
        expect(prod).toEqual({
            ok: true,
            application: {
                metadata: { name: "prod-eu-guestbook", labels: { env: "prod", "eu-west-1": "region", team: "payments" }, annotations: {} },
                spec: {
                    project: "default",
                    source: {
                        repoURL: "https://git.example.com/apps.git",
                        path: "apps/guestbook",
                        helm: { valuesObject: { replicas: 2, image: { tag: "prod-latest" } }, parameters: [{ name: "x", value: "Prod_EU" }, null] },
                    },
                    destination: { server: "https://10.0.0.1:6443", namespace: "guestbook" },
                    syncPolicy: { automated: { prune: true } },
                },
            },
        });
        expect(dev.ok && (dev.application.metadata as any).labels).toEqual({ env: "dev", "us-east-1": "region", team: "payments" });
    });

    it("fails only the parameter set that misses a key under missingkey=error, naming the field", async () => {
        const noRegion = { ...prodEU, metadata: { labels: { env: "prod" } } };
        const [ok, failed] = await renderApplicationTemplates(template, [prodEU, noRegion], { goTemplate: true, goTemplateOptions: ["missingkey=error"] });
        expect(ok.ok).toBe(true);
        expect(failed.ok).toBe(false);
        expect(!failed.ok && failed.error).toBe(
            'the key of metadata.labels["{{ .metadata.labels.region }}"]: failed to execute go template {{ .metadata.labels.region }}: ' +
                'template: base:1:12: executing "base" at <.metadata.labels.region>: map has no entry for key "region"',
        );
    });

    it("prints <no value> for a missing key without missingkey=error", async () => {
        const [result] = await renderApplicationTemplates({ metadata: { name: "{{ .nope }}" } }, [{ a: "b" }], { goTemplate: true });
        expect(result).toEqual({ ok: true, application: { metadata: { name: "<no value>" } } });
    });

    it("leaves the template unrendered for an empty parameter set, as RenderTemplateParams does", async () => {
        const [result] = await renderApplicationTemplates(template, [{}], { goTemplate: true });
        expect(result).toEqual({ ok: true, application: template });
    });

    it("fails every parameter set on an unknown goTemplateOption, even where nothing is templated", async () => {
        const [result] = await renderApplicationTemplates({ metadata: { name: "plain" } }, [{ a: "b" }], { goTemplate: true, goTemplateOptions: ["missingkey=nope"] });
        expect(result.ok).toBe(false);
        expect(!result.ok && result.error).toContain("unrecognized option: missingkey=nope");
    });

    it("renders the same template in fasttemplate mode with flat parameters", async () => {
        const flat = { name: "prod-eu", "metadata.labels.env": "prod", "path.basename": "guestbook" };
        const [result] = await renderApplicationTemplates(
            { metadata: { name: "{{name}}-{{path.basename}}", labels: { env: "{{metadata.labels.env}}", "{{name}}": "cluster" } }, spec: { destination: { namespace: "{{ path.basename }}" } } },
            [flat],
            { goTemplate: false },
        );
        expect(result).toEqual({
            ok: true,
            application: { metadata: { name: "prod-eu-guestbook", labels: { env: "prod", "prod-eu": "cluster" } }, spec: { destination: { namespace: "guestbook" } } },
        });
    });

    describe("templatePatch", () => {
        const base = { metadata: { name: "{{ .name }}" }, spec: { project: "default", source: { path: "apps", targetRevision: "HEAD" }, syncPolicy: { automated: { prune: true } } } };

        it("renders the patch as one text and merges it into the rendered Application", async () => {
            const templatePatch = [
                "{{- if .autoSync }}",
                "spec:",
                "  source:",
                "    targetRevision: {{ .revision | quote }}",
                "  syncPolicy:",
                "    automated:",
                "      selfHeal: yes",
                "{{- else }}",
                "spec:",
                "  syncPolicy: null",
                "{{- end }}",
                "metadata:",
                "  labels:",
                "    {{ .name }}: patched",
            ].join("\n");
            const [auto, manual] = await renderApplicationTemplates(base, [{ name: "a", autoSync: true, revision: "v1.2" }, { name: "b", autoSync: false }], { goTemplate: true, templatePatch });
            expect(auto).toEqual({
                ok: true,
                application: {
                    metadata: { name: "a", labels: { a: "patched" } },
                    spec: { project: "default", source: { path: "apps", targetRevision: "v1.2" }, syncPolicy: { automated: { prune: true, selfHeal: true } } },
                },
            });
            expect(manual).toEqual({ ok: true, application: { metadata: { name: "b", labels: { b: "patched" } }, spec: { project: "default", source: { path: "apps", targetRevision: "HEAD" } } } });
        });

        it("takes a patch that starts with { as JSON, and an empty one as no change", async () => {
            const [json] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: ' {"spec": {"source": {"path": "{{ .name }}"}}}' });
            expect(json.ok && (json.application.spec as any).source).toEqual({ path: "a", targetRevision: "HEAD" });
            const [empty] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: "{{ if false }}spec: {}{{ end }}" });
            expect(empty).toEqual({ ok: true, application: { ...base, metadata: { name: "a" } } });
        });

        it("cannot change spec.project", async () => {
            const [result] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: "spec:\n  project: admin\n" });
            expect(result.ok && (result.application.spec as any).project).toBe("default");
        });

        it("honours $patch: replace and refuses directives it cannot apply", async () => {
            const [replaced] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: "spec:\n  syncPolicy:\n    $patch: replace\n    syncOptions: [CreateNamespace=true]\n" });
            expect(replaced.ok && (replaced.application.spec as any).syncPolicy).toEqual({ syncOptions: ["CreateNamespace=true"] });
            const [refused] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: "spec:\n  $retainKeys: [project]\n" });
            expect(!refused.ok && refused.error).toContain("$retainKeys is not supported");
        });

        it("reports a patch that fails to render or is not an object, with Argo CD's messages", async () => {
            const [unrendered] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, goTemplateOptions: ["missingkey=error"], templatePatch: "spec: {{ .nope }}" });
            expect(!unrendered.ok && unrendered.error).toMatch(/^error replacing values in templatePatch: failed to execute go template spec: \{\{ \.nope \}\}: .*map has no entry for key "nope"/);
            const [list] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: "- a\n- b\n" });
            expect(!list.ok && list.error).toBe('invalid templatePatch "[\\"a\\",\\"b\\"]": json: cannot unmarshal array into Go value of type v1alpha1.Application');
            const [badYaml] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: true, templatePatch: "spec: [" });
            expect(!badYaml.ok && badYaml.error).toMatch(/^error while converting template to json "spec: \[": /);
        });

        it("is rendered in fasttemplate mode too, as Argo CD's code does", async () => {
            const [result] = await renderApplicationTemplates(base, [{ name: "a" }], { goTemplate: false, templatePatch: "metadata:\n  labels:\n    app: '{{name}}'\n" });
            expect(result.ok && result.application.metadata).toEqual({ name: "{{ .name }}", labels: { app: "a" } });
        });
    });
});

describe("syncwave-gotemplate process", () => {
    const saved = process.env[GO_TEMPLATE_BINARY_ENV];
    afterEach(() => {
        if (saved === undefined) delete process.env[GO_TEMPLATE_BINARY_ENV];
        else process.env[GO_TEMPLATE_BINARY_ENV] = saved;
    });

    it("does not start for templates without {{", async () => {
        process.env[GO_TEMPLATE_BINARY_ENV] = "/nonexistent/syncwave-gotemplate";
        const results = await renderStrings([{ template: "plain", params: { a: 1 } }], { goTemplate: true });
        expect(results).toEqual([{ ok: true, text: "plain" }]);
    });

    it("says to run npm run setup when the binary is missing", async () => {
        process.env[GO_TEMPLATE_BINARY_ENV] = "/nonexistent/syncwave-gotemplate";
        await expect(renderStrings([{ template: "{{ .a }}", params: { a: 1 } }], { goTemplate: true })).rejects.toThrow(/not found.*npm run setup/);
    });

    it("gives up after its timeout, naming what it waited for", async () => {
        const dir = mkdtempSync(join(tmpdir(), "gotemplate-"));
        const slow = join(dir, "slow-gotemplate");
        writeFileSync(slow, "#!/bin/sh\nexec sleep 30\n");
        chmodSync(slow, 0o755);
        process.env[GO_TEMPLATE_BINARY_ENV] = slow;
        await expect(executeGoTemplates([{ template: "{{ .a }}", params: {} }], [], 300)).rejects.toThrow(
            `timed out after 0.3 s waiting for ${slow} rendering 1 Go template`,
        );
    });

    it("renders a large batch in one call", async () => {
        const items = Array.from({ length: 2000 }, (_, i) => ({ template: "{{ .i | printf \"%03.0f\" }}-{{ slugify .s }}", params: { i, s: `Item ${i}` } }));
        const results = await renderStrings(items, { goTemplate: true });
        expect(results[7]).toEqual({ ok: true, text: "007-item-7" });
        expect(results.every((r) => r.ok)).toBe(true);
    });
});
