// One JSON pointer ↔ property path conversion for the sync side (Pulumi ignoreChanges) and drift, and
// jqPathExpressions evaluated with jq.
import { beforeAll, describe, expect, it } from "vitest";
import { ignoreChangesFor, jsonPointerToPropertyPath, prepareIgnoreDifferences } from "../../components/sync/ignore-differences";
import { checkJqPathExpression, jqPaths, loadJq } from "../../components/sync/jq-paths";
import { formatJsonPointer, parseJsonPointer, parsePropertyPath, pointerSegments, toPropertyPath } from "../../components/sync/json-pointer";

const where = { application: "shop", field: "ignoreDifferences[0].jsonPointers[0]" };

describe("JSON pointers and property paths", () => {
    const cases: { pointer: string; segments: (string | number)[]; path: string; document?: unknown }[] = [
        { pointer: "/spec/replicas", segments: ["spec", "replicas"], path: "spec.replicas" },
        { pointer: "/metadata/annotations/example.com~1x", segments: ["metadata", "annotations", "example.com/x"], path: 'metadata.annotations["example.com/x"]' },
        { pointer: "/metadata/labels/app.kubernetes.io~1name", segments: ["metadata", "labels", "app.kubernetes.io/name"], path: 'metadata.labels["app.kubernetes.io/name"]' },
        { pointer: "/data/a~0b", segments: ["data", "a~b"], path: 'data["a~b"]' },
        // ~01 is "~1" literally, not "/": ~1 is unescaped first (RFC 6901 section 4).
        { pointer: "/data/~01", segments: ["data", "~1"], path: 'data["~1"]' },
        { pointer: "/spec/template/spec/containers/0/image", segments: ["spec", "template", "spec", "containers", 0, "image"], path: "spec.template.spec.containers[0].image" },
        // A ConfigMap key made of digits is a key, where the document says the parent is a map.
        { pointer: "/data/0", segments: ["data", "0"], path: 'data["0"]', document: { data: { "0": "x" } } },
        { pointer: "/data/say\"hi\"", segments: ["data", 'say"hi"'], path: 'data["say\\"hi\\""]' },
        { pointer: "/data/with space", segments: ["data", "with space"], path: 'data["with space"]' },
    ];
    for (const c of cases) {
        it(`${c.pointer} ↔ ${c.path}`, () => {
            const segments = pointerSegments(parseJsonPointer(c.pointer, where), c.document);
            expect(segments).toEqual(c.segments);
            expect(toPropertyPath(segments)).toBe(c.path);
            expect(parsePropertyPath(c.path)).toEqual(c.segments);
            expect(formatJsonPointer(segments)).toBe(c.pointer);
            expect(jsonPointerToPropertyPath(c.pointer, where, c.document)).toBe(c.path);
        });
    }

    it("refuses what is not a pointer, naming the application and field", () => {
        expect(() => parseJsonPointer("spec/replicas", where)).toThrow(/application shop.*ignoreDifferences\[0\]\.jsonPointers\[0\]|ignoreDifferences\[0\]\.jsonPointers\[0\][\s\S]*shop/);
        expect(() => parseJsonPointer("/data/a~2", where)).toThrow(/"~" not followed by 0 or 1/);
    });

    it("reads paths Pulumi's parser accepts, as Pulumi reads them", () => {
        expect(parsePropertyPath('["root key"].nested[3]')).toEqual(["root key", "nested", 3]);
        expect(parsePropertyPath("spec.foo-bar")).toEqual(["spec", "foo-bar"]);
    });
});

describe("jqPathExpressions", () => {
    beforeAll(loadJq);
    const manifest = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", annotations: { "example.com/x": "1" } },
        spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "a" }, { name: "istio-proxy", image: "b" }] } } },
    };

    it("selects the paths del() would remove", () => {
        expect(jqPaths(manifest, '.spec.template.spec.containers[] | select(.name == "istio-proxy")')).toEqual([["spec", "template", "spec", "containers", 1]]);
        expect(jqPaths(manifest, '.metadata.annotations."example.com/x"')).toEqual([["metadata", "annotations", "example.com/x"]]);
        expect(jqPaths(manifest, ".spec.template.spec.initContainers[]?")).toEqual([]);
        // A run-time error on this object selects nothing, as Argo CD skips a patch that fails.
        expect(jqPaths(manifest, ".spec.template.spec.containers.name")).toEqual([]);
    });

    it("refuses jq that does not compile, naming the application and field", () => {
        const field = { application: "shop", field: "ignoreDifferences[1].jqPathExpressions[0]" };
        expect(() => checkJqPathExpression(".spec.containers[", field)).toThrow(/shop[\s\S]*ignoreDifferences\[1\]\.jqPathExpressions\[0\]|ignoreDifferences\[1\]\.jqPathExpressions\[0\][\s\S]*shop/);
        expect(() => checkJqPathExpression(".spec.containers[", field)).toThrow(/not a valid jq path expression/);
        expect(() => checkJqPathExpression(".spec.template.spec.containers[]", field)).not.toThrow();
    });

    it("prepareIgnoreDifferences refuses a bad rule even when no resource matches it", async () => {
        await expect(prepareIgnoreDifferences("shop", [{ kind: "Nothing", jqPathExpressions: ["..["] }])).rejects.toThrow(/ignoreDifferences\[0\]\.jqPathExpressions\[0\]/);
        await expect(prepareIgnoreDifferences("shop", [{ kind: "Nothing", jsonPointers: ["spec"] }])).rejects.toThrow(/ignoreDifferences\[0\]\.jsonPointers\[0\]/);
    });
});

describe("ignoreChangesFor (the sync side)", () => {
    beforeAll(loadJq);
    const key = { group: "apps", kind: "Deployment", namespace: "shop", name: "web" };
    const manifest = {
        metadata: { name: "web", annotations: { "example.com/x": "1" } },
        data: { "0": "zero" },
        spec: { template: { spec: { containers: [{ name: "web", image: "a" }, { name: "istio-proxy", image: "b" }] } } },
    };
    const cases: { name: string; rule: Record<string, unknown>; expected: string[] }[] = [
        { name: "a pointer to an annotation with . and /", rule: { jsonPointers: ["/metadata/annotations/example.com~1x"] }, expected: ['metadata.annotations["example.com/x"]'] },
        // Old code made `[0]`, an array index, of a map key.
        { name: "a digit key of a map", rule: { jsonPointers: ["/data/0"] }, expected: ['data["0"]'] },
        // Old code dropped jqPathExpressions silently.
        { name: "a jq expression, on the desired manifest", rule: { jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "istio-proxy") | .image'] }, expected: ["spec.template.spec.containers[1].image"] },
        { name: "a jq expression with a quoted key", rule: { jqPathExpressions: ['.metadata.annotations."example.com/x"'] }, expected: ['metadata.annotations["example.com/x"]'] },
        { name: "the same path twice is one", rule: { jsonPointers: ["/spec/template"], jqPathExpressions: [".spec.template"] }, expected: ["spec.template"] },
        { name: "a rule for another name", rule: { name: "api", jsonPointers: ["/spec"] }, expected: [] },
    ];
    for (const c of cases) {
        it(c.name, () => expect(ignoreChangesFor("shop", [{ group: "apps", kind: "Deployment", ...c.rule }], key, manifest)).toEqual(c.expected));
    }
});
