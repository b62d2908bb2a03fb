// ApplicationSet generators and spec: the parameters each generator gives in both template modes, as
// Argo CD's applicationset/generators/*_test.go and documentation define them; matrix interpolation,
// merge keys, generator templates, the Applications rendered from them, and every refusal of a spec
// naming its field. Git generators read a real repository made here.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { validateApplicationSet } from "../../components/fleet/applicationset-spec";
import type { FleetCluster } from "../../components/fleet/fleet-clusters";
import { generateApplications } from "../../components/fleet/generate";
import { generationContext } from "../../components/fleet/generators/context";
import { normalizePathspec, pathspecMatches } from "../../components/fleet/generators/git-pathspec";
import { formatGoFloat, sanitizeName } from "../../components/fleet/generators/go-values";
import { goPathMatch } from "../../components/fleet/generators/path-match";
import { generatorParams, kindsOf } from "../../components/fleet/generators/run";
import { SpecChecker } from "../../components/fleet/generators/spec-checker";

const FILE = "appset.yaml";
const TEMPLATE = { metadata: { name: "{{name}}" }, spec: { project: "default", destination: { server: "{{server}}", namespace: "x" } } };

let repo = "";
const repoURL = "https://git.example.com/fleet.git";
const checkouts: string[] = [];
const checkout = async (url: string, revision: string) => {
    checkouts.push(`${url}@${revision}`);
    if (url !== repoURL) throw new Error(`repository not found: ${url}`);
    return { dir: repo, commit: "0000000000000000000000000000000000000000" };
};

/** Clusters as fleetClusters gives them: the implicit in-cluster first, then syncwave:clusters. */
const CLUSTERS: FleetCluster[] = [
    { name: "in-cluster", server: "https://kubernetes.default.svc", labels: {} },
    { name: "staging-01", server: "https://staging-01.example.com", labels: { environment: "staging", org: "foo" }, annotations: { "foo.argoproj.io": "staging" } },
    { name: "production_01/west", server: "https://production-01.example.com", labels: { environment: "production", org: "bar" }, annotations: { "foo.argoproj.io": "production" } },
];

function readSpec(raw: Record<string, unknown>) {
    return validateApplicationSet("fleet", raw, { file: FILE, field: "spec" });
}

/** The parameter sets of a single generator entry, as Transform gives them. */
async function params(generator: Record<string, unknown>, options: { goTemplate?: boolean; goTemplateOptions?: string[]; clusters?: FleetCluster[] } = {}) {
    const spec = readSpec({ goTemplate: options.goTemplate ?? false, ...(options.goTemplateOptions ? { goTemplateOptions: options.goTemplateOptions } : {}), generators: [generator], template: TEMPLATE });
    const entry = spec.generators[0];
    const ctx = generationContext(new SpecChecker("fleet", FILE), { goTemplate: spec.goTemplate, goTemplateOptions: spec.goTemplateOptions }, { clusters: options.clusters ?? CLUSTERS, checkout });
    return generatorParams(entry, kindsOf(entry)[0], ctx, "spec.generators[0]", 0);
}

async function generate(raw: Record<string, unknown>, clusters: FleetCluster[] = CLUSTERS) {
    return generateApplications("fleet", readSpec(raw), { clusters, checkout }, { file: FILE, field: "spec" });
}

function write(path: string, content: string) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
}

beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "fleet-generators-"));
    write("apps/guestbook/kustomization.yaml", "resources: []\n");
    write("apps/helm_guestbook/Chart.yaml", "name: g\n");
    write("apps/nested/deep/x.yaml", "a: 1\n");
    write("apps/.hidden/x.yaml", "a: 1\n");
    write("cluster-config/dev/config.json", JSON.stringify({ cluster: { name: "dev", address: "https://1.2.3.4" }, replicas: 1000000, enabled: true, tags: ["a", "b"] }));
    write("cluster-config/prod/config.json", JSON.stringify({ cluster: { name: "prod", address: "https://1.2.3.5" } }));
    write("cluster-config/prod/eu/config.json", "cluster:\n  name: prod-eu\nsecure: yes\n");
    write("cluster-config/config.json", "{}");
    write("lists/teams.yaml", "- team: a\n- team: b\n");
    write("broken/config.yaml", "this is: [not yaml\n");
    write(".github/config.json", '{"hidden": "yes"}');
    execFileSync("git", ["init", "-q"], { cwd: repo });
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A"], { cwd: repo });
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "fleet"], { cwd: repo });
});

describe("list generator (list.go)", () => {
    it("gives each element as a flat parameter set; `values` become values.<key>", async () => {
        expect(await params({ list: { elements: [{ cluster: "engineering-dev", url: "https://kubernetes.default.svc", values: { foo: "bar" } }] } })).toEqual([
            { cluster: "engineering-dev", url: "https://kubernetes.default.svc", "values.foo": "bar" },
        ]);
    });

    it("keeps elements as they are in goTemplate mode", async () => {
        const element = { cluster: "dev", replicas: 2, labels: { team: "a" }, values: { foo: "bar" } };
        expect(await params({ list: { elements: [element] } }, { goTemplate: true })).toEqual([element]);
    });

    it("appends elementsYaml as parsed, not flattened, in both modes (Argo CD does not flatten it)", async () => {
        const list = { list: { elements: [{ cluster: "a" }], elementsYaml: "- cluster: b\n  nested: {x: 1}\n- cluster: c\n" } };
        expect(await params(list)).toEqual([{ cluster: "a" }, { cluster: "b", nested: { x: 1 } }, { cluster: "c" }]);
        expect(await params(list, { goTemplate: true })).toEqual([{ cluster: "a" }, { cluster: "b", nested: { x: 1 } }, { cluster: "c" }]);
    });

    it("refuses elementsYaml that is not a list of objects", async () => {
        await expect(params({ list: { elementsYaml: "cluster: b\n" } })).rejects.toThrow(/field spec\.generators\[0\]\.list\.elementsYaml: must be a YAML list of objects/);
    });
});

describe("clusters generator (cluster.go)", () => {
    const secretType = "argocd.argoproj.io/secret-type";
    const staging = {
        name: "staging-01",
        nameNormalized: "staging-01",
        server: "https://staging-01.example.com",
        project: "",
        "metadata.labels.environment": "staging",
        "metadata.labels.org": "foo",
        [`metadata.labels.${secretType}`]: "cluster",
        "metadata.annotations.foo.argoproj.io": "staging",
    };
    const production = {
        name: "production_01/west",
        nameNormalized: "production-01-west",
        server: "https://production-01.example.com",
        project: "",
        "metadata.labels.environment": "production",
        "metadata.labels.org": "bar",
        [`metadata.labels.${secretType}`]: "cluster",
        "metadata.annotations.foo.argoproj.io": "production",
    };
    const local = { name: "in-cluster", nameNormalized: "in-cluster", server: "https://kubernetes.default.svc", project: "" };

    it("gives every cluster and, last, the in-cluster that has no entry of its own", async () => {
        expect(await params({ clusters: {} })).toEqual([staging, production, local]);
    });

    it("renders values with the cluster's own parameters only (values do not see each other)", async () => {
        const values = { lol1: "lol", lol2: "{{values.lol1}}{{values.lol1}}", bar: "{{ metadata.annotations.foo.argoproj.io }}", aaa: "{{ server }}", "no-op": "{{ this-does-not-exist }}" };
        const [first, , last] = await params({ clusters: { values } });
        expect(first).toMatchObject({ "values.lol1": "lol", "values.lol2": "{{values.lol1}}{{values.lol1}}", "values.bar": "staging", "values.aaa": "https://staging-01.example.com", "values.no-op": "{{ this-does-not-exist }}" });
        expect(last).toMatchObject({ "values.bar": "{{ metadata.annotations.foo.argoproj.io }}", "values.aaa": "https://kubernetes.default.svc" });
    });

    it.each([
        ["matchLabels", { matchLabels: { environment: "production" } }, [production]],
        ["matchExpressions In", { matchExpressions: [{ key: "environment", operator: "In", values: ["production", "staging"] }] }, [staging, production]],
        ["both", { matchLabels: { org: "foo" }, matchExpressions: [{ key: "environment", operator: "In", values: ["production", "staging"] }] }, [staging]],
        ["the secret type label", { matchLabels: { [secretType]: "cluster" } }, [staging, production]],
        ["NotIn (in-cluster has no labels to match)", { matchExpressions: [{ key: "environment", operator: "NotIn", values: ["production"] }] }, [staging]],
    ])("selects by %s, leaving out the in-cluster without a secret", async (_what, selector, expected) => {
        expect(await params({ clusters: { selector } })).toEqual(expected);
    });

    it("nests metadata and values in goTemplate mode; the in-cluster has no metadata", async () => {
        const sets = await params({ clusters: { values: { env: "{{ .metadata.labels.environment }}-x" } } }, { goTemplate: true, clusters: CLUSTERS.slice(0, 2) });
        expect(sets).toEqual([
            {
                name: "staging-01",
                nameNormalized: "staging-01",
                server: "https://staging-01.example.com",
                project: "",
                metadata: { labels: { environment: "staging", org: "foo", [secretType]: "cluster" }, annotations: { "foo.argoproj.io": "staging" } },
                values: { env: "staging-x" },
            },
            { ...local, values: { env: "<no value>-x" } },
        ]);
    });

    it("treats an in-cluster entry with labels as a cluster secret, selected like any", async () => {
        const clusters: FleetCluster[] = [{ name: "in-cluster", server: "https://kubernetes.default.svc", labels: { environment: "dev" } }];
        expect(await params({ clusters: { selector: { matchLabels: { environment: "dev" } } } }, { clusters })).toEqual([
            { name: "in-cluster", nameNormalized: "in-cluster", server: "https://kubernetes.default.svc", project: "", "metadata.labels.environment": "dev", [`metadata.labels.${secretType}`]: "cluster" },
        ]);
    });

    it("gives all clusters as one parameter set with flatList", async () => {
        expect(await params({ clusters: { flatList: true, selector: { matchLabels: { org: "bar" } } } })).toEqual([{ clusters: [production] }]);
    });
});

describe("git directories generator (git.go)", () => {
    it("matches directories with Go's path.Match, skipping dot directories, excludes winning", async () => {
        const sets = await params({ git: { repoURL, revision: "main", directories: [{ path: "apps/*" }, { path: "apps/nested", exclude: true }] } });
        expect(sets).toEqual([
            { path: "apps/guestbook", "path.basename": "guestbook", "path.basenameNormalized": "guestbook", "path[0]": "apps", "path[1]": "guestbook" },
            { path: "apps/helm_guestbook", "path.basename": "helm_guestbook", "path.basenameNormalized": "helm-guestbook", "path[0]": "apps", "path[1]": "helm_guestbook" },
        ]);
        expect(checkouts).toContain(`${repoURL}@main`);
    });

    it("lists the walk in order, and `*` does not cross a slash", async () => {
        const sets = await params({ git: { repoURL, revision: "HEAD", directories: [{ path: "*" }, { path: "*/*/*" }] } });
        expect(sets.map((s) => s.path)).toEqual(["apps", "apps/nested/deep", "broken", "cluster-config", "cluster-config/prod/eu", "lists"]);
    });

    it("prefixes the path parameters with pathParamPrefix and gives segments in goTemplate mode", async () => {
        expect(await params({ git: { repoURL, revision: "main", pathParamPrefix: "myRepo", directories: [{ path: "apps/guestbook" }] } })).toEqual([
            { "myRepo.path": "apps/guestbook", "myRepo.path.basename": "guestbook", "myRepo.path.basenameNormalized": "guestbook", "myRepo.path[0]": "apps", "myRepo.path[1]": "guestbook" },
        ]);
        expect(await params({ git: { repoURL, revision: "main", pathParamPrefix: "myRepo", directories: [{ path: "apps/helm_guestbook" }] } }, { goTemplate: true })).toEqual([
            { myRepo: { path: { path: "apps/helm_guestbook", basename: "helm_guestbook", basenameNormalized: "helm-guestbook", segments: ["apps", "helm_guestbook"] } } },
        ]);
    });

    it("appends values rendered with the directory's parameters", async () => {
        expect(await params({ git: { repoURL, revision: "main", directories: [{ path: "apps/guestbook" }], values: { app: "{{path[1]}}-{{path.basename}}" } } })).toEqual([
            expect.objectContaining({ "values.app": "guestbook-guestbook" }),
        ]);
    });

    it("names the repository when it cannot be read", async () => {
        await expect(params({ git: { repoURL: "https://git.example.com/nope.git", revision: "main", directories: [{ path: "*" }] } })).rejects.toThrow(
            /field spec\.generators\[0\]\.git\.repoURL: cannot read https:\/\/git\.example\.com\/nope\.git at main: repository not found/,
        );
    });
});

describe("post-selector (generator_spec_processor.go)", () => {
    it("filters goTemplate sets by their flattened parameters; path.segments stays one value as Go prints it", async () => {
        const git = { repoURL, revision: "main", directories: [{ path: "apps/*" }] };
        const byBasename = await params({ git, selector: { matchLabels: { "path.basename": "guestbook" } } }, { goTemplate: true });
        expect(byBasename.map((s) => (s.path as { path: string }).path)).toEqual(["apps/guestbook"]);
        const bySegments = await params({ git, selector: { matchExpressions: [{ key: "path.segments", operator: "In", values: ["[apps helm_guestbook]"] }] } }, { goTemplate: true });
        expect(bySegments.map((s) => (s.path as { path: string }).path)).toEqual(["apps/helm_guestbook"]);
    });

    it("reaches nested cluster labels in goTemplate mode", async () => {
        const sets = await params({ clusters: {}, selector: { matchLabels: { "metadata.labels.environment": "staging" } } }, { goTemplate: true });
        expect(sets.map((s) => s.name)).toEqual(["staging-01"]);
    });
});

describe("git files generator (git.go)", () => {
    const devConfig = {
        "cluster.name": "dev",
        "cluster.address": "https://1.2.3.4",
        replicas: "1e+06",
        enabled: "true",
        "tags.0": "a",
        "tags.1": "b",
        path: "cluster-config/dev",
        "path.basename": "dev",
        "path.basenameNormalized": "dev",
        "path.filename": "config.json",
        "path.filenameNormalized": "config.json",
        "path[0]": "cluster-config",
        "path[1]": "dev",
    };

    it("flattens each file into strings as Go prints them, with the file's path parameters", async () => {
        const sets = await params({ git: { repoURL, revision: "main", files: [{ path: "cluster-config/dev/config.json" }] } });
        expect(sets).toEqual([devConfig]);
    });

    it("matches paths as git pathspecs: `*` crosses slashes, excludes are removed, sorted by path", async () => {
        const sets = await params({ git: { repoURL, revision: "main", files: [{ path: "cluster-config/*/config.json" }, { path: "cluster-config/prod/*", exclude: true }] } });
        expect(sets.map((s) => s["cluster.name"])).toEqual(["dev"]);
        const all = await params({ git: { repoURL, revision: "main", files: [{ path: "cluster-config/*/config.json" }] } });
        expect(all.map((s) => s.path)).toEqual(["cluster-config/dev", "cluster-config/prod", "cluster-config/prod/eu"]);
        // YAML 1.1 as Argo CD reads it: `yes` is true.
        expect(all[2]).toMatchObject({ "cluster.name": "prod-eu", secure: "true", "path[2]": "eu" });
    });

    it("reads a file at the root with path '.', and a directory pathspec as every file under it", async () => {
        const [root] = await params({ git: { repoURL, revision: "main", files: [{ path: "cluster-config/config.json" }] } });
        expect(root).toMatchObject({ path: "cluster-config", "path.basename": "cluster-config" });
        const hidden = await params({ git: { repoURL, revision: "main", files: [{ path: ".github" }] } });
        expect(hidden).toEqual([{ hidden: "yes", path: ".github", "path.basename": ".github", "path.basenameNormalized": "github", "path.filename": "config.json", "path.filenameNormalized": "config.json", "path[0]": ".github" }]);
    });

    it("gives one parameter set per object of a list file", async () => {
        const sets = await params({ git: { repoURL, revision: "main", files: [{ path: "lists/teams.yaml" }] } });
        expect(sets.map((s) => s.team)).toEqual(["a", "b"]);
    });

    it("keeps the file's values as they are in goTemplate mode, with path.segments", async () => {
        const [dev] = await params({ git: { repoURL, revision: "main", files: [{ path: "cluster-config/dev/config.json" }] } }, { goTemplate: true });
        expect(dev).toEqual({
            cluster: { name: "dev", address: "https://1.2.3.4" },
            replicas: 1000000,
            enabled: true,
            tags: ["a", "b"],
            path: { path: "cluster-config/dev", basename: "dev", filename: "config.json", basenameNormalized: "dev", filenameNormalized: "config.json", segments: ["cluster-config", "dev"] },
        });
    });

    it("names the file it cannot parse", async () => {
        await expect(params({ git: { repoURL, revision: "main", files: [{ path: "broken/*" }] } })).rejects.toThrow(/unable to process file 'broken\/config\.yaml' from repository 'https:\/\/git\.example\.com\/fleet\.git'/);
    });

    it("refuses a symlink out of the repository", async () => {
        const outside = join(mkdtempSync(join(tmpdir(), "outside-")), "secret.json");
        writeFileSync(outside, "{}");
        symlinkSync(outside, join(repo, "lists", "link.json"));
        await expect(params({ git: { repoURL, revision: "main", files: [{ path: "lists/link.json" }] } })).rejects.toThrow(/symlink to a file outside the repository/);
    });
});

describe("matchers as Argo CD's", () => {
    it.each([
        ["*", "a", true],
        ["*", "a/b", false],
        ["a/*", "a/b", true],
        ["a/**", "a/b/c", false],
        ["a/[^b]c", "a/xc", true],
        ["a/[b-d]", "a/c", true],
        ["a\\*", "a*", true],
        ["a?", "a/", false],
    ])("Go path.Match(%j, %j) is %s", (pattern, name, expected) => {
        expect(goPathMatch(pattern, name)).toBe(expected);
    });

    it.each(["[", "a[", "\\", "[a-]", "*["])("Go path.Match refuses the malformed %j", (pattern) => {
        expect(() => goPathMatch(pattern, "")).toThrow(/syntax error in pattern/);
    });

    it.each([
        ["apps", "apps/a/config.json", true],
        ["apps/", "apps/a.json", true],
        ["app", "apps/a.json", false],
        ["apps/*/config.json", "apps/a/b/config.json", true],
        ["apps/**/config.json", "apps/config.json", false],
        ["apps/**/config.json", "apps/a/config.json", true],
        ["*.json", "deep/dir/x.json", true],
        ["a/?.json", "a/é.json", false],
        ["a/[!x].json", "a/y.json", true],
        ["a/[[:digit:]].json", "a/7.json", true],
        ["./apps/../apps/x.json", "apps/x.json", true],
        [".", "anything/at/all", true],
    ])("git pathspec %j lists %j: %s", (pathspec, file, expected) => {
        expect(pathspecMatches(normalizePathspec(pathspec), file)).toBe(expected);
    });

    it.each([
        [1000000, "1e+06"],
        [123456, "123456"],
        [12345678, "1.2345678e+07"],
        [0.0001, "0.0001"],
        [0.00001, "1e-05"],
        [1.5, "1.5"],
        [-3, "-3"],
    ])("formats the float64 %d as Go's %%v: %s", (n, text) => {
        expect(formatGoFloat(n)).toBe(text);
    });

    it("normalizes names as SanitizeName", () => {
        expect(sanitizeName("production_01/West.")).toBe("production-01-west");
        expect(sanitizeName("-.x.-")).toBe("x");
    });
});

describe("matrix generator (matrix.go)", () => {
    it("interpolates the second generator with each set of the first and joins them (flat)", async () => {
        const sets = await params({
            matrix: {
                generators: [
                    { git: { repoURL, revision: "main", directories: [{ path: "apps/*" }, { path: "apps/nested", exclude: true }] } },
                    { list: { elements: [{ cluster: "Cluster", url: "Url", templated: "test-{{path.basenameNormalized}}" }] } },
                ],
            },
        });
        expect(sets.map((s) => [s.path, s.templated, s.cluster])).toEqual([
            ["apps/guestbook", "test-guestbook", "Cluster"],
            ["apps/helm_guestbook", "test-helm-guestbook", "Cluster"],
        ]);
    });

    it("interpolates a clusters selector from git files in goTemplate mode", async () => {
        const clusters: FleetCluster[] = [
            { name: "dev-01", server: "https://dev-01.example.com", labels: { environment: "dev" } },
            { name: "prod-01", server: "https://prod-01.example.com", labels: { environment: "prod" } },
        ];
        const sets = await params(
            {
                matrix: {
                    generators: [
                        { git: { repoURL, revision: "main", files: [{ path: "cluster-config/dev/config.json" }, { path: "cluster-config/prod/config.json" }] } },
                        { clusters: { selector: { matchLabels: { environment: "{{.path.basename}}" } }, values: { from: "{{ .path.basename }}", own: "{{ .name }}" } } },
                    ],
                },
            },
            { goTemplate: true, goTemplateOptions: ["missingkey=error"], clusters },
        );
        expect(sets.map((s) => [s.name, (s.path as { basename: string }).basename, s.values])).toEqual([
            ["dev-01", "dev", { from: "dev", own: "dev-01" }],
            ["prod-01", "prod", { from: "prod", own: "prod-01" }],
        ]);
    });

    it("lets the first generator's parameters win in goTemplate mode, false and all", async () => {
        const sets = await params(
            {
                matrix: {
                    generators: [
                        { list: { elements: [{ booleanFalse: false, stringTrue: "true", nested: { a: 1 } }] } },
                        { list: { elements: [{ booleanFalse: true, stringTrue: "false", nested: { b: 2 }, only: "second" }] } },
                    ],
                },
            },
            { goTemplate: true },
        );
        expect(sets).toEqual([{ booleanFalse: false, stringTrue: "true", nested: { a: 1, b: 2 }, only: "second" }]);
    });

    it("refuses two different values for one key in flat mode", async () => {
        const matrix = { matrix: { generators: [{ list: { elements: [{ a: "1" }] } }, { list: { elements: [{ a: "2" }] } }] } };
        await expect(params(matrix)).rejects.toThrow(/field spec\.generators\[0\]\.matrix: both generators set parameter "a", to "1" and "2"/);
    });

    it("nests a merge inside a matrix, and applies a child's post-selector", async () => {
        const sets = await params({
            matrix: {
                generators: [
                    { list: { elements: [{ env: "dev" }, { env: "prod" }] }, selector: { matchLabels: { env: "prod" } } },
                    { merge: { mergeKeys: ["app"], generators: [{ list: { elements: [{ app: "a", size: "s" }, { app: "b", size: "s" }] } }, { list: { elements: [{ app: "b", size: "{{env}}-l" }] } }] } },
                ],
            },
        });
        expect(sets).toEqual([
            { env: "prod", app: "a", size: "s" },
            { env: "prod", app: "b", size: "prod-l" },
        ]);
    });
});

describe("merge generator (merge.go)", () => {
    it("overrides base sets by merge key; sets matching no base set are dropped", async () => {
        const sets = await params({
            merge: {
                mergeKeys: ["server"],
                generators: [
                    { clusters: { values: { kafka: "true", redis: "false" } } },
                    { clusters: { selector: { matchLabels: { environment: "production" } }, values: { redis: "true" } } },
                    { list: { elements: [{ server: "https://staging-01.example.com", "values.redis": "staging" }, { server: "https://nowhere", "values.redis": "x" }] } },
                ],
            },
        });
        expect(sets.map((s) => [s.name, s["values.kafka"], s["values.redis"]])).toEqual([
            ["staging-01", "true", "staging"],
            ["production_01/west", "true", "true"],
            ["in-cluster", "true", "false"],
        ]);
    });

    it("refuses a generator whose sets are not unique by the merge keys", async () => {
        const merge = { merge: { mergeKeys: ["a"], generators: [{ list: { elements: [{ a: "1" }, { a: "1" }] } }, { list: { elements: [] } }] } };
        await expect(params(merge)).rejects.toThrow(/field spec\.generators\[0\]\.merge\.generators\[0\]: generates two parameter sets with the same merge keys \{"a":"1"\}/);
    });
});

describe("generated Applications", () => {
    const list = { list: { elements: [{ name: "dev", server: "https://dev" }, { name: "prod", server: "https://prod" }] } };

    it("renders the template per parameter set, with Argo CD's default resources finalizer", async () => {
        const apps = await generate({ generators: [list], template: { ...TEMPLATE, metadata: { name: "app-{{name}}", labels: { env: "{{name}}" } } } });
        expect(apps).toEqual([
            {
                name: "app-dev",
                labels: { env: "dev" },
                finalizers: ["resources-finalizer.argocd.argoproj.io"],
                spec: { project: "default", destination: { server: "https://dev", namespace: "x" } },
                params: { name: "dev", server: "https://dev" },
            },
            expect.objectContaining({ name: "app-prod", params: { name: "prod", server: "https://prod" } }),
        ]);
    });

    it("adds no finalizer with preserveResourcesOnDeletion, and keeps the template's own", async () => {
        const preserved = await generate({ generators: [list], template: TEMPLATE, syncPolicy: { preserveResourcesOnDeletion: true } });
        expect(preserved[0].finalizers).toBeUndefined();
        const own = await generate({ generators: [list], template: { ...TEMPLATE, metadata: { name: "{{name}}", finalizers: ["resources-finalizer.argocd.argoproj.io/background"] } } });
        expect(own[0].finalizers).toEqual(["resources-finalizer.argocd.argoproj.io/background"]);
    });

    it("leaves the template as written for an empty parameter set, without the default finalizer (RenderTemplateParams)", async () => {
        const apps = await generate({ generators: [{ list: { elements: [{}] } }], template: { metadata: { name: "static" }, spec: { project: "{{name}}" } } });
        expect(apps).toEqual([{ name: "static", spec: { project: "{{name}}" }, params: {} }]);
    });

    it("merges a generator's template over the set's: its fields win, empty ones come from the set", async () => {
        const withTemplate = { list: { ...list.list, template: { metadata: { name: "override-{{name}}" }, spec: { destination: { namespace: "other" } } } } };
        const apps = await generate({ generators: [withTemplate, { list: { elements: [{ name: "plain", server: "https://p" }] } }], template: TEMPLATE });
        expect(apps.map((a) => [a.name, a.spec])).toEqual([
            ["override-dev", { project: "default", destination: { server: "https://dev", namespace: "other" } }],
            ["override-prod", { project: "default", destination: { server: "https://prod", namespace: "other" } }],
            ["plain", { project: "default", destination: { server: "https://p", namespace: "x" } }],
        ]);
    });

    it("applies the templatePatch (goTemplate)", async () => {
        const apps = await generate({
            goTemplate: true,
            generators: [{ list: { elements: [{ name: "dev", server: "https://dev", auto: true }, { name: "prod", server: "https://prod", auto: false }] } }],
            template: { metadata: { name: "{{.name}}" }, spec: { project: "default", destination: { server: "{{.server}}", namespace: "x" } } },
            templatePatch: "{{- if .auto }}\nspec:\n  syncPolicy:\n    automated: {}\n{{- end }}\n",
        });
        expect(apps.map((a) => a.spec.syncPolicy)).toEqual([{ automated: {} }, undefined]);
    });

    it("refuses two parameter sets that generate one name, naming both sets", async () => {
        const twice = { list: { elements: [{ name: "dev", server: "https://a" }, { name: "dev", server: "https://b" }] } };
        await expect(generate({ generators: [twice], template: TEMPLATE })).rejects.toThrow(
            /field spec\.template\.metadata\.name: two parameter sets generate the Application dev: \{"name":"dev","server":"https:\/\/a"\} and \{"name":"dev","server":"https:\/\/b"\}/,
        );
    });

    it("refuses an Application without a name", async () => {
        await expect(generate({ generators: [list], template: { ...TEMPLATE, metadata: {} } })).rejects.toThrow(/has no name/);
    });

    it("fails on a template error, naming the parameter set (missingkey=error)", async () => {
        const raw = { goTemplate: true, goTemplateOptions: ["missingkey=error"], generators: [list], template: { metadata: { name: "{{.nope}}" }, spec: TEMPLATE.spec } };
        await expect(generate(raw)).rejects.toThrow(/field spec\.template: cannot render the Application for parameters \{"name":"dev","server":"https:\/\/dev"\}: .*map has no entry for key "nope"/);
    });
});

describe("spec validation", () => {
    const valid = { generators: [{ list: { elements: [] } }], template: TEMPLATE };

    it("reads a full spec", () => {
        const spec = readSpec({
            ...valid,
            goTemplate: true,
            goTemplateOptions: ["missingkey=error"],
            applyNestedSelectors: true,
            syncPolicy: { preserveResourcesOnDeletion: true, applicationsSync: "create-update" },
            strategy: { type: "RollingSync", rollingSync: { steps: [{ matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] }, { matchExpressions: [], maxUpdate: "25%" }] } },
            templatePatch: "spec: {}",
        });
        expect(spec).toMatchObject({
            goTemplate: true,
            goTemplateOptions: ["missingkey=error"],
            syncPolicy: { preserveResourcesOnDeletion: true, applicationsSync: "create-update" },
            strategy: { type: "RollingSync", rollingSync: { steps: [{ matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] }, { matchExpressions: [], maxUpdate: "25%" }] } },
        });
    });

    it("accepts git requeueAfterSeconds, which only sets Argo CD's polling", () => {
        expect(readSpec({ ...valid, generators: [{ git: { repoURL, revision: "main", directories: [{ path: "*" }], requeueAfterSeconds: 30 } }] }).generators[0].git?.requeueAfterSeconds).toBe(30);
    });

    const gen = (g: unknown) => ({ ...valid, generators: [g] });
    const matrixOf = (...children: unknown[]) => gen({ matrix: { generators: children } });
    const listGen = { list: { elements: [{ a: "1" }] } };

    it.each([
        ["scmProvider", gen({ scmProvider: {} }), "spec.generators[0].scmProvider", "the scmProvider generator is not supported by SyncWave"],
        ["pullRequest", gen({ pullRequest: {} }), "spec.generators[0].pullRequest", "the pullRequest generator is not supported"],
        ["clusterDecisionResource", gen({ clusterDecisionResource: {} }), "spec.generators[0].clusterDecisionResource", "the clusterDecisionResource generator is not supported"],
        ["plugin", gen({ plugin: {} }), "spec.generators[0].plugin", "the plugin generator is not supported"],
        ["a nested plugin", matrixOf(listGen, { plugin: {} }), "spec.generators[0].matrix.generators[1].plugin", "the plugin generator is not supported"],
        ["preservedFields", { ...valid, preservedFields: { labels: ["a"] } }, "spec.preservedFields", "preservedFields is not supported"],
        ["ignoreApplicationDifferences", { ...valid, ignoreApplicationDifferences: [{ jsonPointers: ["/spec"] }] }, "spec.ignoreApplicationDifferences", "ignoreApplicationDifferences is not supported"],
        ["an unknown spec field", { ...valid, bogus: 1 }, "spec.bogus", "unknown field"],
        ["an unknown git field", gen({ git: { repoURL, revision: "main", directories: [{ path: "*" }], requeueAfter: 3 } }), "spec.generators[0].git.requeueAfter", "unknown field"],
        ["no template", { generators: valid.generators }, "spec.template", "required"],
        ["an unknown template metadata field", { ...valid, template: { metadata: { generateName: "x-" }, spec: {} } }, "spec.template.metadata.generateName", "unknown field"],
        ["no generators", { ...valid, generators: [] }, "spec.generators", "needs at least one generator"],
        ["an entry naming no generator", gen({ selector: {} }), "spec.generators[0]", "names no generator"],
        ["a matrix of three", matrixOf(listGen, listGen, listGen), "spec.generators[0].matrix.generators", "exactly two generators, found 3"],
        ["a matrix of one", matrixOf(listGen), "spec.generators[0].matrix.generators", "exactly two generators, found 1"],
        ["a template inside a matrix", matrixOf(listGen, { list: { elements: [], template: TEMPLATE } }), "spec.generators[0].matrix.generators[1].list.template", "cannot have a template"],
        ["two generators in one matrix child", matrixOf(listGen, { list: { elements: [] }, clusters: {} }), "spec.generators[0].matrix.generators[1]", "exactly one generator"],
        ["a matrix three levels deep", matrixOf(listGen, { matrix: { generators: [listGen, { matrix: { generators: [listGen, listGen] } }] } }), "spec.generators[0].matrix.generators[1].matrix.generators[1].matrix", "two levels deep at most"],
        ["a merge of one", gen({ merge: { mergeKeys: ["a"], generators: [listGen] } }), "spec.generators[0].merge.generators", "at least two generators"],
        ["a merge without mergeKeys", gen({ merge: { generators: [listGen, listGen] } }), "spec.generators[0].merge.mergeKeys", "required"],
        ["git directories and files", gen({ git: { repoURL, revision: "main", directories: [{ path: "*" }], files: [{ path: "*" }] } }), "spec.generators[0].git", "not both"],
        ["git without revision", gen({ git: { repoURL, directories: [{ path: "*" }] } }), "spec.generators[0].git.revision", "required"],
        ["a malformed directory pattern", gen({ git: { repoURL, revision: "main", directories: [{ path: "apps/[" }] } }), "spec.generators[0].git.directories[0].path", "syntax error in pattern"],
        ["pathspec magic", gen({ git: { repoURL, revision: "main", files: [{ path: ":(glob)apps/*.json" }] } }), "spec.generators[0].git.files[0].path", "pathspec magic"],
        ["a path outside the repository", gen({ git: { repoURL, revision: "main", files: [{ path: "../x.json" }] } }), "spec.generators[0].git.files[0].path", "outside the repository"],
        ["a flat list value that is not a string", gen({ list: { elements: [{ replicas: 3 }] } }), "spec.generators[0].list.elements[0].replicas", "must be a string without goTemplate"],
        ["a selector operator", gen({ clusters: { selector: { matchExpressions: [{ key: "env", operator: "Gt", values: ["1"] }] } } }), "spec.generators[0].clusters.selector.matchExpressions[0].operator", "not a label selector operator"],
        ["a cluster selector value", gen({ clusters: { selector: { matchLabels: { env: "a b" } } } }), 'spec.generators[0].clusters.selector.matchLabels["env"]', "invalid label value"],
        ["a post-selector key", gen({ ...listGen, selector: { matchLabels: { "path[0]": "x" } } }), 'spec.generators[0].selector.matchLabels["path[0]"]', "invalid label key"],
        ["goTemplateOptions without goTemplate", { ...valid, goTemplateOptions: ["missingkey=error"] }, "spec.goTemplateOptions", "only with goTemplate: true"],
        ["an unknown goTemplateOption", { ...valid, goTemplate: true, goTemplateOptions: ["missingkey=oops"] }, "spec.goTemplateOptions[0]", "not a Go template option"],
        ["an applicationsSync policy", { ...valid, syncPolicy: { applicationsSync: "create-maybe" } }, "spec.syncPolicy.applicationsSync", "not a policy"],
        ["deletionOrder", { ...valid, strategy: { type: "RollingSync", deletionOrder: "Reverse", rollingSync: { steps: [{}] } } }, "spec.strategy.deletionOrder", "deletionOrder is not supported"],
        ["a strategy type", { ...valid, strategy: { type: "Canary" } }, "spec.strategy.type", "not a strategy"],
        ["RollingSync without steps", { ...valid, strategy: { type: "RollingSync", rollingSync: { steps: [] } } }, "spec.strategy.rollingSync.steps", "at least one step"],
        ["rollingSync without its type", { ...valid, strategy: { rollingSync: { steps: [{}] } } }, "spec.strategy.rollingSync", "only with type: RollingSync"],
        ["a step operator", { ...valid, strategy: { type: "RollingSync", rollingSync: { steps: [{ matchExpressions: [{ key: "a", operator: "Exists" }] }] } } }, "spec.strategy.rollingSync.steps[0].matchExpressions[0].operator", "expected In or NotIn"],
        ["a maxUpdate", { ...valid, strategy: { type: "RollingSync", rollingSync: { steps: [{ maxUpdate: "2" }] } } }, "spec.strategy.rollingSync.steps[0].maxUpdate", "whole number or a percentage"],
    ])("refuses %s, naming the field", (_what, raw, field, message) => {
        let error: Error | undefined;
        try {
            readSpec(raw as Record<string, unknown>);
        } catch (err) {
            error = err as Error;
        }
        expect(error?.message).toContain(`file ${FILE}, resource ApplicationSet fleet, field ${field}: `);
        expect(error?.message).toContain(message);
    });
});
