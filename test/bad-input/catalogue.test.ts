// Bad input, surface by surface, run in-process against the code a sync runs: the repository's files
// (rendered and planned as the program does), stack configuration and Argo CD manifests (read as the
// program reads them). Each case must be refused with a message that names where to look: the file,
// the resource and the field (or the configuration key). Valid odd input (empty documents, `kind:
// List`) must be accepted. The end-to-end half (the CLI refusing, the cluster and the state unchanged)
// is in sync-refusals.test.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { orderByDependencies } from "../../components/fleet/depends-on";
import { validateApplicationSet } from "../../components/fleet/applicationset-spec";
import { validateProjectSpec } from "../../components/project";
import { renderSource, type HelmSource } from "../../components/source/render";
import { readDeclarations, type StackConfigInput } from "../../components/stack-config";
import { planSync } from "../../components/sync/plan";
import type { DiscoveredKinds } from "../../components/sync/scope";

const KINDS: DiscoveredKinds = {
    kinds: Object.fromEntries(
        (
            [
                ["/ConfigMap", "Namespaced", "v1"],
                ["/Secret", "Namespaced", "v1"],
                ["/Service", "Namespaced", "v1"],
                ["/Namespace", "Cluster", "v1"],
                ["apps/Deployment", "Namespaced", "v1"],
                ["batch/Job", "Namespaced", "v1"],
            ] as const
        ).map(([key, scope, version]) => [key, { scope, versions: [version] }]),
    ),
    unavailable: {},
};

/** Helm never runs for a refused chart: its options and values are checked before the template is asked for. */
const unreachableHelm = async (): Promise<never> => {
    throw new Error("helm template was called for input that should have been refused");
};

/** A checkout holding these files, rendered and planned as a sync's program does. */
async function renderAndPlan(files: Record<string, string | Buffer>, syncOptions: string[] = [], helm?: HelmSource) {
    const checkoutDir = mkdtempSync(join(tmpdir(), "syncwave-bad-input-"));
    for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(checkoutDir, path)), { recursive: true });
        writeFileSync(join(checkoutDir, path), content);
    }
    const manifests = await renderSource({ application: "web", checkoutDir, path: "app", namespace: "team", helm }, unreachableHelm);
    return planSync({ application: "web", manifests, namespace: "team", syncOptions, kinds: KINDS });
}

const cm = (name: string, annotations: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations }, data: { a: "1" }, ...extra });

interface ManifestCase {
    surface: string;
    name: string;
    files: Record<string, string | Buffer>;
    syncOptions?: string[];
    /** The Application's source.helm, for a chart. */
    helm?: HelmSource;
    /** Everything the message must say, in order: where (file, resource, field) and what. */
    says: (string | RegExp)[];
}

const manifestCases: ManifestCase[] = [
    { surface: "YAML syntax", name: "a tab-indented mapping", files: { "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n" }, says: ["file app/cm.yaml", /invalid YAML at line \d/] },
    { surface: "YAML syntax", name: "an unclosed flow sequence", files: { "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n" }, says: ["file app/cm.yaml", "invalid YAML"] },
    { surface: "YAML syntax", name: "a duplicate key", files: { "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n" }, says: ["file app/cm.yaml", "invalid YAML"] },
    { surface: "JSON syntax", name: "a trailing comma", files: { "app/cm.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},}' }, says: ["file app/cm.json", "invalid JSON"] },
    { surface: "YAML syntax", name: "a scalar document", files: { "app/cm.yaml": "just text\n" }, says: ["file app/cm.yaml", "not a Kubernetes object"] },
    { surface: "YAML syntax", name: "a list document", files: { "app/cm.yaml": "- a\n- b\n" }, says: ["file app/cm.yaml", "not a Kubernetes object"] },
    { surface: "binary files", name: "a binary file named .yaml", files: { "app/blob.yaml": Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x00, 0x7f, 0x80, 0x0a]) }, says: ["file app/blob.yaml"] },
    { surface: "binary files", name: "Latin-1 text, not UTF-8", files: { "app/cm.yaml": Buffer.concat([Buffer.from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf"), Buffer.from([0xe9]), Buffer.from("\n")]) }, says: ["file app/cm.yaml", "not UTF-8 text: byte 52 (0xe9) is not valid UTF-8"] },
    { surface: "objects", name: "no apiVersion", files: { "app/cm.yaml": "kind: ConfigMap\nmetadata:\n  name: x\n" }, says: ["file app/cm.yaml", "field apiVersion", "apiVersion is missing"] },
    { surface: "objects", name: "no kind", files: { "app/cm.yaml": "apiVersion: v1\nmetadata:\n  name: x\n" }, says: ["file app/cm.yaml", "field kind", "kind is missing"] },
    { surface: "objects", name: "no name", files: { "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n" }, says: ["file app/cm.yaml", /field metadata\.name/] },
    { surface: "names", name: "a name Kubernetes refuses", files: { "app/cm.yaml": cm("Not_A_Name") }, says: ["file app/cm.yaml", "field metadata.name", 'ConfigMap metadata.name "Not_A_Name" must consist of lower case letters'] },
    { surface: "names", name: "a namespace Kubernetes refuses", files: { "app/cm.yaml": stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "Team!" } }) }, says: ["file app/cm.yaml", "field metadata.namespace", 'metadata.namespace "Team!" must consist of lower case letters'] },
    { surface: "names", name: "a Service name that starts with a digit", files: { "app/svc.yaml": stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "1web" }, spec: { ports: [{ port: 80 }] } }) }, says: ["file app/svc.yaml", "field metadata.name", "RFC 1035 label"] },
    { surface: "duplicates", name: "the same object twice in one Application", files: { "app/a.yaml": cm("same"), "app/b.yaml": cm("same") }, says: [/app\/a\.yaml/, /app\/b\.yaml/, /ConfigMap.*same/] },
    { surface: "kinds", name: "a kind the cluster does not serve", files: { "app/w.yaml": stringify({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }) }, says: ["file app/w.yaml", "field apiVersion", "could not find example.com/Widget", 'make sure the "Widget" CRD is installed'] },
    { surface: "kinds", name: "an API version the cluster does not serve", files: { "app/d.yaml": stringify({ apiVersion: "apps/v1beta1", kind: "Deployment", metadata: { name: "d" } }) }, says: ["file app/d.yaml", "field apiVersion", 'could not find version "v1beta1" of apps/Deployment: the destination serves v1'] },
    { surface: "waves", name: "a sync-wave that is not an integer", files: { "app/cm.yaml": cm("x", { "argocd.argoproj.io/sync-wave": "first" }) }, says: ["file app/cm.yaml", 'field metadata.annotations["argocd.argoproj.io/sync-wave"]', '"first" is not an integer'] },
    { surface: "waves", name: "a sync-wave with a fraction", files: { "app/cm.yaml": cm("x", { "argocd.argoproj.io/sync-wave": "1.5" }) }, says: ["file app/cm.yaml", "sync-wave", '"1.5" is not an integer'] },
    { surface: "hooks", name: "an unknown hook type", files: { "app/job.yaml": cm("x", { "argocd.argoproj.io/hook": "PreSnyc" }) }, says: ["file app/job.yaml", 'argocd.argoproj.io/hook"]', "PreSnyc"] },
    { surface: "hooks", name: "a misspelt Helm hook", files: { "app/job.yaml": cm("x", { "helm.sh/hook": "pre-instal" }) }, says: ["file app/job.yaml", 'field metadata.annotations["helm.sh/hook"]', 'unknown Helm hook "pre-instal"'] },
    { surface: "hooks", name: "an unknown hook delete policy", files: { "app/job.yaml": cm("x", { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSuceeded" }) }, says: ["file app/job.yaml", "hook-delete-policy", "HookSuceeded"] },
    { surface: "hooks", name: "a Helm hook weight that is not an integer", files: { "app/job.yaml": cm("x", { "helm.sh/hook": "pre-install", "helm.sh/hook-weight": "heavy" }) }, says: ["file app/job.yaml", "helm.sh/hook-weight", '"heavy" is not an integer'] },
    { surface: "sync options", name: "an unknown sync option annotation", files: { "app/cm.yaml": cm("x", { "argocd.argoproj.io/sync-options": "Prune=maybe" }) }, says: ["file app/cm.yaml", 'field metadata.annotations["argocd.argoproj.io/sync-options"]', 'sync option Prune must be true or false, not "maybe"'] },
    { surface: "sync options", name: "a sync option SyncWave does not know", files: { "app/cm.yaml": cm("x", { "argocd.argoproj.io/sync-options": "Teleport=true" }) }, says: ["file app/cm.yaml", "sync-options", "Teleport=true"] },
    { surface: "sync options", name: "an Application sync option SyncWave does not know", files: { "app/cm.yaml": cm("x") }, syncOptions: ["ApplyOutOfSyncOnly=sometimes"], says: ["field syncPolicy.syncOptions", 'sync option ApplyOutOfSyncOnly must be true or false, not "sometimes"'] },
    { surface: "compare options", name: "an unknown compare option", files: { "app/cm.yaml": cm("x", { "argocd.argoproj.io/compare-options": "IgnoreExtraneous,Strict" }) }, says: ["file app/cm.yaml", "compare-options", "Strict"] },
    { surface: "health timeouts", name: "a health timeout that is not a duration", files: { "app/cm.yaml": cm("x", { "syncwave.dev/health-timeout": "5 minutes" }) }, says: ["file app/cm.yaml", "syncwave.dev/health-timeout", "5 minutes"] },
    { surface: "health timeouts", name: "a degraded grace that is not a duration", files: { "app/cm.yaml": cm("x", { "syncwave.dev/degraded-grace": "-1s" }) }, says: ["file app/cm.yaml", "syncwave.dev/degraded-grace", "-1s"] },
    { surface: "annotations", name: "an unknown syncwave.dev annotation", files: { "app/cm.yaml": cm("x", { "syncwave.dev/helth-timeout": "5m" }) }, says: ["file app/cm.yaml", 'field metadata.annotations["syncwave.dev/helth-timeout"]', "unknown SyncWave annotation"] },
    { surface: "Kustomize", name: "a kustomization naming a file that is not there", files: { "app/kustomization.yaml": "resources:\n  - missing.yaml\n" }, says: [/kustomiz/i, "missing.yaml"] },
    { surface: "Helm values files", name: "a values file that is not in the repository", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, helm: { valueFiles: ["values-prod.yaml"] }, says: ["field source.helm.valueFiles", "values-prod.yaml"] },
    { surface: "Helm values files", name: "a values file that is not YAML", files: { ...{ "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, "app/values-prod.yaml": "replicas: [1\n" }, helm: { valueFiles: ["values-prod.yaml"] }, says: ["field source.helm.valueFiles", "value file values-prod.yaml is not valid YAML"] },
    { surface: "Helm values files", name: "a values file that is a list, not a map of values", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values-prod.yaml": "- replicas\n" }, helm: { valueFiles: ["values-prod.yaml"] }, says: ["field source.helm.valueFiles", "value file values-prod.yaml is not a YAML map of values"] },
    { surface: "Helm values files", name: "a values file outside the repository", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, helm: { valueFiles: ["../../../etc/passwd"] }, says: ["field source.helm.valueFiles", "etc/passwd"] },
    { surface: "Helm", name: "inline values that are not YAML", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, helm: { values: "replicas: [1\n" }, says: ["field source.helm.values"] },
    { surface: "Helm", name: "a --set parameter Helm cannot parse", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, helm: { parameters: [{ name: "a[", value: "1" }] }, says: ["field source.helm.parameters[0]"] },
    { surface: "Helm", name: "a Helm version SyncWave does not render with", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, helm: { version: "v2" }, says: ["field source.helm.version", "helm version 'v2' is not supported"] },
    { surface: "Helm", name: "a kubeVersion that is no version", files: { "app/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "app/values.yaml": "replicas: 1\n", "app/templates/cm.yaml": cm("x") }, helm: { kubeVersion: "latest" }, says: ["field source.helm.kubeVersion", "could not parse kubernetes version latest"] },
    { surface: "Kustomize", name: "a kustomization that is not YAML", files: { "app/kustomization.yaml": "resources: [\n" }, says: ["file app", "kustomize build failed", "invalid Kustomization: yaml: line 1"] },
];

const validCases: { name: string; files: Record<string, string>; objects: number }[] = [
    { name: "empty documents between objects", files: { "app/cm.yaml": `---\n${cm("a")}---\n---\n# only a comment\n---\n${cm("b")}` }, objects: 2 },
    { name: "a v1 List of objects", files: { "app/list.yaml": stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }] }) }, objects: 2 },
    { name: "an empty file beside an object", files: { "app/empty.yaml": "", "app/cm.yaml": cm("a") }, objects: 1 },
    { name: "a JSON file", files: { "app/cm.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-json" } }) }, objects: 1 },
    { name: "UTF-8 text beyond ASCII", files: { "app/cm.yaml": cm("x", {}, { data: { greeting: "grüße, 你好" } }) }, objects: 1 },
];

function expectSays(message: string, says: (string | RegExp)[]): void {
    for (const part of says) {
        if (typeof part === "string") expect(message, message).toContain(part);
        else expect(message, message).toMatch(part);
    }
}

describe("bad input in the repository is refused, naming the file, the resource and the field", () => {
    it.each(manifestCases.map((c) => [`${c.surface}: ${c.name}`, c] as const))("%s", async (_, c) => {
        const message = await renderAndPlan(c.files, c.syncOptions, c.helm).then(
            () => "accepted",
            (err: Error) => err.message,
        );
        expect(message, `expected a refusal, got: ${message}`).not.toBe("accepted");
        expectSays(message, c.says);
    });

    it.each(validCases.map((c) => [c.name, c] as const))("accepts %s", async (_, c) => {
        const plan = await renderAndPlan(c.files);
        expect(plan.managed.length).toBe(c.objects);
    });
});

interface ConfigCase {
    surface: string;
    name: string;
    input: StackConfigInput;
    /** Files the configuration refers to (Argo CD manifests, platform files), relative to the project. */
    files?: Record<string, string>;
    says: (string | RegExp)[];
}

const project = { sourceRepos: ["*"], destinations: [{ server: "https://kubernetes.default.svc", namespace: "*" }] };
const platform = { projects: { team: project }, applications: { web: ["team"] } };
const app = (extra: Record<string, unknown> = {}) => ({
    project: "team",
    source: { repoURL: "https://git.example.com/web.git", targetRevision: "main", path: "app" },
    destination: { server: "https://kubernetes.default.svc", namespace: "web" },
    ...extra,
});
const argoApp = (spec: Record<string, unknown>, name = "web") => stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name }, spec: { ...app(), ...spec } });

const configCases: ConfigCase[] = [
    { surface: "stack config", name: "an Application field SyncWave does not know", input: { platform, applications: { web: app({ sourceRepo: "x" }) } }, says: ["web", "sourceRepo"] },
    { surface: "stack config", name: "no project", input: { platform, applications: { web: { ...app(), project: undefined } } }, says: ["web", "project"] },
    { surface: "stack config", name: "a destination with neither server nor name", input: { platform, applications: { web: app({ destination: { namespace: "web" } }) } }, says: ["field syncwave:applications.web.destination", "names no cluster: set destination.server or destination.name"] },
    { surface: "stack config", name: "a source without repoURL", input: { platform, applications: { web: app({ source: { path: "app" } }) } }, says: ["field syncwave:applications.web.source.repoURL", "has no repoURL"] },
    { surface: "stack config", name: "an automated sync policy with an unknown field", input: { platform, applications: { web: app({ syncPolicy: { automated: { prun: true } } }) } }, says: ["web", "prun"] },
    { surface: "stack config", name: "a retry backoff duration that is not one", input: { platform, applications: { web: app({ syncPolicy: { retry: { limit: 2, backoff: { duration: "soon" } } } }) } }, says: ["field syncwave:applications.web.syncPolicy.retry.backoff.duration", '"soon" is not a duration'] },
    { surface: "stack config", name: "Projects outside the platform", input: { projects: { team: project }, applications: {} }, says: ["syncwave:projects"] },
    { surface: "stack config", name: "an Application name Kubernetes refuses", input: { platform: { ...platform, applications: { Web_App: ["team"] } }, applications: { Web_App: app() } }, says: ["field syncwave:applications.Web_App", 'application name "Web_App" must consist of lower case letters'] },
    { surface: "stack config", name: "dependsOn naming no Application", input: { platform, applications: { web: app({ dependsOn: ["db"] }) } }, says: ["web", "dependsOn", "db"] },
    { surface: "stack config", name: "autoRollback without automated sync", input: { platform, applications: { web: app({ autoRollback: true }) } }, says: ["field syncwave:applications.web.autoRollback", "automatic rollback without syncPolicy.automated"] },
    { surface: "Argo CD manifests", name: "an auto-rollback annotation that is not true or false", input: { platform, manifests: ["apps"] }, files: { "apps/web.yaml": stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "web", annotations: { "syncwave.dev/auto-rollback": "on" } }, spec: app({ syncPolicy: { automated: {} } }) }) }, says: [/apps\/web\.yaml/, 'syncwave.dev/auto-rollback"]', 'must be "true" or "false", not "on"'] },
    { surface: "revisions", name: "a targetRevision that is not text", input: { platform, applications: { web: app({ source: { repoURL: "https://git.example.com/web.git", targetRevision: 3, path: "app" } }) } }, says: ["web", "targetRevision"] },
    { surface: "repository URLs", name: "a repoURL holding a password", input: { platform, applications: { web: app({ source: { repoURL: "https://ci:secret@git.example.com/web.git", targetRevision: "main", path: "app" } }) } }, says: ["repoURL", "https://***@git.example.com/web.git holds credentials: put them in syncwave:repoCredentials"] },
    { surface: "sync windows", name: "a schedule that is not cron", input: { platform: { ...platform, projects: { team: { ...project, syncWindows: [{ kind: "deny", schedule: "every night", duration: "1h", applications: ["*"] }] } } }, applications: { web: app() } }, says: ["field projects.team.syncWindows[0].schedule", 'invalid cron schedule "every night"'] },
    { surface: "sync windows", name: "a duration that is not one", input: { platform: { ...platform, projects: { team: { ...project, syncWindows: [{ kind: "deny", schedule: "0 22 * * *", duration: "all night", applications: ["*"] }] } } }, applications: { web: app() } }, says: ["field projects.team.syncWindows[0].duration", '"all night" is not a duration'] },
    { surface: "sync windows", name: "a time zone that does not exist", input: { platform: { ...platform, projects: { team: { ...project, syncWindows: [{ kind: "deny", schedule: "0 22 * * *", duration: "1h", timeZone: "Mars/Olympus", applications: ["*"] }] } } }, applications: { web: app() } }, says: ["field projects.team.syncWindows[0].timeZone", 'unknown time zone "Mars/Olympus"'] },
    { surface: "sync windows", name: "a kind that is neither allow nor deny", input: { platform: { ...platform, projects: { team: { ...project, syncWindows: [{ kind: "maybe", schedule: "0 22 * * *", duration: "1h", applications: ["*"] }] } } }, applications: { web: app() } }, says: ["field projects.team.syncWindows[0].kind", 'kind must be "allow" or "deny", not "maybe"'] },
    { surface: "Argo CD manifests", name: "an Application manifest with an unknown spec field", input: { platform, manifests: ["apps"] }, files: { "apps/web.yaml": argoApp({ sourceRepo: "x" }) }, says: [/apps\/web\.yaml/, "sourceRepo"] },
    { surface: "Argo CD manifests", name: "an Application manifest that is not YAML", input: { platform, manifests: ["apps"] }, files: { "apps/web.yaml": "kind: Application\nspec: [\n" }, says: [/apps\/web\.yaml/] },
    { surface: "Argo CD manifests", name: "an ApplicationSet with an unknown generator", input: { platform, manifests: ["apps"] }, files: { "apps/set.yaml": stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet", metadata: { name: "set" }, spec: { generators: [{ pullRequest: {} }], template: { metadata: { name: "x" }, spec: app() } } }) }, says: [/apps\/set\.yaml/, "pullRequest"] },
    { surface: "Argo CD manifests", name: "an AppProject among the Application manifests", input: { platform, manifests: ["apps"] }, files: { "apps/p.yaml": stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "p" }, spec: {} }) }, says: [/apps\/p\.yaml/, "AppProject"] },
    { surface: "Argo CD manifests", name: "the same Application in config and in a manifest", input: { platform, applications: { web: app() }, manifests: ["apps"] }, files: { "apps/web.yaml": argoApp({}) }, says: ["web", /apps\/web\.yaml/] },
    { surface: "Argo CD manifests", name: "a manifests path that does not exist", input: { platform, manifests: ["nowhere"] }, says: ["syncwave:manifests", "nowhere"] },
];

/**
 * Stack configuration read as the program (index.ts) reads it before it declares anything: the
 * declarations, each Project's spec, the dependsOn graph and each ApplicationSet's spec.
 */
function readStack(input: StackConfigInput, baseDir: string): void {
    const declarations = readDeclarations(input, baseDir);
    for (const [name, spec] of Object.entries(declarations.projects)) validateProjectSpec(name, spec);
    orderByDependencies(
        Object.entries(declarations.applications).map(([name, spec]) => ({ name, spec, dependsOn: spec.dependsOn, where: { field: "dependsOn" } })),
        "the stack",
    );
    for (const [name, set] of Object.entries(declarations.applicationSets)) validateApplicationSet(name, set.spec, { file: set.file, field: "spec" });
}

describe("bad stack configuration and Argo CD manifests are refused, naming the key or the file and the field", () => {
    it.each(configCases.map((c) => [`${c.surface}: ${c.name}`, c] as const))("%s", (_, c) => {
        const baseDir = mkdtempSync(join(tmpdir(), "syncwave-bad-config-"));
        for (const [path, content] of Object.entries(c.files ?? {})) {
            mkdirSync(dirname(join(baseDir, path)), { recursive: true });
            writeFileSync(join(baseDir, path), content);
        }
        let message = "accepted";
        try {
            readStack(c.input, baseDir);
        } catch (err) {
            message = (err as Error).message;
        }
        expect(message, `expected a refusal, got: ${message}`).not.toBe("accepted");
        expectSays(message, c.says);
    });
});
