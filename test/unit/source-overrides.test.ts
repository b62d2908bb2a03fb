// Argo CD's parameter override files (.argocd-source.yaml, .argocd-source-<app>.yaml) merged over an
// Application's source before rendering, as reposerver/repository/repository.go mergeSourceParameters.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderSource } from "../../components/source/render";
import { mergePatch, parseSourceOverride, withSourceOverrides } from "../../components/source/source-overrides";

function checkout(files: Record<string, string>): string {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "syncwave-overrides-")));
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
    }
    return dir;
}

const configMap = (name: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" } });
const web = (image: string) => stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } } } });

describe("parameter override files", () => {
    it("merges as an RFC 7386 merge patch: maps key by key, lists whole, null deletes", () => {
        const target = { helm: { releaseName: "a", parameters: [{ name: "x", value: "1" }, { name: "y", value: "2" }], valueFiles: ["v.yaml"] } };
        expect(mergePatch(target, { helm: { parameters: [{ name: "y", value: "3" }], valueFiles: null, skipCrds: true } })).toEqual({
            helm: { releaseName: "a", parameters: [{ name: "y", value: "3" }], skipCrds: true },
        });
    });

    it("applies .argocd-source.yaml, then .argocd-source-<app>.yaml, over the Application's settings", () => {
        const root = checkout({
            "app/.argocd-source.yaml": "kustomize:\n  namePrefix: shared-\n  images: [a:1]\n",
            "app/.argocd-source-web.yaml": "kustomize:\n  images: [a:2]\n",
            "app/.argocd-source-other.yaml": "kustomize:\n  namePrefix: other-\n",
        });
        const read = (real: string) => readFileSync(real, "utf8");
        const spec = { kustomize: { nameSuffix: "-x", images: ["a:0", "b:0"] } };
        expect(withSourceOverrides("web", spec, root, join(root, "app"), "app", read)).toEqual({ kustomize: { nameSuffix: "-x", namePrefix: "shared-", images: ["a:2"] } });
        expect(withSourceOverrides("web", spec, root, join(root, "none"), "none", read)).toBe(spec);
        // Narrowed to the shared file (what image update's write-back starts from): the app's own file is left out.
        expect(withSourceOverrides("web", spec, root, join(root, "app"), "app", read, [".argocd-source.yaml"])).toEqual({ kustomize: { nameSuffix: "-x", namePrefix: "shared-", images: ["a:1"] } });
    });

    it.each([
        ["repoURL: https://elsewhere\n", "field repoURL: not a setting a parameter override file can change"],
        ["plugin:\n  name: x\n", "field plugin: not a setting"],
        ["helm:\n  valueFile: [x]\n", "field helm.valueFile: unknown field"],
        ["kustomize:\n  images: a:1\n", "field kustomize.images: must be a list of strings"],
        ["- a\n", "a parameter override file is a map"],
        ["helm: [\n", "invalid YAML"],
    ])("refuses %j naming the file and field", (text, message) => {
        expect(() => parseSourceOverride("web", "app/.argocd-source-web.yaml", text)).toThrow(/^application web, file app\/\.argocd-source-web\.yaml/);
        expect(() => parseSourceOverride("web", "app/.argocd-source-web.yaml", text)).toThrow(message);
    });

    it("renders a directory with the override's settings, and never renders the override file itself", async () => {
        const root = checkout({ "app/top.yaml": configMap("top"), "app/sub/deep.yaml": configMap("deep"), "app/.argocd-source-web.yaml": "directory:\n  recurse: true\n" });
        const names = (await renderSource({ application: "web", checkoutDir: root, path: "app" })).map((m) => m.manifest.metadata.name);
        expect(names.sort()).toEqual(["deep", "top"]);
        // Another Application's file does not apply.
        expect((await renderSource({ application: "api", checkoutDir: root, path: "app" })).map((m) => m.manifest.metadata.name)).toEqual(["top"]);
    });

    it("renders Kustomize with the override's images over the Application's", async () => {
        const root = checkout({
            "app/kustomization.yaml": "resources: [web.yaml]\n",
            "app/web.yaml": web("reg.io:5000/team/web:1.2.0"),
            "app/.argocd-source-web.yaml": "kustomize:\n  images:\n    - reg.io:5000/team/web:1.3.0\n",
        });
        const [m] = await renderSource({ application: "web", checkoutDir: root, path: "app", kustomize: { images: ["reg.io:5000/team/web:1.1.0"] } });
        expect((m.manifest as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0].image).toBe("reg.io:5000/team/web:1.3.0");
    });

    it("refuses an override file that is a symlink out of the checkout", async () => {
        const outside = checkout({ "secret.yaml": "helm: {}\n" });
        const root = checkout({ "app/cm.yaml": configMap("cm") });
        symlinkSync(join(outside, "secret.yaml"), join(root, "app/.argocd-source-web.yaml"));
        await expect(renderSource({ application: "web", checkoutDir: root, path: "app" })).rejects.toThrow(/application web.*app\/\.argocd-source-web\.yaml.*outside the checkout/);
    });
});
