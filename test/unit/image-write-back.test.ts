// The write-back edits of `syncwave images update`: .argocd-source-<app>.yaml, a kustomization's
// images and a Helm values file, comments kept; the commit message; where targets lie.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ImageConfig } from "../../cli/images/annotations";
import { liveImages, imagesOfObject } from "../../cli/images/live-images";
import { targetPath } from "../../cli/images/target-path";
import { commitMessage, editArgocdSource, editHelmValues, editKustomization, helmParameters, kustomizeImageEntry, type ImageChange } from "../../cli/images/write-back";

const image = (extra: Partial<ImageConfig> = {}): ImageConfig => ({ alias: "web", image: { registry: "reg.io:5000", repository: "team/web" }, strategy: "semver", ignoreTags: [], ...extra });
const D = `sha256:${"a".repeat(64)}`;
const semverChange: ImageChange = { config: image(), from: { tag: "1.2.0" }, to: { tag: "1.3.0" } };
const digestChange: ImageChange = { config: image({ alias: "cache", image: { registry: "reg.io:5000", repository: "team/cache" }, strategy: "digest", constraint: "latest" }), from: { tag: "latest" }, to: { tag: "latest", digest: D } };

describe("image write-back", () => {
    it("makes Helm parameters as Image Updater's SetHelmImage: name and tag, or one spec, forceString", () => {
        expect(helmParameters(semverChange)).toEqual([
            { name: "image.name", value: "reg.io:5000/team/web", forceString: true },
            { name: "image.tag", value: "1.3.0", forceString: true },
        ]);
        expect(helmParameters({ ...digestChange, config: { ...digestChange.config, helm: { imageName: "cache.repo", imageTag: "cache.tag" } } })).toEqual([
            { name: "cache.repo", value: "reg.io:5000/team/cache", forceString: true },
            { name: "cache.tag", value: `latest@${D}`, forceString: true },
        ]);
        expect(helmParameters({ ...semverChange, config: image({ helm: { imageSpec: "web.image" } }) })).toEqual([{ name: "web.image", value: "reg.io:5000/team/web:1.3.0", forceString: true }]);
    });

    it("makes Kustomize images as SetKustomizeImage, with the kustomize image name when set", () => {
        expect(kustomizeImageEntry(semverChange)).toBe("reg.io:5000/team/web:1.3.0");
        expect(kustomizeImageEntry(digestChange)).toBe(`reg.io:5000/team/cache:latest@${D}`);
        expect(kustomizeImageEntry({ ...semverChange, config: image({ kustomize: { imageName: "web-image" } }) })).toBe("web-image=reg.io:5000/team/web:1.3.0");
    });

    it("starts .argocd-source-<app>.yaml from the Application's own list, so the merge patch loses none of it", () => {
        const text = editArgocdSource(undefined, "app/.argocd-source-web.yaml", "Kustomize", { kustomizeImages: ["other=reg.io/other:2", "reg.io:5000/team/web:1.0.0"] }, [semverChange, digestChange]);
        expect(parse(text)).toEqual({ kustomize: { images: ["other=reg.io/other:2", "reg.io:5000/team/web:1.3.0", `reg.io:5000/team/cache:latest@${D}`] } });
        const helm = editArgocdSource(undefined, "f", "Helm", { helmParameters: [{ name: "replicas", value: "2" }, { name: "image.tag", value: "1.0.0" }] }, [semverChange]);
        expect(parse(helm)).toEqual({
            helm: {
                parameters: [
                    { name: "replicas", value: "2" },
                    { name: "image.tag", value: "1.3.0", forceString: true },
                    { name: "image.name", value: "reg.io:5000/team/web", forceString: true },
                ],
            },
        });
    });

    it("updates an existing .argocd-source file in place, keeping its comments and other settings", () => {
        const existing = "# written by the image updater\nkustomize:\n  namePrefix: prod- # keep\n  images:\n    - reg.io:5000/team/web:1.2.0\n";
        const text = editArgocdSource(existing, "f", "Kustomize", { kustomizeImages: ["ignored:1"] }, [semverChange]);
        expect(text).toBe("# written by the image updater\nkustomize:\n  namePrefix: prod- # keep\n  images:\n    - reg.io:5000/team/web:1.3.0\n");
        // The same change again changes nothing: no commit.
        expect(editArgocdSource(text, "f", "Kustomize", {}, [semverChange])).toBe(text);
    });

    it("edits a kustomization's images by name, as writeKustomization does", () => {
        const kustomization = "resources:\n  - web.yaml # the app\nimages:\n  - name: reg.io:5000/team/web\n    newTag: 1.2.0 # old\n  - name: other\n    newTag: \"1\"\n";
        const text = editKustomization(kustomization, "app/kustomization.yaml", [semverChange, digestChange]);
        expect(text).toContain("  - web.yaml # the app\n");
        expect(parse(text).images).toEqual([
            { name: "reg.io:5000/team/web", newTag: "1.3.0" },
            { name: "other", newTag: "1" },
            { name: "reg.io:5000/team/cache", newTag: "latest", digest: D },
        ]);
        const named = editKustomization("resources: [web.yaml]\n", "k", [{ ...semverChange, config: image({ kustomize: { imageName: "web-image" } }) }]);
        expect(parse(named).images).toEqual([{ name: "web-image", newName: "reg.io:5000/team/web", newTag: "1.3.0" }]);
    });

    it("sets Helm values at the parameters' dotted keys, keeping comments", () => {
        const values = "replicas: 2\nimage:\n  name: reg.io:5000/team/web # repository\n  tag: 1.2.0 # the release\n";
        const text = editHelmValues(values, "values.yaml", [semverChange]);
        expect(text).toBe("replicas: 2\nimage:\n  name: reg.io:5000/team/web # repository\n  tag: 1.3.0 # the release\n");
        expect(parse(editHelmValues("{}\n", "v", [{ ...semverChange, config: image({ helm: { imageName: "a.b.repo", imageTag: "a.b.tag" } }) }]))).toEqual({ a: { b: { repo: "reg.io:5000/team/web", tag: "1.3.0" } } });
        expect(() => editHelmValues("image: web:1\n", "values.yaml", [semverChange])).toThrow("values.yaml: image is not a map, so image.name cannot be set");
    });

    it("writes Image Updater's default commit message", () => {
        expect(commitMessage("web", [semverChange, digestChange])).toBe(
            `build: automatic update of web\n\nupdates image team/web tag '1.2.0' to '1.3.0'\nupdates image team/cache tag 'latest' to '${D}'\n`,
        );
    });

    it("resolves targets against the source path, or the repository root with a leading /", () => {
        expect(targetPath({ kind: "argocd-source" }, "web", "apps/web")).toBe("apps/web/.argocd-source-web.yaml");
        expect(targetPath({ kind: "argocd-source" }, "web", ".")).toBe(".argocd-source-web.yaml");
        expect(targetPath({ kind: "kustomization", base: "" }, "web", "overlays/prod")).toBe("overlays/prod");
        expect(targetPath({ kind: "kustomization", base: "../base" }, "web", "overlays/prod")).toBe("overlays/base");
        expect(targetPath({ kind: "helmvalues", file: "/env/prod.yaml" }, "web", "chart")).toBe("env/prod.yaml");
        expect(() => targetPath({ kind: "helmvalues", file: "../../x.yaml" }, "web", "chart")).toThrow("../../x.yaml leads outside the repository");
    });

    it("finds the images an Application runs in its synced objects", () => {
        const deployment = { spec: { template: { spec: { initContainers: [{ image: "busybox:1" }], containers: [{ image: "reg.io:5000/team/web:1.2.0" }] } } } };
        const cron = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: `reg.io/job@${D}` }] } } } } } };
        expect(imagesOfObject(deployment)).toEqual(["busybox:1", "reg.io:5000/team/web:1.2.0"]);
        const live = liveImages([
            { urn: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::web", type: "kubernetes:apps/v1:Deployment", parent: "urn:pulumi:s::p::syncwave:index:Application::web", outputs: deployment },
            { urn: "urn:pulumi:s::p::kubernetes:batch/v1:CronJob::job", type: "kubernetes:batch/v1:CronJob", parent: "urn:pulumi:s::p::syncwave:index:Application::jobs", outputs: cron },
            { urn: "urn:pulumi:s::p::syncwave:index:HealthGate::g", type: "syncwave:index:HealthGate", parent: "urn:pulumi:s::p::syncwave:index:Application::web" },
        ]);
        expect(live.get("web")).toEqual([
            { registry: "", repository: "busybox", tag: "1" },
            { registry: "reg.io:5000", repository: "team/web", tag: "1.2.0" },
        ]);
        expect(live.get("jobs")).toEqual([{ registry: "reg.io", repository: "job", digest: D }]);
    });
});
