// The web UI's pure parts: view models from the CLI readers' data, the Host and token checks, routes,
// and the HTML (escaping, redaction, statuses in words).
import { describe, expect, it } from "vitest";
import type { HealthRow } from "../../cli/commands/stack-health";
import type { HistoryEntry } from "../../cli/commands/history";
import { applicationContent, applicationsContent, badge, diffContent, driftContent, escapeHtml, page, staleBanner } from "../../cli/ui/html";
import { route } from "../../cli/ui/routes";
import { checkToken, cookieValue, hostAllowed, hostOf, TOKEN_COOKIE } from "../../cli/ui/security";
import {
    applicationHistory,
    applicationOwners,
    compareStages,
    driftCount,
    groupRows,
    healthOf,
    lastSyncOf,
    matchesFilter,
    ownedTree,
    parseStage,
    redactSecret,
    resourceTree,
    syncStatus,
    type AppRow,
} from "../../cli/ui/view-model";

const row = (over: Partial<AppRow> = {}): AppRow => ({
    stack: "dev",
    application: "shop",
    project: "team",
    revision: "0123456789abcdef0123",
    sync: "Synced",
    syncReason: "preview",
    health: { status: "Healthy", message: "" },
    pinned: false,
    driftCount: 0,
    labels: {},
    ...over,
});

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({ id: 1, operation: "update", kind: "sync", startTime: "2026-12-07T10:00:00.000Z", by: "ci", result: "succeeded", health: "Healthy", revisions: {}, message: "", ...over });

describe("Host header (DNS rebinding)", () => {
    const bound = { address: "127.0.0.1", port: 8080 };
    it("accepts the bound address and localhost on the loopback address, at the bound port", () => {
        expect(hostAllowed("127.0.0.1:8080", bound)).toBe(true);
        expect(hostAllowed("localhost:8080", bound)).toBe(true);
        expect(hostAllowed("LOCALHOST:8080", bound)).toBe(true);
        expect(hostAllowed("[::1]:8080", bound)).toBe(true);
    });
    it("refuses any other name, another port, or no Host at all", () => {
        expect(hostAllowed("evil.example.com:8080", bound)).toBe(false);
        expect(hostAllowed("127.0.0.1.nip.io:8080", bound)).toBe(false);
        expect(hostAllowed("127.0.0.1:9090", bound)).toBe(false);
        expect(hostAllowed("127.0.0.1", bound)).toBe(false);
        expect(hostAllowed(undefined, bound)).toBe(false);
    });
    it("on another address accepts only that address (not localhost), and on 0.0.0.0 the machine's own", () => {
        expect(hostAllowed("10.1.2.3:8080", { address: "10.1.2.3", port: 8080 })).toBe(true);
        expect(hostAllowed("localhost:8080", { address: "10.1.2.3", port: 8080 })).toBe(false);
        expect(hostAllowed("10.1.2.3:8080", { address: "0.0.0.0", port: 8080 }, ["10.1.2.3"])).toBe(true);
        expect(hostAllowed("attacker.test:8080", { address: "0.0.0.0", port: 8080 }, ["10.1.2.3"])).toBe(false);
    });
    it("parses bracketed IPv6 hosts", () => {
        expect(hostOf("[::1]:80")).toEqual({ host: "::1", port: "80" });
        expect(hostOf("Example.com")).toEqual({ host: "example.com", port: undefined });
    });
});

describe("token", () => {
    const url = (q = "") => new URL(`http://127.0.0.2:8080/${q}`);
    it("is not asked for without one", () => expect(checkToken(undefined, { headers: {}, url: url() })).toEqual({ ok: true }));
    it("is accepted from the header or the cookie, refused when wrong or absent", () => {
        expect(checkToken("s3cret-token-value", { headers: { "x-syncwave-token": "s3cret-token-value" }, url: url() }).ok).toBe(true);
        expect(checkToken("s3cret-token-value", { headers: { cookie: `a=b; ${TOKEN_COOKIE}=s3cret-token-value` }, url: url() }).ok).toBe(true);
        expect(checkToken("s3cret-token-value", { headers: { "x-syncwave-token": "wrong" }, url: url() }).ok).toBe(false);
        expect(checkToken("s3cret-token-value", { headers: {}, url: url() }).ok).toBe(false);
    });
    it("from ?token= becomes an HttpOnly, SameSite=Strict cookie", () => {
        const check = checkToken("s3cret-token-value", { headers: {}, url: url("?token=s3cret-token-value") });
        expect(check).toEqual({ ok: true, setCookie: expect.stringContaining("HttpOnly; SameSite=Strict") });
    });
    it("reads cookies", () => expect(cookieValue("x=1; y=%20z", "y")).toBe(" z"));
});

describe("routes", () => {
    const r = (path: string) => route(new URL(`http://h${path}`));
    it("maps paths to pages", () => {
        expect(r("/")).toEqual({ page: "applications" });
        expect(r("/stacks/dev/applications/shop?node=Deployment%20shop%2Fapi")).toEqual({ page: "application", stack: "dev", application: "shop", node: "Deployment shop/api" });
        expect(r("/stacks/dev/diff")).toEqual({ page: "diff", stack: "dev" });
        expect(r("/stacks/dev/drift")).toEqual({ page: "drift", stack: "dev" });
        expect(r("/events?stack=a&stack=b")).toEqual({ page: "events", stacks: ["a", "b"] });
        expect(r("/assets/client.js")).toEqual({ page: "asset", name: "client.js" });
        expect(r("/assets/../../etc/passwd")).toEqual({ page: "not-found" });
        expect(r("/assets/secret.txt")).toEqual({ page: "not-found" });
        expect(r("/stacks/%E0%A4%A/drift")).toEqual({ page: "not-found" });
    });
});

describe("stages and the resource tree", () => {
    it("parses and orders stages as a sync runs them", () => {
        expect(parseStage("PreSync wave 0")).toEqual({ phase: "PreSync", wave: 0, hook: false });
        expect(parseStage("Sync wave -1")).toEqual({ phase: "Sync", wave: -1, hook: false });
        expect(parseStage("PostSync hook")).toEqual({ phase: "PostSync", hook: true });
        const stages = ["PostSync hook", "Sync wave 1", "PreSync wave 0", "Sync wave -1", "PreSync hook"];
        expect([...stages].sort(compareStages)).toEqual(["PreSync hook", "PreSync wave 0", "Sync wave -1", "Sync wave 1", "PostSync hook"]);
    });

    const rows: HealthRow[] = [
        { application: "shop", stage: "PreSync hook", resource: "Job shop/migrate", status: "Succeeded", message: "" },
        { application: "shop", stage: "Sync wave 1", resource: "Deployment shop/api", status: "Healthy", message: "" },
        { application: "shop", stage: "Sync wave -1", resource: "ConfigMap shop/config", status: "Healthy", message: "" },
        { application: "shop", stage: "PostSync hook", resource: "Job shop/smoke", status: "Succeeded", message: "" },
        { application: "other", stage: "Sync wave 0", resource: "Service x/y", status: "Healthy", message: "" },
    ];
    const objects = [
        { application: "shop", apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" },
        { application: "shop", apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "config" },
        { application: "shop", apiVersion: "v1", kind: "Secret", namespace: "shop", name: "creds" },
    ];

    it("lays resources out by phase and wave, live health over the recorded one, ungated objects first, drift counted", () => {
        const tree = resourceTree({
            application: "shop",
            rows,
            objects,
            live: new Map([["Deployment shop/api", { status: "Degraded" as const, message: "crash" }]]),
            drift: [{ application: "shop", fields: [{ resource: "Deployment shop/api", path: "spec.replicas", class: "unauthorised", reason: "x" }, { resource: "Deployment shop/api", path: "spec.x", class: "ignored", reason: "y" }] }],
        });
        expect(tree.map((c) => c.title)).toEqual(["Not gated", "PreSync hooks", "Sync wave -1", "Sync wave 1", "PostSync hooks"]);
        const api = tree[3].nodes[0];
        expect(api).toMatchObject({ kind: "Deployment", namespace: "shop", name: "api", health: { status: "Degraded", message: "crash" }, drifted: 1 });
        expect(tree[0].nodes.map((n) => n.resource)).toEqual(["Secret shop/creds"]);
    });

    it("puts ReplicaSets under their Deployment and Pods under their ReplicaSet", () => {
        const healthy = { status: "Healthy" as const, message: "" };
        const owned = ownedTree(
            [{ resource: "Deployment shop/api", uid: "d1" }],
            [
                { kind: "ReplicaSet", namespace: "shop", name: "api-1", uid: "r1", ownerUids: ["d1"], health: healthy },
                { kind: "Pod", namespace: "shop", name: "api-1-b", uid: "p2", ownerUids: ["r1"], health: healthy },
                { kind: "Pod", namespace: "shop", name: "api-1-a", uid: "p1", ownerUids: ["r1"], health: healthy },
                { kind: "Pod", namespace: "shop", name: "stray", uid: "p3", ownerUids: ["zz"], health: healthy },
            ],
        );
        const rs = owned.get("Deployment shop/api")!;
        expect(rs.map((n) => n.resource)).toEqual(["ReplicaSet shop/api-1"]);
        expect(rs[0].children.map((n) => n.name)).toEqual(["api-1-a", "api-1-b"]);
    });
});

describe("applications", () => {
    it("finds each Application's owner: an ApplicationSet or a parent Application", () => {
        const owners = applicationOwners([
            { urn: "urn:pulumi:fleet::syncwave::syncwave:index:ApplicationSet$syncwave:index:Application::api-dev", type: "syncwave:index:Application", parent: "urn:pulumi:fleet::syncwave::syncwave:index:ApplicationSet::services" },
            { urn: "urn:pulumi:fleet::syncwave::syncwave:index:Application$syncwave:index:Application::queue", type: "syncwave:index:Application", parent: "urn:pulumi:fleet::syncwave::syncwave:index:Application::fleet-root" },
            { urn: "urn:pulumi:fleet::syncwave::syncwave:index:Application::fleet-root", type: "syncwave:index:Application", parent: "urn:pulumi:fleet::syncwave::pulumi:pulumi:Stack::syncwave-fleet" },
        ]);
        expect(Object.fromEntries(owners)).toEqual({ "api-dev": "ApplicationSet services", queue: "application fleet-root" });
    });

    it("groups children under their parent, right after it", () => {
        const groups = groupRows([row({ application: "root" }), row({ application: "api-dev", owner: "ApplicationSet services" }), row({ application: "queue", owner: "application root" }), row({ application: "solo" })]);
        expect(groups.map((g) => [g.owner ?? "-", g.rows.map((r) => r.application)])).toEqual([
            ["-", ["root"]],
            ["application root", ["queue"]],
            ["-", ["solo"]],
            ["ApplicationSet services", ["api-dev"]],
        ]);
    });

    it("filters by project, health, sync status and label", () => {
        const r = row({ labels: { team: "payments" }, health: { status: "Degraded", message: "" }, sync: "OutOfSync" });
        expect(matchesFilter(r, { project: "team", health: "Degraded", sync: "OutOfSync", label: "team=payments" })).toBe(true);
        expect(matchesFilter(r, { label: "team" })).toBe(true);
        expect(matchesFilter(r, { label: "team=ops" })).toBe(false);
        expect(matchesFilter(r, { health: "Healthy" })).toBe(false);
        expect(matchesFilter(r, { project: "other" })).toBe(false);
    });

    it("takes the last sync and the per-application history from the stack history", () => {
        const history = [
            entry({ id: 3, kind: "rollback", result: "succeeded", health: "shop=Healthy web=Degraded", revisions: { shop: "aaa", web: "bbb" }, startTime: "2026-12-07T10:02:00.000Z", endTime: "2026-12-07T10:02:30.000Z" }),
            entry({ id: 2, operation: "refresh", revisions: {} }),
            entry({ id: 1, revisions: { shop: "ccc" } }),
        ];
        expect(lastSyncOf("shop", history)).toEqual({ id: 3, time: "2026-12-07T10:02:00.000Z", kind: "rollback", result: "succeeded", health: "shop=Healthy web=Degraded" });
        expect(lastSyncOf("none", history)).toBeUndefined();
        const own = applicationHistory("web", history);
        expect(own).toEqual([{ id: 3, time: "2026-12-07T10:02:00.000Z", commit: "bbb", kind: "rollback", result: "succeeded", durationMs: 30_000, health: "Degraded", reason: undefined }]);
        expect(healthOf("x", "Healthy")).toBe("Healthy");
    });

    it("says OutOfSync when live drift appeared since the preview", () => {
        expect(syncStatus({ sync: "Synced", at: "t" }, 0)).toEqual({ sync: "Synced", reason: "preview at t" });
        expect(syncStatus({ sync: "Synced" }, 2).sync).toBe("OutOfSync");
        expect(syncStatus(undefined, 0).sync).toBe("Unknown");
        expect(driftCount("a", [{ application: "a", fields: [{ resource: "r", path: "p", class: "ignored", reason: "" }, { resource: "r", path: "q", class: "owned", reason: "" }] }])).toBe(1);
    });
});

describe("HTML", () => {
    it("escapes everything it is given", () => {
        expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe("&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;");
        const html = applicationsContent([{ rows: [row({ application: "<img src=x onerror=alert(1)>" })] }], {}, [{ stack: "dev" }]);
        expect(html).not.toContain("<img src=x");
    });

    it("writes every status in words, the icon hidden from screen readers", () => {
        expect(badge("Degraded")).toContain('<span aria-hidden="true">✖</span> Degraded');
    });

    it("never shows a Secret's values", () => {
        const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"aHVudGVyMg=="}}' } }, data: { password: "aHVudGVyMg==" }, stringData: { token: "plain" } };
        const redacted = redactSecret(secret);
        expect(JSON.stringify(redacted)).not.toMatch(/aHVudGVyMg|plain/);
        expect(redacted.data).toEqual({ password: "(hidden)" });
        expect(secret.data.password).toBe("aHVudGVyMg==");
        const cm = { kind: "ConfigMap", data: { a: "b" } };
        expect(redactSecret(cm)).toBe(cm);
    });

    it("marks a stale stack with its error", () => {
        expect(staleBanner([{ stack: "prod", stale: { error: "connect ECONNREFUSED", since: "2026-12-07T10:00:00.000Z" } }])).toContain("stack prod is stale");
        expect(staleBanner([{ stack: "dev" }])).toBe("");
    });

    it("renders the filters, fleets, the tree, history, diff and drift", () => {
        const apps = applicationsContent(groupRows([row(), row({ application: "api-dev", owner: "ApplicationSet services", labels: { env: "dev" } })]), { label: "env=dev" }, [{ stack: "dev" }]);
        expect(apps).toContain('<option selected>env=dev</option>');
        expect(apps).toContain("ApplicationSet services");
        expect(apps).toContain("1 of 2 applications");
        const app = applicationContent({
            stack: { stack: "dev" },
            row: row(),
            columns: [{ title: "Sync wave 1", phase: "Sync", wave: 1, nodes: [{ resource: "Deployment shop/api", kind: "Deployment", namespace: "shop", name: "api", health: { status: "Healthy", message: "" }, children: [], drifted: 0 }] }],
            history: [{ id: 1, time: "2026-12-07T10:00:00.000Z", commit: "abc", kind: "sync", result: "succeeded", durationMs: 1500, health: "Healthy" }],
            selected: "Deployment shop/api",
            detail: { resource: "Deployment shop/api", manifest: "kind: Deployment\n", diff: ["@@ -1 +1 @@", "-  replicas: 3", "+  replicas: 2"], events: [] },
        });
        expect(app).toContain('data-wave="1"');
        expect(app).toContain('aria-current="true"');
        expect(app).toContain("1.5s");
        expect(app).toContain('<span class="del"><span class="visually-hidden">removed: </span>-  replicas: 3</span>');
        const d = diffContent({ stack: "dev" }, { result: { revisions: [], changes: [{ application: "shop", stage: "Sync wave 1", resource: "Deployment shop/api", op: "update", diffs: ["spec.replicas"], unified: ["+x"] }], prunes: [], failed: [], policyViolations: [{ policy: "no-latest", level: "mandatory", message: "bad tag" }], fleet: [] }, at: "2026-12-07T10:00:00.000Z" });
        expect(d).toContain("no-latest");
        expect(d).toContain("Deployment shop/api");
        const drift = driftContent({ stack: "dev" }, { reports: [{ application: "shop", fields: [{ resource: "Deployment shop/api", path: "spec.replicas", class: "unauthorised", manager: "kubectl-edit", reason: "written by kubectl-edit" }] }] });
        expect(drift).toContain('data-path="spec.replicas"');
        expect(drift).toContain("kubectl-edit");
        const whole = page({ title: "T", current: "drift", stacks: [{ stack: "dev", version: 4 }] }, "<p>x</p>");
        expect(whole).toContain('<html lang="en">');
        expect(whole).toContain("data-versions=\"{&quot;dev&quot;:4}\"");
        expect(whole).not.toMatch(/https?:\/\/(?!www\.w3)/);
    });
});
