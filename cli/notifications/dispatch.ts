// Evaluates every subscribed trigger on each event's Application, sends what Argo CD's rule says is
// not sent yet, and records it. A failure to notify never fails the sync: it is one warning line
// naming the trigger, service, recipient and the HTTP status or error, with every secret masked.
import type { NotificationFacts } from "../../components/notification-facts";
import { applicationObject } from "./app-object";
import type { NotificationsConfig } from "./config-types";
import { conditionKey, setAlreadyNotified, type ConditionOutcome } from "./dedup";
import { sendSlack } from "./deliver/slack";
import { sendWebhook } from "./deliver/webhook";
import type { ApplicationEvent } from "./events";
import { evaluateConditions, renderTemplates } from "./go-helper";
import { notificationOf, planSends, templateFields, type PlannedSend } from "./plan";
import { maskSecrets } from "./secrets";
import type { NotificationsState } from "./state-file";
import { annotationSubscriptions, destinationsByTrigger, globalSubscriptions, type Destination } from "./subscriptions";

export interface DispatchInput {
    config: NotificationsConfig;
    /** Secret values, masked out of every line. */
    secrets: readonly string[];
    stack: string;
    events: readonly ApplicationEvent[];
    /** Read under the sync lock; updated here, written by the caller. */
    state: NotificationsState;
    now?: () => number;
}

interface Evaluation {
    event: ApplicationEvent;
    trigger: string;
    index: number;
    destinations: Destination[];
    vars: Record<string, unknown>;
}

/** Sends the notifications the events call for; returns the lines to show (sent, and warnings). */
export async function dispatchNotifications(input: DispatchInput): Promise<string[]> {
    const lines: string[] = [];
    const now = input.now ?? (() => Math.floor(Date.now() / 1000));
    const mask = (text: string) => maskSecrets(text, input.secrets);
    // Events in order: each one's sends go out before the next is evaluated, so a receiver sees
    // running before succeeded.
    for (const event of input.events) {
        const facts = input.state.applications[event.application]?.facts;
        if (!facts) continue;
        // A bad subscription is one warning and skipped: the Application's other destinations are still told.
        const destinations = destinationsOf(facts, event.application, input.config, (problem) => lines.push(`warning: notifications for ${event.application}: ${mask(problem)}`));
        if (destinations.size === 0) continue;
        const vars = { app: applicationObject(event, facts, input.stack), context: input.config.context, appProject: { metadata: { name: facts.project, annotations: facts.projectAnnotations } } };
        const evaluations: Evaluation[] = [];
        for (const [trigger, list] of destinations) {
            input.config.triggers[trigger].forEach((_, index) => evaluations.push({ event, trigger, index, destinations: list, vars }));
        }
        const sends = await decide(evaluations, input, now(), lines, mask);
        await deliver(sends, vars, input, now(), lines, mask);
    }
    return lines;
}

function destinationsOf(facts: NotificationFacts, application: string, config: NotificationsConfig, skip: (problem: string) => void): Map<string, Destination[]> {
    const entries = [
        ...annotationSubscriptions(facts.annotations, `Application ${application}`, skip),
        ...annotationSubscriptions(facts.projectAnnotations, `AppProject ${facts.project}`, skip),
        ...globalSubscriptions(config.subscriptions, facts.labels),
    ];
    return destinationsByTrigger(entries, config, skip);
}

/** Evaluates `when` (then `oncePer` where it held) and applies Argo CD's rule to each destination. */
async function decide(evaluations: Evaluation[], input: DispatchInput, now: number, lines: string[], mask: (s: string) => string): Promise<PlannedSend[]> {
    const conditionOf = (e: Evaluation) => input.config.triggers[e.trigger][e.index];
    const whens = await evaluateConditions(evaluations.map((e) => ({ expression: conditionOf(e).when, vars: e.vars })));
    const triggered = evaluations.map((e, i) => {
        const answer = whens[i];
        if ("error" in answer) {
            lines.push(`warning: notifications: trigger ${e.trigger} condition ${e.index} could not be evaluated for ${e.event.application}: ${mask(answer.error)}`);
            return false;
        }
        return answer.value === true;
    });
    const withOncePer = evaluations.map((e, i) => (triggered[i] && conditionOf(e).oncePer ? i : -1)).filter((i) => i >= 0);
    const oncePers = await evaluateConditions(withOncePer.map((i) => ({ expression: conditionOf(evaluations[i]).oncePer!, vars: evaluations[i].vars })));
    const oncePerOf = new Map(withOncePer.map((i, j) => [i, oncePers[j]]));
    const sends: PlannedSend[] = [];
    evaluations.forEach((e, i) => {
        const condition = conditionOf(e);
        const once = oncePerOf.get(i);
        // notifications-engine logs a failing oncePer and goes on without it.
        if (once && "error" in once) lines.push(`warning: notifications: trigger ${e.trigger} oncePer could not be evaluated for ${e.event.application}: ${mask(once.error)}`);
        const outcome: ConditionOutcome = { key: conditionKey(e.index, condition.when), triggered: triggered[i], oncePer: once && "text" in once ? once.text : "" };
        const state = (input.state.applications[e.event.application] ??= { notified: {} });
        sends.push(...planSends(state.notified, e.trigger, outcome, condition.send, e.destinations, now));
    });
    return sends;
}

async function deliver(sends: PlannedSend[], vars: Record<string, unknown>, input: DispatchInput, now: number, lines: string[], mask: (s: string) => string): Promise<void> {
    if (sends.length === 0) return;
    const app = (vars.app as { metadata: { name: string } }).metadata.name;
    const rendered = await renderTemplates(
        sends.map((s) => ({ fields: templateFields(input.config, s.templates), vars: { ...vars, serviceType: s.destination.service, recipient: s.destination.recipient } })),
    );
    for (const [i, send] of sends.entries()) {
        const to = `${send.destination.service}${send.destination.recipient ? `:${send.destination.recipient}` : ""}`;
        const answer = rendered[i];
        try {
            if ("error" in answer) throw new Error(`template ${send.templates.join(", ")}: ${answer.error}`);
            const notification = notificationOf(answer.fields);
            const service = input.config.services[send.destination.service];
            if (service.type === "webhook") await sendWebhook(service, send.destination.service, notification);
            else await sendSlack(service, send.destination.recipient, notification);
            lines.push(`${app}: notified ${to} (${send.trigger})`);
        } catch (err) {
            // As Argo CD: unmarked, so that a condition without oncePer is tried again next time.
            setAlreadyNotified(input.state.applications[app].notified, send.key, send.outcome, false, now);
            lines.push(`warning: ${app}: notification ${send.trigger} to ${to} failed: ${mask((err as Error).message)}`);
        }
    }
}
