// The web UI's pages as HTML strings: semantic markup (tables with headers, lists, headings, links a
// keyboard reaches), every status said in words (colour and icons only repeat it). Pure functions of
// the view models; the server sends them whole, and the client script swaps `#content` on a live update.
import { formatDuration } from "../format/duration";
import type { DiffResult } from "../commands/diff";
import type { DriftReport } from "../commands/drift";
import { matchesFilter, type AppFilter, type AppGroup, type AppRow, type TreeColumn, type TreeNode } from "./view-model";

export function escapeHtml(value: unknown): string {
    return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const h = escapeHtml;

export interface StackState {
    stack: string;
    /** Set when the stack's cluster could not be read: the page shows what it last knew, marked stale. */
    stale?: { error: string; since: string };
    /** The version of its data the page was rendered from: a live update with another one refreshes it. */
    version?: number;
}

export interface Layout {
    title: string;
    /** The navigation's current entry. */
    current: "applications" | "application" | "diff" | "drift";
    stacks: readonly StackState[];
    /** The stack the page is about (diff, drift, application), for the navigation's links. */
    stack?: string;
}

const ICONS: Record<string, string> = {
    Healthy: "♥",
    Progressing: "◔",
    Degraded: "✖",
    Suspended: "❚❚",
    Missing: "?",
    Unknown: "?",
    Synced: "✔",
    OutOfSync: "⟳",
};

/** A status in words, with an icon that repeats it (hidden from screen readers). */
export function badge(status: string, kind: "health" | "sync" | "result" | "drift" = "health"): string {
    const icon = ICONS[status];
    return `<span class="badge ${kind} ${kind}-${h(status.replace(/[^\w-]/g, "_"))}" data-${kind}="${h(status)}">${icon ? `<span aria-hidden="true">${icon}</span> ` : ""}${h(status)}</span>`;
}

const KIND_ABBREVIATIONS: Record<string, string> = {
    Deployment: "deploy",
    StatefulSet: "sts",
    DaemonSet: "ds",
    ReplicaSet: "rs",
    Pod: "pod",
    Service: "svc",
    ConfigMap: "cm",
    Secret: "secret",
    Namespace: "ns",
    Ingress: "ing",
    Job: "job",
    CronJob: "cron",
    ServiceAccount: "sa",
    Role: "role",
    RoleBinding: "rb",
    ClusterRole: "crole",
    ClusterRoleBinding: "crb",
    PersistentVolumeClaim: "pvc",
    CustomResourceDefinition: "crd",
    HorizontalPodAutoscaler: "hpa",
    Application: "app",
};

/** A kind's short name in a box, as Argo CD's tree shows it; the kind itself is also written out. */
export function kindIcon(kind: string): string {
    return `<span class="kind-icon" aria-hidden="true">${h(KIND_ABBREVIATIONS[kind] ?? kind.slice(0, 4).toLowerCase())}</span>`;
}

export function time(iso: string | undefined): string {
    if (!iso) return "";
    return `<time datetime="${h(iso)}">${h(iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time>`;
}

export function duration(ms: number | undefined): string {
    if (ms === undefined || Number.isNaN(ms)) return "";
    return formatDuration(ms);
}

function stackQuery(stacks: readonly StackState[]): string {
    return stacks.map((s) => `stack=${encodeURIComponent(s.stack)}`).join("&");
}

export function staleBanner(stacks: readonly StackState[]): string {
    const stale = stacks.filter((s) => s.stale);
    if (stale.length === 0) return "";
    return `<div class="stale" role="alert">${stale
        .map((s) => `<p><strong>stack ${h(s.stack)} is stale</strong>: its cluster could not be read since ${time(s.stale!.since)} (${h(s.stale!.error)}); what is shown is what was last read.</p>`)
        .join("")}</div>`;
}

export function page(layout: Layout, content: string): string {
    const link = (href: string, label: string, current: boolean) => `<li><a href="${h(href)}"${current ? ' aria-current="page"' : ""}>${h(label)}</a></li>`;
    const stack = layout.stack ?? layout.stacks[0]?.stack ?? "";
    const s = encodeURIComponent(stack);
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(layout.title)} · SyncWave</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/client.js" defer></script>
</head>
<body data-stacks="${h(layout.stacks.map((x) => x.stack).join(","))}" data-events="/events?${h(stackQuery(layout.stacks))}" data-versions="${h(JSON.stringify(Object.fromEntries(layout.stacks.map((x) => [x.stack, x.version ?? -1]))))}">
<a class="skip" href="#content">Skip to content</a>
<header>
<p class="brand"><a href="/">SyncWave</a></p>
<nav aria-label="Pages"><ul>
${link("/", "Applications", layout.current === "applications")}
${link(`/stacks/${s}/diff`, `Diff (${stack})`, layout.current === "diff")}
${link(`/stacks/${s}/drift`, `Drift (${stack})`, layout.current === "drift")}
</ul></nav>
<p id="live-status" class="live" role="status" aria-live="polite">live updates: connecting</p>
</header>
<main id="content" tabindex="-1">
${content}
</main>
</body>
</html>
`;
}

function options(name: string, label: string, values: readonly string[], selected: string | undefined): string {
    return `<label>${h(label)} <select name="${h(name)}"><option value="">any</option>${values
        .map((v) => `<option${v === selected ? " selected" : ""}>${h(v)}</option>`)
        .join("")}</select></label>`;
}

export function applicationsContent(groups: readonly AppGroup[], filter: AppFilter, stacks: readonly StackState[]): string {
    const all = groups.flatMap((g) => g.rows);
    const uniq = (values: string[]) => [...new Set(values)].sort();
    const labels = uniq(all.flatMap((r) => Object.entries(r.labels).map(([k, v]) => `${k}=${v}`)));
    const form = `<form class="filters" method="get" action="/" aria-label="Filter applications">
${options("project", "Project", uniq(all.map((r) => r.project)), filter.project)}
${options("health", "Health", ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"], filter.health)}
${options("sync", "Sync status", ["Synced", "OutOfSync", "Unknown"], filter.sync)}
${options("label", "Label", labels, filter.label)}
<button type="submit">Filter</button> <a href="/">Clear</a>
</form>`;
    const shown = groups.map((g) => ({ ...g, rows: g.rows.filter((r) => matchesFilter(r, filter)) })).filter((g) => g.rows.length > 0);
    const rowHtml = (r: AppRow, child: boolean) => `<tr data-app="${h(r.application)}" data-stack="${h(r.stack)}"${child ? ' class="child"' : ""}>
<th scope="row">${child ? '<span aria-hidden="true">↳ </span>' : ""}<a href="/stacks/${encodeURIComponent(r.stack)}/applications/${encodeURIComponent(r.application)}">${h(r.application)}</a>${stacks.length > 1 ? ` <span class="muted">(${h(r.stack)})</span>` : ""}</th>
<td data-label="Project">${h(r.project)}</td>
<td data-label="Revision"><code title="${h(r.revision)}">${h(r.revision.slice(0, 12))}</code>${r.commitMessage ? ` <span class="commit">${h(r.commitMessage)}</span>` : ""}</td>
<td data-label="Sync">${badge(r.sync, "sync")}<span class="visually-hidden">: ${h(r.syncReason)}</span></td>
<td data-label="Health">${badge(r.health.status)}${r.health.message ? ` <span class="message">${h(r.health.message)}</span>` : ""}</td>
<td data-label="Last sync">${r.lastSync ? `${time(r.lastSync.time)} ${h(r.lastSync.kind)} ${badge(r.lastSync.result, "result")}` : '<span class="muted">never</span>'}</td>
<td data-label="Pinned">${r.pinned ? '<span class="badge pinned">pinned</span>' : "no"}</td>
<td data-label="Drift" data-drift-count="${r.driftCount}">${r.driftCount > 0 ? `<a href="/stacks/${encodeURIComponent(r.stack)}/drift#app-${h(r.application)}">${r.driftCount}</a>` : "0"}</td>
</tr>`;
    const body = shown
        .map((g) => (g.owner ? `<tbody class="fleet" aria-label="${h(g.owner)}"><tr class="group"><th scope="rowgroup" colspan="8">${h(g.owner)}</th></tr>${g.rows.map((r) => rowHtml(r, true)).join("")}</tbody>` : `<tbody>${g.rows.map((r) => rowHtml(r, false)).join("")}</tbody>`))
        .join("\n");
    return `<h1>Applications</h1>
${staleBanner(stacks)}
${form}
<p class="muted">${shown.reduce((n, g) => n + g.rows.length, 0)} of ${all.length} applications in ${stacks.map((s) => h(s.stack)).join(", ")}</p>
<div class="table-wrap"><table class="apps">
<caption class="visually-hidden">Applications with their sync status, health, last sync, pin and drift</caption>
<thead><tr><th scope="col">Application</th><th scope="col">Project</th><th scope="col">Revision</th><th scope="col">Sync</th><th scope="col">Health</th><th scope="col">Last sync</th><th scope="col">Pinned</th><th scope="col">Drift</th></tr></thead>
${body || '<tbody><tr><td colspan="8">No application matches.</td></tr></tbody>'}
</table></div>`;
}

function nodeHtml(stack: string, application: string, n: TreeNode, selected: string | undefined, depth = 0): string {
    const href = `/stacks/${encodeURIComponent(stack)}/applications/${encodeURIComponent(application)}?node=${encodeURIComponent(n.resource)}#detail`;
    const children = n.children.length ? `<ul class="owned" aria-label="owned by ${h(n.resource)}">${n.children.map((c) => nodeHtml(stack, application, c, selected, depth + 1)).join("")}</ul>` : "";
    return `<li class="node${n.resource === selected ? " selected" : ""}" data-resource="${h(n.resource)}" data-health="${h(n.health.status)}">
<a href="${h(href)}"${n.resource === selected ? ' aria-current="true"' : ""}>${kindIcon(n.kind)}<span class="kind">${h(n.kind)}</span> <span class="name">${h(n.namespace ? `${n.namespace}/` : "")}${h(n.name)}</span></a>
${badge(n.health.status)}${n.drifted ? ` <span class="badge drift-OutOfSync" data-drifted="${n.drifted}">${n.drifted} drifted</span>` : ""}
${n.health.message ? `<p class="message">${h(n.health.message)}</p>` : ""}${children}</li>`;
}

export interface NodeDetail {
    resource: string;
    /** YAML of the live object, Secrets redacted; undefined when it does not exist. */
    manifest?: string;
    /** Unified diff lines of the live object against what the last sync applied from git. */
    diff: string[];
    events: { type: string; reason: string; message: string; count?: number; last?: string }[];
    error?: string;
}

export interface HistoryRow {
    id: number;
    time: string;
    commit: string;
    kind: string;
    result: string;
    durationMs?: number;
    health: string;
    reason?: string;
}

export function diffLines(lines: readonly string[]): string {
    if (lines.length === 0) return '<p class="muted">No difference.</p>';
    return `<pre class="diff">${lines
        .map((l) => {
            const cls = l.startsWith("@@") ? "hunk" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "ctx";
            const prefix = cls === "add" ? '<span class="visually-hidden">added: </span>' : cls === "del" ? '<span class="visually-hidden">removed: </span>' : "";
            return `<span class="${cls}">${prefix}${h(l)}</span>`;
        })
        .join("\n")}</pre>`;
}

export function applicationContent(input: {
    stack: StackState;
    row: AppRow;
    columns: readonly TreeColumn[];
    history: readonly HistoryRow[];
    selected?: string;
    detail?: NodeDetail;
    /** Set while history is still being read. */
    historyPending?: boolean;
    /** The Applications this one declares (app of apps), with their status. */
    children?: readonly AppRow[];
}): string {
    const { row, stack } = input;
    const columns = input.columns
        .map(
            (c) => `<section class="column" data-phase="${h(c.phase)}"${c.wave !== undefined ? ` data-wave="${c.wave}"` : ""} aria-labelledby="col-${h(slug(c.title))}">
<h3 id="col-${h(slug(c.title))}">${h(c.title)}</h3>
<ul class="nodes">${c.nodes.map((n) => nodeHtml(row.stack, row.application, n, input.selected)).join("")}</ul>
</section>`,
        )
        .join("\n");
    const detail = input.detail
        ? `<section id="detail" class="detail" aria-labelledby="detail-title" tabindex="-1">
<h2 id="detail-title">${h(input.detail.resource)}</h2>
${input.detail.error ? `<p class="error">${h(input.detail.error)}</p>` : ""}
<h3>Diff against git (what the last sync applied)</h3>
${diffLines(input.detail.diff)}
<h3>Events</h3>
${input.detail.events.length === 0 ? '<p class="muted">No events.</p>' : `<div class="table-wrap"><table><thead><tr><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Count</th><th scope="col">Last</th></tr></thead><tbody>${input.detail.events.map((e) => `<tr><td>${h(e.type)}</td><td>${h(e.reason)}</td><td>${h(e.message)}</td><td>${h(e.count ?? "")}</td><td>${time(e.last)}</td></tr>`).join("")}</tbody></table></div>`}
<h3>Live manifest</h3>
${input.detail.manifest === undefined ? '<p class="muted">Not in the cluster.</p>' : `<pre class="manifest">${h(input.detail.manifest)}</pre>`}
</section>`
        : "";
    const history = input.historyPending
        ? '<p class="muted">Reading the stack history…</p>'
        : input.history.length === 0
          ? '<p class="muted">No sync of this application in the stack history.</p>'
          : `<div class="table-wrap"><table class="history"><thead><tr><th scope="col">ID</th><th scope="col">When</th><th scope="col">Commit</th><th scope="col">Kind</th><th scope="col">Result</th><th scope="col">Duration</th><th scope="col">Health</th></tr></thead><tbody>
${input.history.map((e) => `<tr><td>${e.id}</td><td>${time(e.time)}</td><td><code title="${h(e.commit)}">${h(e.commit.slice(0, 12))}</code></td><td>${h(e.kind)}${e.reason ? ` <span class="message">(${h(e.reason)})</span>` : ""}</td><td>${badge(e.result, "result")}</td><td>${h(duration(e.durationMs))}</td><td>${e.health ? badge(e.health) : ""}</td></tr>`).join("\n")}
</tbody></table></div>`;
    return `<h1>Application ${h(row.application)}</h1>
${staleBanner([stack])}
<dl class="summary" data-app="${h(row.application)}" data-stack="${h(row.stack)}">
<div><dt>Stack</dt><dd>${h(row.stack)}</dd></div>
<div><dt>Project</dt><dd>${h(row.project)}</dd></div>
${row.owner ? `<div><dt>Declared by</dt><dd>${h(row.owner)}</dd></div>` : ""}
<div><dt>Revision</dt><dd><code>${h(row.revision.slice(0, 12))}</code>${row.commitMessage ? ` ${h(row.commitMessage)}` : ""}</dd></div>
<div><dt>Sync</dt><dd>${badge(row.sync, "sync")} <span class="message">${h(row.syncReason)}</span></dd></div>
<div><dt>Health</dt><dd>${badge(row.health.status)}${row.health.message ? ` <span class="message">${h(row.health.message)}</span>` : ""}</dd></div>
<div><dt>Pinned</dt><dd>${row.pinned ? "yes" : "no"}</dd></div>
<div><dt>Drifted fields</dt><dd data-drift-count="${row.driftCount}">${row.driftCount}</dd></div>
</dl>
${input.children?.length ? `<h2>Applications it declares</h2><ul class="children">${input.children.map((c) => `<li><a href="/stacks/${encodeURIComponent(c.stack)}/applications/${encodeURIComponent(c.application)}">${h(c.application)}</a> ${badge(c.sync, "sync")} ${badge(c.health.status)}</li>`).join("")}</ul>` : ""}
<h2>Resources by phase and wave</h2>
<p class="muted">Columns in sync order; a workload lists the ReplicaSets and Pods it owns, read live. Choose a resource for its live manifest, its diff against git and its events.</p>
<div class="tree" role="group" aria-label="Resource tree">${columns || '<p class="muted">No resources.</p>'}</div>
${detail}
<h2>History</h2>
${history}`;
}

function slug(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

export function diffContent(stack: StackState, diff: { result?: Omit<DiffResult, "events">; at?: string; running?: boolean; error?: string; policyPacks?: readonly string[] }): string {
    const head = `<h1>Diff of stack ${h(stack.stack)}</h1>${staleBanner([stack])}
<p class="muted">What <code>syncwave diff</code> shows now: a preview against the live cluster. ${diff.at ? `Preview started at ${time(diff.at)}.` : ""} ${diff.running ? '<span class="badge health-Progressing">preview running</span> This page updates when it ends.' : ""}</p>`;
    if (diff.error && !diff.result) return `${head}<p class="error" role="alert">The preview failed: ${h(diff.error)}</p>`;
    const r = diff.result;
    if (!r) return `${head}<p>The preview has not finished yet.</p>`;
    const refused = diff.error ? `<p class="error" role="alert">The preview was refused: ${h(diff.error)}</p>` : "";
    const verdicts = r.policyViolations.length
        ? `<ul class="verdicts">${r.policyViolations.map((v) => `<li>${badge(v.level, "result")} <strong>${h(v.policy)}</strong>${v.resource && !v.resource.includes("pulumi:pulumi:Stack") ? ` on ${h(v.resource)}` : ""}: ${h(v.message)}</li>`).join("")}</ul>`
        : `<p class="verdict-pass">No policy violation${diff.policyPacks?.length ? "" : " (no policy pack given: start the UI with --policy-pack DIR --policy-pack-config FILE, as syncwave diff)"}.</p>`;
    const packs = diff.policyPacks?.length ? `<p class="muted">Policy packs: ${diff.policyPacks.map((p) => `<code>${h(p)}</code>`).join(", ")}</p>` : "";
    const apps = [...new Set([...r.revisions.map((x) => x.application), ...r.changes.map((c) => c.application)])];
    const sections = apps
        .map((app) => {
            const rev = r.revisions.find((x) => x.application === app);
            const changes = r.changes.filter((c) => c.application === app);
            const prunes = r.prunes.find((p) => p.application === app);
            return `<section class="diff-app" aria-labelledby="diff-${h(slug(app))}"><h2 id="diff-${h(slug(app))}">${h(app)}${rev ? ` <code>${h(rev.commit.slice(0, 12))}</code> <span class="muted">${h(rev.targetRevision)}</span>` : ""}</h2>
${changes.length === 0 ? '<p class="muted">Nothing to change.</p>' : changes.map((c) => `<details${c.unified.length ? " open" : ""}><summary><span class="op op-${h(c.op)}">${h(c.op)}</span> ${h(c.resource)} <span class="muted">${h(c.stage)}</span>${c.drifted ? ' <span class="badge drift-OutOfSync">drifted</span>' : ""}${c.why ? ` <span class="message">${h(c.why)}</span>` : ""}</summary>${c.diffs.length ? `<p class="muted">fields: ${h(c.diffs.join(", "))}</p>` : ""}${c.ignored?.length ? `<p class="muted">ignored: ${h(c.ignored.join(", "))}</p>` : ""}${diffLines(c.unified)}</details>`).join("")}
${prunes && (prunes.prune.length || prunes.requiresPruning.length) ? `<p>Prunes: ${h(prunes.prune.join(", ") || "none")}; requires pruning: ${h(prunes.requiresPruning.join(", ") || "none")}</p>` : ""}
</section>`;
        })
        .join("\n");
    const failed = r.failed.length ? `<h2>Cannot sync now</h2><ul>${r.failed.map((f) => `<li><strong>${h(f.application)}</strong>: ${h(f.reason)}</li>`).join("")}</ul>` : "";
    return `${head}${refused}<h2>Policy verdicts</h2>${packs}${verdicts}${failed}${sections}`;
}

export function driftContent(stack: StackState, drift: { reports?: readonly DriftReport[]; at?: string; error?: string }): string {
    const head = `<h1>Drift of stack ${h(stack.stack)}</h1>${staleBanner([stack])}
<p class="muted">Every managed object read live and compared with what the last sync applied, as <code>syncwave drift</code> does. ${drift.at ? `Read at ${time(drift.at)}.` : ""}</p>`;
    if (!drift.reports) return `${head}${drift.error ? `<p class="error" role="alert">${h(drift.error)}</p>` : "<p>Reading the cluster…</p>"}`;
    return `${head}${drift.reports
        .map(
            (r) => `<section id="app-${h(r.application)}" class="drift-app" aria-labelledby="drift-${h(slug(r.application))}"><h2 id="drift-${h(slug(r.application))}">${h(r.application)}</h2>
${r.fields.length === 0 ? '<p class="muted">No drift.</p>' : `<div class="table-wrap"><table class="drift"><thead><tr><th scope="col">Resource</th><th scope="col">Field</th><th scope="col">Class</th><th scope="col">Why</th><th scope="col">Field managers</th></tr></thead><tbody>
${r.fields.map((f) => `<tr data-resource="${h(f.resource)}" data-path="${h(f.path)}"><td>${h(f.resource)}</td><td><code>${h(f.path)}</code></td><td>${badge(f.class, "drift")}</td><td>${h(f.reason)}</td><td>${h(f.manager ?? "")}</td></tr>`).join("\n")}
</tbody></table></div>`}</section>`,
        )
        .join("\n")}`;
}
