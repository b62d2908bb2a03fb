// Argo CD Image Updater's annotations as `syncwave images update` reads them.
import { describe, expect, it } from "vitest";
import { parseImageUpdaterAnnotations, parseWriteBackTarget } from "../../cli/images/annotations";

const P = "argocd-image-updater.argoproj.io/";
const parse = (a: Record<string, string>) => parseImageUpdaterAnnotations("web", Object.fromEntries(Object.entries(a).map(([k, v]) => [P + k, v])));

describe("image updater annotations", () => {
    it("is undefined for an Application without any", () => {
        expect(parseImageUpdaterAnnotations("web", { "argocd.argoproj.io/sync-wave": "1" })).toBeUndefined();
    });

    it("reads aliases, constraints, per-alias settings over application-wide ones, and defaults", () => {
        const c = parse({
            "image-list": "web=127.0.0.1:5000/team/web:~1, nginx, api=ghcr.io/acme/api:latest",
            "update-strategy": "alphabetical",
            "ignore-tags": "*-rc*",
            "web.update-strategy": "semver",
            "web.allow-tags": "regexp:^1\\.",
            "api.update-strategy": "digest",
            "api.helm.image-name": "api.image.repository",
            "api.helm.image-tag": "api.image.tag",
        })!;
        expect(c.target).toEqual({ kind: "argocd-source" });
        expect(c.branch).toBeUndefined();
        const [web, nginx, api] = c.images;
        expect(web).toMatchObject({ alias: "web", image: { registry: "127.0.0.1:5000", repository: "team/web" }, constraint: "~1", strategy: "semver", ignoreTags: ["*-rc*"] });
        expect(web.allowTags?.source).toBe("^1\\.");
        expect(nginx).toMatchObject({ alias: "", image: { registry: "", repository: "nginx" }, strategy: "alphabetical" });
        expect(nginx.constraint).toBeUndefined();
        expect(api).toMatchObject({ strategy: "digest", constraint: "latest", helm: { imageName: "api.image.repository", imageTag: "api.image.tag" } });
    });

    it.each([
        ["latest", "newest-build"],
        ["newest-build", "newest-build"],
        ["name", "alphabetical"],
        ["Alphabetical", "alphabetical"],
        ["digest", "digest"],
    ])("takes strategy %s as %s (Image Updater's old names too)", (given, strategy) => {
        // Only digest takes what follows the last `:` (the tag it tracks); the others here take none.
        const list = strategy === "digest" ? "a=r.io/a:1" : "a=r.io/a";
        expect(parse({ "image-list": list, "a.update-strategy": given })!.images[0].strategy).toBe(strategy);
    });

    it.each([
        [{ "image-list": "a=r.io/a", "a.update-strategy": "newest" }, "annotation argocd-image-updater.argoproj.io/a.update-strategy: unknown update strategy newest"],
        [{ "image-list": "a=r.io/a", "a.allow-tags": "glob:1.*" }, "a.allow-tags: glob:1.*: expected regexp:<expression> or any"],
        [{ "image-list": "a=r.io/a", "a.allow-tags": "regexp:(" }, "a.allow-tags: not a valid regular expression"],
        [{ "image-list": "a=r.io/a", "a.ignore-tags": "1.[0" }, "pattern 1.[0 has an unclosed ["],
        [{ "image-list": "a=r.io/a", "a.pull-secret": "pullsecret:ns/s" }, "a.pull-secret: registry credentials are not supported"],
        [{ "image-list": "a=r.io/a", "a.platforms": "linux/arm64" }, "a.platforms: platform selection is not supported"],
        [{ "image-list": "a=r.io/a", "force-update": "true" }, "force-update: force-update is not supported"],
        [{ "image-list": "a=r.io/a", "git-repository": "https://x" }, "git-repository: write-back goes to the Application's own source repository"],
        [{ "image-list": "a=r.io/a", "commit-message": "x" }, "commit-message: not an annotation SyncWave's image update supports"],
        [{ "image-list": "a=r.io/a", "b.update-strategy": "semver" }, "b.update-strategy: names the alias b, which image-list does not declare"],
        [{ "image-list": "a=r.io/a", "helm.image-name": "x" }, "helm.image-name: is an image setting"],
        [{ "image-list": "a=r.io/a", "write-back-method": "argocd" }, "write-back-method: argocd writes the new versions into the Application object through Argo CD's API, which SyncWave does not have"],
        [{ "image-list": "a=r.io/a", "write-back-method": "git:secret:argocd/creds" }, "git credentials from a secret are not supported"],
        [{ "image-list": "a=r.io/a", "write-back-target": "values.yaml" }, "write-back-target: values.yaml: expected kustomization"],
        [{ "image-list": "a=r.io/a", "git-branch": "main:update-{{.SHA256}}" }, "git-branch: main:update-{{.SHA256}}: committing to a separate write branch"],
        [{ "image-list": "a=r.io/a", "a.update-strategy": "digest" }, "the digest strategy tracks one tag"],
        [{ "image-list": "a=r.io/a", "a.helm.image-spec": "image", "a.helm.image-tag": "t" }, "a.helm.image-spec: image-spec sets the whole image"],
        [{ "image-list": "a=r.io/a", "a.helm.image-name": "n", "a.kustomize.image-name": "k" }, "has both helm and kustomize settings"],
        [{ "image-list": " , " }, "image-list: is empty"],
        [{ "image-list": "a=r.io/A" }, "r.io/A is not an image name"],
        [{ "update-strategy": "semver" }, "image-list: missing"],
        [{ "image-list": "a=r.io/a:1.2.3.4" }, "image-list: a=r.io/a:1.2.3.4: 1.2.3.4 is not a semver constraint (Invalid comparator: 1.2.3.4)"],
        [{ "image-list": "r.io/a:not a range", "update-strategy": "semver" }, "image-list: r.io/a:not a range: not a range is not a semver constraint"],
        [{ "image-list": "a=r.io/a:~1", "a.update-strategy": "newest-build" }, "image-list: a=r.io/a:~1: the newest-build strategy (argocd-image-updater.argoproj.io/a.update-strategy) takes no constraint; Image Updater ignores :~1"],
        [{ "image-list": "r.io/a:main", "update-strategy": "name" }, "image-list: r.io/a:main: the alphabetical strategy (argocd-image-updater.argoproj.io/update-strategy) takes no constraint"],
        [{ "image-list": "a=r.io/a:latest", "update-strategy": "alphabetical", "a.update-strategy": "latest" }, "the newest-build strategy (argocd-image-updater.argoproj.io/a.update-strategy)"],
    ])("refuses %j naming the application and annotation", (annotations, message) => {
        expect(() => parse(annotations)).toThrow(/^application web, annotation argocd-image-updater\.argoproj\.io\//);
        expect(() => parse(annotations)).toThrow(message);
    });

    it("keeps a valid semver range, and the tag a digest strategy tracks (not a range)", () => {
        const c = parse({ "image-list": "a=r.io/a:>=1.0 <2.0, b=r.io/b:stable", "b.update-strategy": "digest" })!;
        expect(c.images.map((i) => i.constraint)).toEqual([">=1.0 <2.0", "stable"]);
    });

    it("reads git as the write-back method, and the branch", () => {
        const c = parse({ "image-list": "a=r.io/a", "write-back-method": "git", "git-branch": "release/1.x" })!;
        expect(c.branch).toBe("release/1.x");
    });

    it.each([
        [undefined, { kind: "argocd-source" }],
        ["kustomization", { kind: "kustomization", base: "" }],
        ["kustomization:../base", { kind: "kustomization", base: "../base" }],
        ["kustomization:/overlays/prod", { kind: "kustomization", base: "/overlays/prod" }],
        ["helmvalues", { kind: "helmvalues", file: "values.yaml" }],
        ["helmvalues:/env/prod.yaml", { kind: "helmvalues", file: "/env/prod.yaml" }],
    ])("reads write-back-target %s", (value, target) => {
        expect(parseWriteBackTarget(value, (m) => new Error(m))).toEqual(target);
    });
});
