// Argo CD's RollingSync progressive sync: an ApplicationSet's Applications grouped into steps by label
// selectors, each step split into batches of at most maxUpdate. Step N+1 starts when every Application
// of step N is Synced and Healthy; batch k+1 of a step when batch k is. Pure.
//
// Argo CD's rules, from applicationset/progressivesync/progressive_sync.go:
//  - buildAppDependencyList: an Application is in a step when every matchExpression of the step
//    matches (AND); a step without matchExpressions selects every Application;
//  - labelMatchedExpression: `In` matches when the label's value is one of `values`, `NotIn` when it
//    is none of them; a missing label fails `In` and passes `NotIn`; any other operator is invalid;
//  - UpdateApplicationSetApplicationStatusProgress: maxUpdate is an integer or a percentage of the
//    step's Applications, rounded down (intstr.GetScaledValueFromIntOrPercent with roundUp=false), but
//    at least 1 for a percentage above 0%; 0 or "0%" lets none of them update; unset is unbounded.
import { SyncWaveInputError } from "../sync/errors";

export interface RollingSyncMatchExpression {
    key: string;
    operator: string;
    values?: readonly string[];
}

export interface RollingSyncStepSpec {
    matchExpressions?: readonly RollingSyncMatchExpression[];
    /** An integer, or a percentage of the step's Applications ("25%"); all of them at once when unset. */
    maxUpdate?: number | string;
}

/** `spec.strategy` of an ApplicationSet, as far as the rollout reads it. */
export interface RollingSyncStrategy {
    type?: string;
    rollingSync?: { steps?: readonly RollingSyncStepSpec[] };
}

export interface RolloutApplication {
    name: string;
    labels: Readonly<Record<string, string>>;
}

export interface RolloutStep {
    /** The step's number in `strategy.rollingSync.steps`, from 1. */
    step: number;
    /** Its Applications in batches of at most maxUpdate, by name: each batch waits for the one before. */
    applications: string[][];
    /**
     * maxUpdate is 0 (or "0%"): Argo CD syncs none of this step's Applications and waits for someone
     * to sync them by hand, so the steps after it wait too. Its Applications are one batch here.
     */
    held?: true;
}

export interface Rollout {
    /** The steps that select at least one Application, in order. */
    steps: RolloutStep[];
    /** Applications in no step: Argo CD leaves them out of the rollout (synced by hand only). */
    unmatched: string[];
    /** Applications of held steps (maxUpdate 0), by name. */
    held: string[];
}

const OPERATORS = ["In", "NotIn"];
const STEPS_FIELD = "strategy.rollingSync.steps";

/**
 * The rollout of `apps` under `strategy`. A strategy that is not RollingSync, or has no steps, syncs
 * every Application at once, as Argo CD does (progressive_sync.go: RollingSyncStrategyEnabled).
 */
export function rollingSyncSteps(apps: readonly RolloutApplication[], strategy: RollingSyncStrategy | undefined): Rollout {
    const sorted = [...apps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const type = strategy?.type ?? "";
    if (!["", "AllAtOnce", "RollingSync"].includes(type)) {
        throw new SyncWaveInputError(`${JSON.stringify(type)} is not a strategy (allowed: AllAtOnce, RollingSync)`, { field: "strategy.type" });
    }
    const specs = type === "RollingSync" ? (strategy?.rollingSync?.steps ?? []) : [];
    if (specs.length === 0) {
        return { steps: sorted.length ? [{ step: 1, applications: [sorted.map((a) => a.name)] }] : [], unmatched: [], held: [] };
    }
    specs.forEach(checkStep);

    // Each Application goes to the first step that selects it. Argo CD lists one selected by two steps
    // in both and reports the ApplicationSet's rollout config as invalid; its step (appStepMap) and
    // the maxUpdate that governs it are the first one's, which is what is kept here.
    const members: string[][] = specs.map(() => []);
    const unmatched: string[] = [];
    for (const app of sorted) {
        const index = specs.findIndex((s) => (s.matchExpressions ?? []).every((e) => matches(app.labels, e)));
        if (index < 0) unmatched.push(app.name);
        else members[index].push(app.name);
    }

    const steps: RolloutStep[] = [];
    const held: string[] = [];
    members.forEach((names, index) => {
        // A step that selects nothing is passed over (Argo CD reports it as an empty step and moves on);
        // kept, it would leave the next step with nothing to wait for.
        if (names.length === 0) return;
        const size = batchSize(specs[index].maxUpdate, names.length, index);
        if (size === 0) {
            held.push(...names);
            steps.push({ step: index + 1, applications: [names], held: true });
        } else {
            steps.push({ step: index + 1, applications: chunks(names, size) });
        }
    });
    return { steps, unmatched, held: held.sort() };
}

/** Refuses what Argo CD would only log: an operator it ignores, a maxUpdate it cannot read. */
function checkStep(step: RollingSyncStepSpec, index: number): void {
    (step.matchExpressions ?? []).forEach((e, j) => {
        const field = `${STEPS_FIELD}[${index}].matchExpressions[${j}]`;
        if (!OPERATORS.includes(e.operator)) {
            // Exists and DoesNotExist are Kubernetes selector operators RollingSync does not have.
            throw new SyncWaveInputError(`${JSON.stringify(e.operator)} is not a RollingSync operator (allowed: ${OPERATORS.join(", ")})`, { field: `${field}.operator` });
        }
        if (typeof e.key !== "string" || e.key === "") throw new SyncWaveInputError("a matchExpression needs the label key it matches", { field: `${field}.key` });
    });
    batchSize(step.maxUpdate, 1, index);
}

function matches(labels: Readonly<Record<string, string>>, e: RollingSyncMatchExpression): boolean {
    const value = Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined;
    const listed = value !== undefined && (e.values ?? []).includes(value);
    return e.operator === "In" ? listed : !listed;
}

/** How many of a step's `total` Applications sync at once; 0 holds the step. */
function batchSize(maxUpdate: number | string | undefined, total: number, index: number): number {
    if (maxUpdate === undefined) return total;
    const field = `${STEPS_FIELD}[${index}].maxUpdate`;
    if (typeof maxUpdate === "number") {
        if (!Number.isInteger(maxUpdate) || maxUpdate < 0) throw new SyncWaveInputError(`${maxUpdate} is not a maxUpdate (a whole number of Applications, 0 or more, or a percentage such as "25%")`, { field });
        return Math.min(maxUpdate, total);
    }
    const percent = /^(\d+)%$/.exec(maxUpdate.trim());
    if (!percent) {
        const hint = /^\d+$/.test(maxUpdate.trim()) ? ` (a count is written without quotes: ${maxUpdate.trim()})` : "";
        throw new SyncWaveInputError(`${JSON.stringify(maxUpdate)} is not a maxUpdate: a string must be a whole percentage such as "25%"${hint}`, { field });
    }
    const value = Number(percent[1]);
    if (value === 0) return 0;
    // Of the step's own Applications. (Argo CD's count also adds the Applications of no step to the
    // first step's, through a missing map key; that is a slip, not a rule.)
    return Math.min(Math.max(1, Math.floor((value * total) / 100)), total);
}

function chunks(names: readonly string[], size: number): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < names.length; i += size) out.push(names.slice(i, i + size));
    return out;
}
