// Helm repository charts and multiple sources: version resolution against index.yaml, archive URLs,
// credentials that stay with their origin, unsafe archives refused whole, `$ref` value files read only
// from their ref's checkout. A real local repository over http and real git repositories; Helm goes
// through a stub that records the chart folder and values it was given.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractChart, unsafeEntry, verifyDigest } from "../../components/source/chart-archive";
import { chartArchiveURL, indexURL, isOciRepoURL, parseIndex, resolveChartVersion, type ChartVersionEntry } from "../../components/source/helm-index";
import { fetchChart, forgetIndexes } from "../../components/source/helm-repository";
import { mayCarryCredentials, shownURL } from "../../components/source/http-get";
import { fetchSources, renderSources } from "../../components/source/multi-source";
import { resolveValueFilesWithRefs } from "../../components/source/ref-value-files";
import type { HelmTemplate } from "../../components/source/render";
import { declaredSources } from "../../components/source/sources-spec";
import { ChartRepositoryServer, packageChart, rawTarGz } from "../helpers/chart-repository";
import { TestRepo } from "../helpers/git";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `syncwave-${prefix}-`));
const versions = (...v: string[]): ChartVersionEntry[] => v.map((version) => ({ version, urls: [`web-${version}.tgz`] }));

describe("chart version resolution (Argo CD's MaxVersion)", () => {
    const available = versions("1.0.0", "1.2.0", "1.2.5", "2.0.0", "2.1.0-rc.1", "nightly");
    it.each([
        ["1.2.0", "1.2.0", "an exact version"],
        ["v1.2.0", "1.2.0", "an exact version with a v"],
        ["^1.2", "1.2.5", "a caret range"],
        ["~1.2.0", "1.2.5", "a tilde range"],
        ["1.2.x", "1.2.5", "an x range"],
        [">=1.0, <2.0", "1.2.5", "Masterminds' comma AND"],
        [">=1.0 <2.0", "1.2.5", "npm's space AND"],
        ["<1.1 || >=2.0.0 <2.1", "2.0.0", "an OR"],
        ["*", "2.0.0", "any version: prereleases left out"],
        [">=2.1.0-rc.0", "2.1.0-rc.1", "a prerelease when the constraint names one"],
        ["nightly", "nightly", "a version that is not semver, matched exactly"],
    ])("%s picks %s (%s)", (revision, expected) => {
        expect(resolveChartVersion("web", available, revision).version).toBe(expected);
    });
    it.each([
        ["3.0.0", "chart web has no version 3.0.0 (published: 1.0.0, 1.2.0, 1.2.5, 2.0.0, 2.1.0-rc.1, nightly)"],
        ["^5", "no version of chart web satisfies ^5"],
        ["", "targetRevision is empty: a chart source needs a version"],
        ["banana", 'targetRevision "banana" is neither a version nor a semver constraint, and chart web has no version named so'],
    ])("%j is refused", (revision, message) => {
        expect(() => resolveChartVersion("web", available, revision)).toThrow(message);
    });
    it("reads index.yaml entries and refuses a document that is not an index", () => {
        const index = parseIndex("apiVersion: v1\nentries:\n  web:\n    - version: 1.0.0\n      urls: [web-1.0.0.tgz]\n      digest: abc\n");
        expect(index.entries.web).toEqual([{ version: "1.0.0", urls: ["web-1.0.0.tgz"], digest: "abc" }]);
        expect(() => parseIndex("<html>not found</html>")).toThrow("index.yaml has no `entries` map");
    });
});

describe("repository and archive URLs", () => {
    it.each([
        ["https://charts.example.com", "https://charts.example.com/index.yaml"],
        ["https://charts.example.com/stable", "https://charts.example.com/stable/index.yaml"],
        ["https://charts.example.com/stable/", "https://charts.example.com/stable/index.yaml"],
        ["https://charts.example.com/stable?sig=1", "https://charts.example.com/stable/index.yaml?sig=1"],
    ])("the index of %s is %s", (repo, expected) => expect(indexURL(repo)).toBe(expected));
    it.each([
        ["https://h.example/stable", "web-1.0.0.tgz", "https://h.example/stable/web-1.0.0.tgz"],
        ["https://h.example/stable/", "pkgs/web-1.0.0.tgz", "https://h.example/stable/pkgs/web-1.0.0.tgz"],
        ["https://h.example/stable", "../other/web-1.0.0.tgz", "https://h.example/other/web-1.0.0.tgz"],
        ["https://h.example/stable", "/dl/web-1.0.0.tgz", "https://h.example/dl/web-1.0.0.tgz"],
        ["https://h.example/stable", "https://cdn.example/web-1.0.0.tgz", "https://cdn.example/web-1.0.0.tgz"],
        ["https://h.example/stable?sig=1", "web-1.0.0.tgz", "https://h.example/stable/web-1.0.0.tgz?sig=1"],
    ])("in %s, %s is %s", (repo, reference, expected) => expect(chartArchiveURL(repo, reference)).toBe(expected));
    it.each([
        ["oci://registry.example.com/charts", true],
        ["registry.example.com/charts", true],
        ["https://charts.example.com", false],
        ["http://127.0.0.1:8080/charts", false],
    ])("%s is an OCI registry: %s", (repo, oci) => expect(isOciRepoURL(repo)).toBe(oci));
    it.each([
        ["https://h.example/charts", "https://h.example/dl/x.tgz", false, true],
        ["https://h.example/charts", "https://cdn.example/x.tgz", false, false],
        ["https://h.example/charts", "https://h.example:8443/x.tgz", false, false],
        ["https://h.example/charts", "http://h.example/x.tgz", false, false],
        ["https://h.example/charts", "https://cdn.example/x.tgz", true, true],
    ])("credentials for %s go to %s (passCredentials %s): %s", (repo, url, pass, expected) => {
        expect(mayCarryCredentials(repo, url, pass)).toBe(expected);
    });
    it("shows URLs without their credentials", () => {
        expect(shownURL("https://ci:s3cret@h.example/charts")).toBe("https://h.example/charts");
    });
});

describe("chart archives", () => {
    const file = (entries: Parameters<typeof rawTarGz>[0]) => {
        const path = join(tmp("archive"), "chart.tgz");
        writeFileSync(path, rawTarGz(entries));
        return path;
    };
    const chartYaml = { path: "web/Chart.yaml", content: "apiVersion: v2\nname: web\nversion: 1.0.0\n" };
    it.each([
        ["web/templates/x.yaml", "File", undefined],
        ["web/", "Directory", undefined],
        ["web/link", "SymbolicLink", "web/link: a SymbolicLink entry (only plain files and folders are accepted)"],
        ["web/hard", "Link", "web/hard: a Link entry"],
        ["/etc/passwd", "File", "/etc/passwd: an absolute path"],
        ["web/../../x.yaml", "File", 'web/../../x.yaml: a path with ".." that leaves the chart folder'],
        ["other/Chart.yaml", "File", "other/Chart.yaml: outside the chart's folder web/"],
    ])("%s (%s)", (path, type, problem) => {
        const found = unsafeEntry(path, type, "web");
        if (problem === undefined) expect(found).toBeUndefined();
        else expect(found).toContain(problem);
    });
    it.each([
        ["a symlink", [chartYaml, { path: "web/templates/evil.yaml", type: "2" as const, linkTarget: "/etc/passwd" }], "web/templates/evil.yaml: a SymbolicLink entry"],
        ["a hard link", [chartYaml, { path: "web/values.yaml", type: "1" as const, linkTarget: "/etc/passwd" }], "web/values.yaml: a Link entry"],
        ["a path with ..", [chartYaml, { path: "web/../../escaped.yaml", content: "x: 1\n" }], 'web/../../escaped.yaml: a path with ".." that leaves the chart folder'],
        ["an absolute path", [chartYaml, { path: "/tmp/syncwave-absolute.yaml", content: "x: 1\n" }], "/tmp/syncwave-absolute.yaml: an absolute path"],
    ])("an archive with %s is refused whole, nothing written", async (_what, entries, message) => {
        const target = join(tmp("extract"), "out");
        await expect(extractChart(file(entries), target, "web")).rejects.toThrow(`the archive is refused: ${message}`);
        expect(existsSync(target)).toBe(false);
    });
    it("an archive without <chart>/Chart.yaml is refused", async () => {
        await expect(extractChart(file([{ path: "web/values.yaml", content: "a: 1\n" }]), join(tmp("extract"), "out"), "web")).rejects.toThrow("the archive has no web/Chart.yaml");
    });
    it("a packaged chart unpacks to its folder", async () => {
        const path = join(tmp("archive"), "chart.tgz");
        writeFileSync(path, await packageChart("web", "1.0.0", { "values.yaml": "greeting: hi\n" }));
        const dir = await extractChart(path, join(tmp("extract"), "out"), "web");
        expect(readFileSync(join(dir, "values.yaml"), "utf8")).toBe("greeting: hi\n");
    });
    it("a digest that does not match is refused", () => {
        expect(() => verifyDigest(Buffer.from("tampered"), "sha256:" + "0".repeat(64))).toThrow(`index.yaml says ${"0".repeat(64)}`);
        expect(() => verifyDigest(Buffer.from("anything"), undefined)).not.toThrow();
    });
});

describe("fetching from a Helm repository over http", () => {
    const account = { username: "ci", password: "chart-token" };
    let repo: ChartRepositoryServer;
    let other: ChartRepositoryServer;
    beforeAll(async () => {
        repo = await ChartRepositoryServer.start({ account });
        other = await ChartRepositoryServer.start();
        for (const v of ["1.0.0", "1.1.0", "2.0.0"]) repo.publish("web", v, await packageChart("web", v, { "values.yaml": `version: "${v}"\n` }));
        // A version whose archive lives on another origin, and one whose archive is reached through a redirect there.
        const elsewhere = await packageChart("cdn", "1.0.0", {});
        other.serve("/dl/cdn-1.0.0.tgz", elsewhere);
        repo.publish("cdn", "1.0.0", elsewhere, { url: `${other.url("localhost")}/../dl/cdn-1.0.0.tgz` });
        const redirected = await packageChart("moved", "1.0.0", {});
        other.serve("/dl/moved-1.0.0.tgz", redirected);
        repo.publish("moved", "1.0.0", redirected);
        repo.route("/charts/moved-1.0.0.tgz", (_req, res) => res.writeHead(302, { Location: `${other.url("localhost")}/../dl/moved-1.0.0.tgz` }).end());
        repo.publish("tampered", "1.0.0", await packageChart("tampered", "1.0.0", {}), { digest: "f".repeat(64) });
        repo.publish("unsafe", "1.0.0", rawTarGz([{ path: "unsafe/Chart.yaml", content: "name: unsafe\n" }, { path: "unsafe/x", type: "2", linkTarget: "/etc/passwd" }]));
    });
    afterAll(async () => {
        await repo.close();
        await other.close();
    });
    const options = () => ({ cacheDir: tmp("chart-cache"), credentials: account });

    it("resolves a constraint against index.yaml and unpacks the archive, sending credentials to the repository", async () => {
        const chart = await fetchChart(repo.url(), "web", "^1.0", options());
        expect(chart.version).toBe("1.1.0");
        expect(readFileSync(join(chart.rootDir, chart.chartFolder, "values.yaml"), "utf8")).toBe('version: "1.1.0"\n');
        expect(repo.requests.filter((r) => r.path.endsWith("web-1.1.0.tgz")).every((r) => r.authorization?.startsWith("Basic "))).toBe(true);
    });
    it("downloads a version once: the cache serves it again", async () => {
        const opts = options();
        await fetchChart(repo.url(), "web", "2.0.0", opts);
        const downloads = () => repo.requests.filter((r) => r.path === "/charts/web-2.0.0.tgz").length;
        const before = downloads();
        forgetIndexes();
        const again = await fetchChart(repo.url(), "web", "2.0.0", opts);
        expect(downloads()).toBe(before);
        expect(existsSync(join(again.rootDir, "web", "Chart.yaml"))).toBe(true);
    });
    it("does not send credentials to another origin, by archive URL or by redirect, unless passCredentials", async () => {
        await fetchChart(repo.url(), "cdn", "1.0.0", options());
        await fetchChart(repo.url(), "moved", "1.0.0", options());
        const seen = other.requests.filter((r) => r.path.startsWith("/dl/"));
        expect(seen.map((r) => r.path).sort()).toEqual(["/dl/cdn-1.0.0.tgz", "/dl/moved-1.0.0.tgz"]);
        expect(seen.every((r) => r.authorization === undefined)).toBe(true);
        other.requests.length = 0;
        await fetchChart(repo.url(), "cdn", "1.0.0", { ...options(), passCredentials: true });
        expect(other.requests.find((r) => r.path === "/dl/cdn-1.0.0.tgz")?.authorization).toBe(`Basic ${Buffer.from("ci:chart-token").toString("base64")}`);
    });
    it.each([
        ["a wrong password", "web", "1.0.0", { username: "ci", password: "wrong" }, "GET http://127.0.0.1:PORT/charts/index.yaml returned 401 Unauthorized (check syncwave:repoCredentials for this repository); expected 200 with the repository's index.yaml"],
        ["a chart the index does not list", "api", "1.0.0", account, "http://127.0.0.1:PORT/charts/index.yaml: chart api is not in the repository's index.yaml"],
        ["a version nobody published", "web", "~3.0", account, "no version of chart web satisfies ~3.0 (published: 1.0.0, 1.1.0, 2.0.0)"],
        ["an archive whose digest differs", "tampered", "1.0.0", account, "chart tampered 1.0.0 from http://127.0.0.1:PORT/charts/tampered-1.0.0.tgz: the archive's sha256 is"],
        ["an archive with a symlink", "unsafe", "1.0.0", account, "the archive is refused: unsafe/x: a SymbolicLink entry"],
    ])("refuses %s", async (_what, chart, revision, credentials, message) => {
        forgetIndexes();
        await expect(fetchChart(repo.url(), chart, revision, { cacheDir: tmp("chart-cache"), credentials })).rejects.toThrow(message.replace("PORT", new URL(repo.url()).port));
    });
    it.each([
        ["oci://registry.example.com/charts", "oci://registry.example.com/charts names an OCI registry: OCI Helm charts are not supported yet"],
        ["registry.example.com/charts", "registry.example.com/charts names an OCI registry: OCI Helm charts are not supported yet"],
        ["https://ci:pw@charts.example.com", "https://charts.example.com/ holds credentials: put them in syncwave:repoCredentials"],
    ])("refuses %s before any request", async (url, message) => {
        await expect(fetchChart(url, "web", "1.0.0", options())).rejects.toThrow(message);
    });
    it("an unreachable repository fails with its URL and what was expected", async () => {
        await expect(fetchChart("http://127.0.0.1:1/charts", "web", "1.0.0", options())).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:1\/charts\/index\.yaml failed \(.+\); expected the repository's index\.yaml/);
    });
});

describe("$ref value files", () => {
    const root = tmp("chart-root");
    mkdirSync(join(root, "web"));
    writeFileSync(join(root, "web", "values.yaml"), "a: 1\n");
    const refCheckout = tmp("ref-checkout");
    mkdirSync(join(refCheckout, "env"));
    writeFileSync(join(refCheckout, "env", "prod.yaml"), "b: 2\n");
    const outside = tmp("outside");
    writeFileSync(join(outside, "secret.yaml"), "stolen: true\n");
    symlinkSync(join(outside, "secret.yaml"), join(refCheckout, "env", "linked.yaml"));
    const refs = { values: refCheckout };
    const resolve = (files: string[], r: Record<string, string> | undefined) => resolveValueFilesWithRefs(root, join(root, "web"), files, r);

    it("reads $ref files from the ref's checkout, in order with the chart's own", () => {
        expect(resolve(["values.yaml", "$values/env/prod.yaml"], refs).map((f) => f.path)).toEqual([join(root, "web", "values.yaml"), join(refCheckout, "env", "prod.yaml")]);
    });
    it.each([
        [["$values/../outside/secret.yaml"], refs, "value file leads outside the checkout"],
        [["$values/env/linked.yaml"], refs, "resolves to outside the checkout"],
        [["$values/env/missing.yaml"], refs, "value file does not exist in the checkout of ref source $values"],
        [["$values"], refs, "value file names the ref source $values but no file in it"],
        [["$config/prod.yaml"], refs, "value file names $config, which is not one of the ref sources ($values)"],
        [["$config/prod.yaml"], {}, "value file names $config, but no source has a 'ref' field"],
        // With one source `$` starts a build variable, as in Argo CD: an unknown one names no file.
        [["$values/env/prod.yaml"], undefined, "value file does not exist in the checkout"],
    ])("%j is refused", (files, r, message) => {
        expect(() => resolve(files, r)).toThrow(message);
    });
});

describe("declared sources", () => {
    const src = { repoURL: "https://git.example.com/app.git", path: "." };
    it.each([
        [{ source: src, sources: [src] }, "field sources: has both source and sources"],
        [{}, "field source: application app has no source (or sources)"],
        [{ sources: [] }, "field sources: must be a non-empty list of sources"],
        [{ sources: [{ ...src, ref: "v" }, { ...src, ref: "v" }] }, "field sources[1].ref: ref v is declared twice (also sources[0])"],
        [{ sources: [{ repoURL: "https://charts.example.com", chart: "web", ref: "v" }] }, "a Helm chart cannot be a ref source"],
        [{ sources: [{ repoURL: "https://charts.example.com", chart: "web", path: "x" }] }, "has both chart and path"],
        [{ sources: [{ ...src, ref: "my.values" }] }, "ref my.values may only hold letters, digits, '_' and '-'"],
        [{ source: { ...src, ref: "v" } }, "field source.ref: ref names a source for the others of spec.sources"],
        [{ sources: [{ path: "." }] }, "field sources[0].repoURL: sources[0] has no repoURL"],
    ])("%j is refused", (spec, message) => {
        expect(() => declaredSources("app", spec as never)).toThrow(message);
    });
});

describe("multiple sources rendered in order", () => {
    let charts: ChartRepositoryServer;
    beforeAll(async () => {
        charts = await ChartRepositoryServer.start();
        charts.publish(
            "web",
            "1.4.2",
            await packageChart("web", "1.4.2", { "values.yaml": "greeting: default\n", "templates/cm.yaml": "kind: ConfigMap\n" }),
        );
    });
    afterAll(() => charts.close());

    it("a chart with a $ref values file from a git ref source, then a git folder; the ref source renders nothing", async () => {
        const git = new TestRepo();
        const commit = git.commit({ "env/prod.yaml": "greeting: from git\n", "extra/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n" });
        const declared = declaredSources("app", {
            sources: [
                { repoURL: charts.url(), chart: "web", targetRevision: ">=1.0.0 <2.0.0", helm: { valueFiles: ["$values/env/prod.yaml"] } },
                { repoURL: git.url, targetRevision: "main", ref: "values" },
                { repoURL: git.url, targetRevision: "main", path: "extra" },
            ],
        });
        const fetched = await fetchSources("app", declared, { cacheDir: tmp("multi-cache"), credentials: [] });
        expect(fetched.map((f) => f.revision)).toEqual(["1.4.2", commit, commit]);
        const seen: { chartDir: string; values: Record<string, unknown> }[] = [];
        const helm: HelmTemplate = async (options) => {
            seen.push({ chartDir: options.path, values: options.values });
            return [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-chart" } }];
        };
        const manifests = await renderSources("app", fetched, { helmTemplate: helm });
        expect(manifests.map((m) => [m.manifest.metadata.name, m.file])).toEqual([
            ["from-chart", `sources[0]: chart web 1.4.2 from ${charts.url()} (helm template)`],
            ["extra", "sources[2]: extra/cm.yaml"],
        ]);
        expect(seen).toHaveLength(1);
        expect(seen[0].values).toEqual({ greeting: "from git" });
        expect(existsSync(join(seen[0].chartDir, "Chart.yaml"))).toBe(true);
    });

    it("a $ref to a source that is not declared fails naming the source and the value file", async () => {
        const git = new TestRepo();
        git.commit({ "env/prod.yaml": "greeting: x\n" });
        const declared = declaredSources("app", {
            sources: [
                { repoURL: charts.url(), chart: "web", targetRevision: "1.4.2", helm: { valueFiles: ["$config/env/prod.yaml"] } },
                { repoURL: git.url, ref: "values" },
            ],
        });
        const fetched = await fetchSources("app", declared, { cacheDir: tmp("multi-cache"), credentials: [] });
        await expect(renderSources("app", fetched, { helmTemplate: async () => [] })).rejects.toThrow(
            `sources[0] (${charts.url()}): application app, file $config/env/prod.yaml, field source.helm.valueFiles: value file names $config, which is not one of the ref sources ($values)`,
        );
    });
});

describe("source fields SyncWave does not read", () => {
    it.each([
        [{ repoURL: "https://git.example.com/a.git", plugin: { name: "cmp" } }, "source.plugin", /config management plugins are not supported/],
        [{ repoURL: "https://git.example.com/a.git", pathz: "x" }, "source.pathz", /unknown field \(expected one of repoURL/],
    ])("%j is refused naming %s", (source, field, message) => {
        expect(() => declaredSources("app", { source } as never)).toThrow(message);
        expect(() => declaredSources("app", { source } as never)).toThrow(field);
    });
});
