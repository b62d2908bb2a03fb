// `syncwave diff --format markdown`: the diff as a pull-request comment. A summary table (one row per
// Application: revision, creates, updates, replacements, hooks, prunes, verdict), then each
// Application's changes in a collapsible section, wave by wave, with each changed object's unified
// diff. GitHub refuses comments over 65,536 characters: past the budget, diffs are cut (saying how
// many lines were left out) and the full diff is pointed to.
import type { DiffResult, PlannedChange } from "../commands/diff";

export const COMMENT_BUDGET = 60_000;

const OP_WORDS: Record<string, string> = { create: "create", update: "update", replace: "replace", "create-replacement": "replace", delete: "delete", run: "hook" };

function counts(changes: readonly PlannedChange[]): Record<string, number> {
    const c: Record<string, number> = { create: 0, update: 0, replace: 0, delete: 0, hook: 0 };
    for (const ch of changes) {
        const word = OP_WORDS[ch.op];
        if (word) c[word]++;
    }
    return c;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function verdict(result: DiffResult, app: string): string {
    if (result.failed.some((f) => f.application === app)) return "❌ cannot sync";
    const mine = result.policyViolations.filter((v) => v.resource === undefined || v.resource.includes(`::${app}`) || v.message.includes(app));
    if (mine.some((v) => v.level === "mandatory")) return "❌ policy";
    if (mine.length > 0) return "⚠️ advisory";
    return "✅";
}

/**
 * The comment. `fullDiff`: where the whole diff was written, named when the comment had to be cut.
 * `title`: its first line (the stack, say).
 */
export function formatDiffMarkdown(result: DiffResult, options: { title: string; fullDiff?: string; budget?: number }): string {
    const budget = options.budget ?? COMMENT_BUDGET;
    const apps = [...new Set([...result.revisions.map((r) => r.application), ...result.changes.map((c) => c.application), ...result.prunes.map((p) => p.application), ...result.failed.map((f) => f.application)])].sort();
    const head: string[] = [`### ${options.title}`, ""];
    head.push("| Application | Revision | Create | Update | Replace | Hooks | Prune | Requires pruning | Verdict |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const app of apps) {
        const rev = result.revisions.find((r) => r.application === app);
        const c = counts(result.changes.filter((ch) => ch.application === app));
        const prune = result.prunes.find((p) => p.application === app);
        head.push(
            `| ${cell(app)} | ${rev ? `\`${rev.commit.slice(0, 12)}\` (${cell(rev.targetRevision)})` : "—"} | ${c.create} | ${c.update} | ${c.replace} | ${c.hook} | ${prune?.prune.length ?? 0} | ${prune?.requiresPruning.length ?? 0} | ${verdict(result, app)} |`,
        );
    }
    if (apps.length === 0) head.push("| (none) | | | | | | | | |");
    const policy = result.policyViolations.map((v) => `- ${v.level === "mandatory" ? "❌" : "⚠️"} **${cell(v.policy)}** (${v.level}): ${cell(v.message)}`);
    if (policy.length) head.push("", "**Policy**", "", ...policy);
    for (const f of result.fleet) {
        head.push("", `**${f.owner}**: ${[...f.added.map((a) => `+${a}`), ...f.changed.map((a) => `~${a}`), ...f.removed.map((a) => `-${a}`), ...(f.kept ?? []).map((a) => `!${a} (kept; requires pruning)`)].join(", ")}`);
    }

    const sections = apps.map((app) => appSection(result, app));
    let body = sections.map((s) => s.text).join("\n");
    const total = () => head.join("\n").length + body.length + 400;
    if (total() > budget) {
        // Cut each section's diffs to its share of the budget.
        const share = Math.max(500, Math.floor((budget - head.join("\n").length - 400) / Math.max(1, sections.length)));
        body = sections.map((s) => s.cut(share)).join("\n");
        body += `\n\n_The diff is longer than a comment allows: it was shortened${options.fullDiff ? `; the full diff is in \`${options.fullDiff}\`` : ""}._`;
    }
    return [...head, "", body].join("\n").trimEnd() + "\n";
}

function appSection(result: DiffResult, app: string): { text: string; cut: (chars: number) => string } {
    const failure = result.failed.find((f) => f.application === app);
    const prune = result.prunes.find((p) => p.application === app);
    const mine = result.changes.filter((c) => c.application === app);
    const c = counts(mine);
    const summary = failure ? `${app}: cannot sync` : `${app}: ${Object.entries(c).filter(([, n]) => n > 0).map(([w, n]) => `${n} ${w}${n > 1 ? "s" : ""}`).join(", ") || "no changes"}`;
    const render = (limit: number) => {
        const lines: string[] = ["<details>", `<summary>${summary}</summary>`, ""];
        let used = 0;
        let left = 0;
        if (failure) lines.push("```", failure.reason, "```");
        let stage = "";
        for (const ch of mine) {
            if (ch.stage !== stage) {
                stage = ch.stage;
                // A blank line first: right after a list item, a line would continue the item.
                if (lines.at(-1) !== "") lines.push("");
                lines.push(`**${stage}**`, "");
            }
            const notes = [...(ch.diffs.length && ch.op !== "create" ? [ch.diffs.join(", ")] : []), ...(ch.drifted ? ["drifted since the last sync"] : []), ...(ch.why ? [`runs: ${ch.why}`] : []), ...(ch.ignored?.length ? [`ignored by ${ch.ignored.join(", ")}`] : [])];
            lines.push(`- \`${OP_WORDS[ch.op] ?? ch.op}\` ${ch.resource}${notes.length ? ` (${notes.join("; ")})` : ""}`);
            if (ch.unified.length && ch.op !== "create") {
                const room = Math.max(0, limit - used);
                const shown: string[] = [];
                for (const l of ch.unified) {
                    if (l.length + 1 > room - shown.join("\n").length) break;
                    shown.push(l);
                }
                used += shown.join("\n").length;
                left += ch.unified.length - shown.length;
                if (shown.length) lines.push("", "  ```diff", ...shown.map((l) => `  ${l}`), "  ```", "");
            }
        }
        if (prune?.prune.length) lines.push("", `**Pruned** (later waves first): ${prune.prune.join(", ")}`);
        if (prune?.requiresPruning.length) lines.push("", `**Requires pruning** (stays; \`syncwave sync --prune\` deletes it): ${prune.requiresPruning.join(", ")}`);
        if (left > 0) lines.push("", `_${left} diff line(s) left out._`);
        if (lines.at(-1) !== "") lines.push("");
        lines.push("</details>");
        return lines.join("\n");
    };
    return { text: render(Number.POSITIVE_INFINITY), cut: render };
}
