// Whether a triggered notification was sent already: Argo CD's rule (notifications-engine
// pkg/controller/state.go). A condition's key is its index and the hash of its `when`; the state
// remembers trigger:key:service:recipient, prefixed with the oncePer value when there is one.
// Without oncePer, a condition that turns false forgets (so it sends again when it next turns true);
// with oncePer the value is remembered (one notification per value). Pure.
import { createHash } from "node:crypto";

/** Key → when it was sent (Unix seconds), per Application, as Argo CD keeps it in the notified annotation. */
export type NotifiedState = Record<string, number>;

/** Argo CD keeps at most this many entries per Application, dropping the oldest. */
export const NOTIFIED_HISTORY_MAX = 100;

export interface ConditionOutcome {
    /** `[index].<sha1 of when, base64url>` (pkg/triggers/service.go Run). */
    key: string;
    triggered: boolean;
    /** The oncePer value as text, "" without oncePer (or when not triggered). */
    oncePer: string;
}

export function conditionKey(index: number, when: string): string {
    return `[${index}].${createHash("sha1").update(when).digest("base64url")}`;
}

export function stateKey(trigger: string, outcome: ConditionOutcome, service: string, recipient: string): string {
    const key = `${trigger}:${outcome.key}:${service}:${recipient}`;
    return outcome.oncePer !== "" ? `${outcome.oncePer}:${key}` : key;
}

/**
 * Argo CD's SetAlreadyNotified: marks (or unmarks) and says whether that changed anything. A
 * triggered condition is sent only when marking it changed the state.
 */
export function setAlreadyNotified(state: NotifiedState, key: string, outcome: ConditionOutcome, notified: boolean, now: number): boolean {
    if ((key in state) === notified) return false;
    if (notified) {
        state[key] = now;
        return true;
    }
    if (outcome.oncePer !== "") return false;
    delete state[key];
    return true;
}

/** Drops the oldest entries beyond the limit (state.go truncate). */
export function truncateState(state: NotifiedState, max = NOTIFIED_HISTORY_MAX): NotifiedState {
    const keys = Object.keys(state).sort((a, b) => state[a] - state[b]);
    for (const key of keys.slice(0, Math.max(0, keys.length - max))) delete state[key];
    return state;
}
