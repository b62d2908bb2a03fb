// Trigger conditions (expr-lang) and notification templates (Go text/template with sprig) are
// evaluated by syncwave-gotemplate, the Go helper that renders goTemplate ApplicationSets: Argo CD
// evaluates both in Go with these very libraries, and an imitation in TypeScript would drift.
import { requestGoHelper } from "../../components/fleet/template/go-template";

export interface ConditionRequest {
    expression: string;
    vars: Record<string, unknown>;
}

/** The value, and its text as Go's fmt %v writes it (notifications-engine's oncePer value); or an error. */
export type ConditionAnswer = { value: unknown; text: string } | { error: string };

export async function evaluateConditions(conditions: ConditionRequest[]): Promise<ConditionAnswer[]> {
    if (conditions.length === 0) return [];
    const answer = (await requestGoHelper({ mode: "notification-conditions", conditions }, `evaluating ${conditions.length} trigger condition(s)`)) as { conditions?: { value?: unknown; text?: string; error?: string }[] };
    if (!Array.isArray(answer.conditions) || answer.conditions.length !== conditions.length) throw new Error("the Go helper answered with the wrong number of condition results");
    return answer.conditions.map((c) => (c.error ? { error: c.error } : { value: c.value ?? null, text: c.text ?? "" }));
}

export interface RenderRequest {
    /** Template fields by name (message, webhook.<service>.body, slack.attachments, ...). */
    fields: Record<string, string>;
    vars: Record<string, unknown>;
}

export type RenderAnswer = { fields: Record<string, string> } | { error: string };

export async function renderTemplates(renderings: RenderRequest[]): Promise<RenderAnswer[]> {
    if (renderings.length === 0) return [];
    const answer = (await requestGoHelper({ mode: "notification-templates", renderings }, `rendering ${renderings.length} notification(s)`)) as { renderings?: { fields?: Record<string, string>; error?: string }[] };
    if (!Array.isArray(answer.renderings) || answer.renderings.length !== renderings.length) throw new Error("the Go helper answered with the wrong number of renderings");
    return answer.renderings.map((r) => (r.error ? { error: r.error } : { fields: r.fields ?? {} }));
}
