// The write-back target's edit for `.argocd-source-<app>.yaml`: the source type and the lists the file
// starts from are read as rendering reads them, the folder's override files merged in and validated.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ImageConfig, ImageUpdaterConfig } from "../../cli/images/annotations";
import type { DeclaredApplication } from "../../cli/images/declared-applications";
import { editedTarget } from "../../cli/images/edit-target";
import { sameYamlData } from "../../cli/images/same-data";
import type { ImageChange } from "../../cli/images/write-back";
import type { ApplicationSpec } from "../../components/application-spec";

function checkout(files: Record<string, string>): string {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "syncwave-edit-target-")));
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
    }
    return dir;
}

const image: ImageConfig = { alias: "web", image: { registry: "reg.io", repository: "team/web" }, strategy: "semver", ignoreTags: [] };
const change: ImageChange = { config: image, from: { tag: "1.0.0" }, to: { tag: "1.1.0" } };
const config: ImageUpdaterConfig = { images: [image], target: { kind: "argocd-source" } };
const FILE = "app/.argocd-source-web.yaml";

function app(source: Partial<NonNullable<ApplicationSpec["source"]>> = {}): DeclaredApplication {
    return { name: "web", annotations: {}, file: "apps.yaml", spec: { project: "team", source: { repoURL: "https://git.example/deploy.git", path: "app", ...source }, destination: { namespace: "web" } } as ApplicationSpec };
}

describe("editing .argocd-source-<app>.yaml", () => {
    it("takes the source type from the override files, as rendering does (a kustomize key makes a plain folder Kustomize)", () => {
        const dir = checkout({ "app/cm.yaml": "kind: ConfigMap\n", "app/.argocd-source.yaml": "kustomize:\n  images: [other=reg.io/other:2]\n" });
        const edited = editedTarget(app(), config, FILE, undefined, [change], dir);
        expect(parse(edited)).toEqual({ kustomize: { images: ["other=reg.io/other:2", "reg.io/team/web:1.1.0"] } });
    });

    it("starts Helm parameters from the shared file over the Application's own, since a list replaces a list whole", () => {
        const dir = checkout({ "app/Chart.yaml": "apiVersion: v2\nname: a\nversion: 0.1.0\n", "app/.argocd-source.yaml": "helm:\n  parameters:\n    - { name: replicas, value: '3' }\n" });
        const edited = editedTarget(app({ helm: { parameters: [{ name: "replicas", value: "2" }, { name: "debug", value: "true" }] } }), config, FILE, undefined, [change], dir);
        expect(parse(edited).helm.parameters).toEqual([
            { name: "replicas", value: "3" },
            { name: "image.name", value: "reg.io/team/web", forceString: true },
            { name: "image.tag", value: "1.1.0", forceString: true },
        ]);
    });

    it.each([
        [{ "app/.argocd-source.yaml": "repoURL: https://elsewhere\n" }, /^application web, file app\/\.argocd-source\.yaml, field repoURL: not a setting/],
        [{ "app/.argocd-source.yaml": "kustomize:\n  images: a:1\n" }, /^application web, file app\/\.argocd-source\.yaml, field kustomize\.images: must be a list of strings/],
        [{ "app/.argocd-source.yaml": "helm: [\n" }, /^application web, file app\/\.argocd-source\.yaml: invalid YAML at line/],
        [{ "app/.argocd-source-web.yaml": "helm:\n  valueFile: [x]\n" }, /^application web, file app\/\.argocd-source-web\.yaml, field helm\.valueFile: unknown field/],
    ])("refuses an override file rendering would refuse: %j", (files, message) => {
        const dir = checkout({ "app/Chart.yaml": "apiVersion: v2\nname: a\nversion: 0.1.0\n", ...files });
        expect(() => editedTarget(app(), config, FILE, undefined, [change], dir)).toThrow(message);
    });

    it("refuses a plain folder that no override file makes Helm or Kustomize", () => {
        const dir = checkout({ "app/cm.yaml": "kind: ConfigMap\n" });
        expect(() => editedTarget(app(), config, FILE, undefined, [change], dir)).toThrow("its source app is a plain directory");
    });

    it("finds a file that already holds the new versions unchanged, whatever its quoting or key order", () => {
        const dir = checkout({ "app/kustomization.yaml": "resources: []\n" });
        const before = `kustomize:\n  images:\n    - "reg.io/team/web:1.1.0"\n`;
        const edited = editedTarget(app(), config, FILE, before, [change], dir);
        expect(edited).not.toBe(before);
        expect(sameYamlData(before, edited)).toBe(true);
        expect(sameYamlData(`kustomize:\n  images:\n    - "reg.io/team/web:1.0.0"\n`, edited)).toBe(false);
        expect(sameYamlData("helm:\n  parameters:\n    - { value: '1', name: a }\n", "helm:\n  parameters:\n    - name: a\n      value: \"1\"\n")).toBe(true);
        expect(sameYamlData(undefined, edited)).toBe(false);
    });
});
