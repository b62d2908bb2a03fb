// Nothing outside an Application's own checkout is ever rendered: not through `source.path`, not through
// a Helm value file, not through a symlink, and not through another repository's checkout that shares the
// cache. Real repositories, real fetches; Helm goes through a stub that records what it was given.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fetchRevision, type FetchedRevision } from "../../components/source/git";
import { renderSource, type HelmTemplate, type RenderSpec } from "../../components/source/render";
import { SyncWaveInputError } from "../../components/sync/errors";
import type { Manifest } from "../../components/sync/manifest";
import { TestRepo } from "../helpers/git";

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
const kustomization = (resources: string[]) => `resources:\n${resources.map((r) => `  - ${r}`).join("\n")}\n`;

const cacheDir = mkdtempSync(join(tmpdir(), "syncwave-escape-cache-"));
/** A folder outside every checkout, holding what no Application may read. */
const outside = mkdtempSync(join(tmpdir(), "syncwave-escape-outside-"));
writeFileSync(join(outside, "secret.yaml"), configMap("stolen"));
writeFileSync(join(outside, "secret-values.yaml"), "stolen: true\n");

async function fetched(files: Record<string, string | { symlink: string }>): Promise<FetchedRevision> {
    const repo = new TestRepo();
    repo.commit(files);
    return fetchRevision(repo.url, "main", { cacheDir });
}

/** A second repository fetched into the same cache: the checkout other Applications must not reach. */
let neighbour: FetchedRevision;
beforeAll(async () => {
    neighbour = await fetched({
        "manifests/cm.yaml": configMap("neighbour"),
        "overlay/kustomization.yaml": kustomization(["cm.yaml"]),
        "overlay/cm.yaml": configMap("neighbour"),
    });
});

/** Where `../..` from a folder one level deep inside a checkout lands: the shared folder of checkouts. */
const neighbourFromDepthOne = () => `../../${basename(neighbour.checkoutDir)}`;

function spec(source: FetchedRevision, path: string, more: Partial<RenderSpec> = {}): RenderSpec {
    return { application: "team-a", checkoutDir: source.checkoutDir, path, ...more };
}

/** The refusal renderSource must give: an input error naming application, field and file. */
async function refusal(render: Promise<unknown>, field: string, file: string): Promise<string> {
    const error = await render.then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(error, "the render was refused").toBeInstanceOf(SyncWaveInputError);
    const message = (error as Error).message;
    expect(message).toContain("application team-a");
    expect(message).toContain(`field ${field}`);
    expect(message).toContain(`file ${file}`);
    return message;
}

const names = (rendered: { manifest: Manifest }[]) => rendered.map((r) => r.manifest.metadata.name).sort();

describe("source.path stays inside the checkout", () => {
    it("refuses a path whose .. segments leave the checkout (into another repository's checkout)", async () => {
        const source = await fetched({ "manifests/cm.yaml": configMap("mine") });
        const path = `../${basename(neighbour.checkoutDir)}/manifests`;
        expect(await refusal(renderSource(spec(source, path)), "source.path", path)).toMatch(/outside the checkout/);
    });

    it("refuses an absolute path", async () => {
        const source = await fetched({ "etc/cm.yaml": configMap("mine") });
        expect(await refusal(renderSource(spec(source, "/etc")), "source.path", "/etc")).toMatch(/absolute/);
    });

    it("refuses a symlink to /etc inside the path", async () => {
        const source = await fetched({ "manifests/cm.yaml": configMap("mine"), "manifests/etc": { symlink: "/etc" } });
        const render = renderSource(spec(source, "manifests", { directory: { recurse: true } }));
        expect(await refusal(render, "source.path", "manifests/etc")).toMatch(/symlink.*outside the checkout/);
    });

    it("refuses a symlinked directory pointing outside the checkout", async () => {
        const source = await fetched({ "manifests/cm.yaml": configMap("mine"), "manifests/ext": { symlink: outside } });
        const render = renderSource(spec(source, "manifests", { directory: { recurse: true } }));
        await refusal(render, "source.path", "manifests/ext");
    });

    it("refuses a file symlink pointing outside the checkout", async () => {
        const source = await fetched({ "manifests/cm.yaml": configMap("mine"), "manifests/leak.yaml": { symlink: join(outside, "secret.yaml") } });
        await refusal(renderSource(spec(source, "manifests")), "source.path", "manifests/leak.yaml");
    });

    it("refuses a relative symlink into another repository's checkout in the shared cache", async () => {
        const source = await fetched({
            "manifests/cm.yaml": configMap("mine"),
            "manifests/theirs": { symlink: `../${neighbourFromDepthOne()}/manifests` },
        });
        const render = renderSource(spec(source, "manifests", { directory: { recurse: true } }));
        await refusal(render, "source.path", "manifests/theirs");
    });

    it("refuses a path that is itself a symlink leaving the checkout", async () => {
        const source = await fetched({ "manifests/cm.yaml": configMap("mine"), elsewhere: { symlink: "../.." } });
        await refusal(renderSource(spec(source, "elsewhere")), "source.path", "elsewhere");
    });

    it("refuses an out-of-bounds symlink anywhere in the checkout, not only under the path", async () => {
        const source = await fetched({ "manifests/cm.yaml": configMap("mine"), "docs/passwd": { symlink: "/etc/passwd" } });
        await refusal(renderSource(spec(source, "manifests")), "source.path", "docs/passwd");
    });

    it("allows symlinks that stay inside the checkout", async () => {
        const source = await fetched({
            "shared/cm.yaml": configMap("shared"),
            "manifests/cm.yaml": { symlink: "../shared/cm.yaml" },
            "current": { symlink: "manifests" },
        });
        const rendered = await renderSource(spec(source, "current"));
        expect(rendered.map((r) => [r.file, r.manifest.metadata.name])).toEqual([["current/cm.yaml", "shared"]]);
    });
});

describe("Kustomize reads nothing outside the checkout", () => {
    it("refuses a resource symlinked outside the checkout before kustomize runs", async () => {
        const source = await fetched({
            "app/kustomization.yaml": kustomization(["leak.yaml"]),
            "app/leak.yaml": { symlink: join(outside, "secret.yaml") },
        });
        await refusal(renderSource(spec(source, "app")), "source.path", "app/leak.yaml");
    });

    it("refuses a kustomization that loads a directory from another repository's checkout", async () => {
        const source = await fetched({ "app/kustomization.yaml": kustomization([`${neighbourFromDepthOne()}/overlay`]) });
        const message = await refusal(renderSource(spec(source, "app")), "source.path", "app/kustomization.yaml");
        expect(message).toMatch(/outside the checkout/);
    });

    it("builds a kustomization whose bases stay inside the checkout", async () => {
        const source = await fetched({
            "base/kustomization.yaml": kustomization(["cm.yaml"]),
            "base/cm.yaml": configMap("base"),
            "app/kustomization.yaml": kustomization(["../base", "cm.yaml"]),
            "app/cm.yaml": { symlink: "files/cm.yaml" },
            "app/files/cm.yaml": configMap("app"),
        });
        expect(names(await renderSource(spec(source, "app")))).toEqual(["app", "base"]);
    });
});

describe("Helm value files stay inside the checkout", () => {
    const calls: { chartDir: string; values: Record<string, unknown> }[] = [];
    /** Renders the values it is given as a ConfigMap, so a test sees exactly which values reached the chart. */
    const helmTemplate: HelmTemplate = async ({ path: chartDir, values }) => {
        calls.push({ chartDir, values });
        return [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "values" }, data: values }];
    };
    const chart = "apiVersion: v2\nname: app\nversion: 0.1.0\n";

    it("refuses a value file ../../secrets.yaml that leaves the checkout", async () => {
        // Where that path lands from this chart: the shared folder of checkouts.
        writeFileSync(join(dirname(neighbour.checkoutDir), "secrets.yaml"), "stolen: true\n");
        const source = await fetched({ "chart/Chart.yaml": chart });
        calls.length = 0;
        const render = renderSource(spec(source, "chart", { helm: { valueFiles: ["../../secrets.yaml"] } }), helmTemplate);
        expect(await refusal(render, "source.helm.valueFiles", "../../secrets.yaml")).toMatch(/outside the checkout/);
        expect(calls).toEqual([]);
    });

    it("reads an absolute value file from the checkout root, as Argo CD does, never from the host", async () => {
        const source = await fetched({ "chart/Chart.yaml": chart, "envs/prod.yaml": "env: prod\n" });
        const rendered = await renderSource(spec(source, "chart", { helm: { valueFiles: ["/envs/prod.yaml"] } }), helmTemplate);
        expect(rendered[0].manifest.data).toEqual({ env: "prod" });

        const host = join(outside, "secret-values.yaml");
        calls.length = 0;
        const render = renderSource(spec(source, "chart", { helm: { valueFiles: [host] } }), helmTemplate);
        expect(await refusal(render, "source.helm.valueFiles", host)).toMatch(/does not exist/);
        expect(calls).toEqual([]);
    });

    it("refuses a value file symlinked outside the checkout", async () => {
        const source = await fetched({ "chart/Chart.yaml": chart, "chart/prod.yaml": { symlink: join(outside, "secret-values.yaml") } });
        calls.length = 0;
        await refusal(renderSource(spec(source, "chart", { helm: { valueFiles: ["prod.yaml"] } }), helmTemplate), "source.helm.valueFiles", "prod.yaml");
        expect(calls).toEqual([]);
    });

    it("refuses a chart holding a symlink outside the checkout before helm template runs", async () => {
        const source = await fetched({ "chart/Chart.yaml": chart, "chart/templates/passwd.yaml": { symlink: "/etc/passwd" } });
        calls.length = 0;
        await refusal(renderSource(spec(source, "chart"), helmTemplate), "source.path", "chart/templates/passwd.yaml");
        expect(calls).toEqual([]);
    });

    it("allows value files elsewhere in the checkout, relative to the chart", async () => {
        const source = await fetched({ "chart/Chart.yaml": chart, "common/values.yaml": "common: true\n", "chart/prod.yaml": { symlink: "../common/values.yaml" } });
        const rendered = await renderSource(spec(source, "chart", { helm: { valueFiles: ["../common/values.yaml", "prod.yaml"] } }), helmTemplate);
        expect(rendered[0].manifest.data).toEqual({ common: true });
    });
});
