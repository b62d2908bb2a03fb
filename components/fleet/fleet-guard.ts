// What a fleet's sync may do to the Applications it already has: Argo CD's applicationsSync policy,
// and SyncWave's mass-deletion guard (beyond Argo CD, whose users lost whole fleets to a generator that
// answered "nothing" for a moment). Pure.
//
// The providers load this module through loadProviderRuntime, in their own process, from source:
// it imports nothing, so it loads the same from any checkout.

/** What a sync may do to the Applications of a fleet. */
export interface ApplicationsSyncPolicy {
    create: boolean;
    update: boolean;
    delete: boolean;
}

const POLICIES: Record<string, ApplicationsSyncPolicy> = {
    // Every policy creates: Argo CD's controller creates the missing Applications under each of them
    // (applicationset/controllers/applicationset_controller.go: Reconcile calls createOrUpdateInCluster
    // or, when updates are not allowed, createInCluster, which creates only those not in the cluster).
    "create-only": { create: true, update: false, delete: false },
    "create-update": { create: true, update: true, delete: false },
    // create-delete deletes but never updates: AllowUpdate is only create-update and sync
    // (pkg/apis/application/v1alpha1/applicationset_types.go: ApplicationsSyncPolicy.AllowUpdate/AllowDelete).
    "create-delete": { create: true, update: false, delete: true },
    sync: { create: true, update: true, delete: true },
};

/**
 * `spec.syncPolicy.applicationsSync`, as Argo CD reads it; unset (or empty) is `sync`
 * (applicationset/utils/policy.go: Policies). In Argo CD the controller's `--policy` wins over this
 * field unless the controller runs with `--enable-policy-override`; SyncWave has no controller-wide
 * policy, so the ApplicationSet's own field always applies.
 */
export function applicationsSyncPolicy(mode?: string): ApplicationsSyncPolicy {
    if (mode === undefined || mode === "") return { ...POLICIES.sync };
    const policy = Object.prototype.hasOwnProperty.call(POLICIES, mode) ? POLICIES[mode] : undefined;
    if (!policy) {
        throw new Error(`syncPolicy.applicationsSync ${JSON.stringify(mode)} is not a policy (allowed: ${Object.keys(POLICIES).join(", ")})`);
    }
    return { ...policy };
}

export const FLEET_DELETION_THRESHOLD = "syncwave.dev/fleet-deletion-threshold";
const DEFAULT_THRESHOLD = "50%";
/** The threshold applies above this many owned Applications; at or below it, only deleting all of them is refused. */
const SMALL_FLEET = 2;
/** How many names a refusal lists before it summarizes the rest. */
const NAMES_SHOWN = 20;

export interface FleetDeletionInput {
    /** The Applications the fleet has now (its last sync's). */
    owned: readonly string[];
    /** The Applications this sync generates. */
    generated: readonly string[];
    /** A count ("3") or a percentage of what it owns ("30%"); "50%" when not given. */
    threshold?: string;
    /** The sync or the fleet allows a mass deletion. */
    allowed: boolean;
}

export interface FleetDeletionVerdict {
    refused: boolean;
    /** Why it was refused: the counts and the Applications it would delete. */
    reason?: string;
    /** The owned Applications this sync would delete, by name. */
    deleting: string[];
}

/**
 * The mass-deletion guard. A generation that would delete every Application the fleet owns (a
 * generator that answered nothing, or renamed them all) is refused; so is one that would delete more
 * than the threshold when the fleet owns more than two (with one or two, any partial deletion is
 * ordinary: one of two is 50%). `allowed` lets it through. An invalid threshold throws, whether or
 * not anything is deleted, so a typo is found before the day it matters.
 */
export function fleetDeletionVerdict(input: FleetDeletionInput): FleetDeletionVerdict {
    const limit = parseThreshold(input.threshold ?? DEFAULT_THRESHOLD);
    const owned = [...new Set(input.owned)];
    const generated = new Set(input.generated);
    const deleting = owned.filter((name) => !generated.has(name)).sort();
    if (input.allowed || deleting.length === 0) return { refused: false, deleting };

    const names = listed(deleting);
    if (deleting.length === owned.length) {
        // "Declares", not "generates": a parent Application (app of apps) renders its children.
        const what = generated.size === 0 ? "declares no Applications" : `declares none of the Applications it owns (only ${generated.size} other${generated.size === 1 ? "" : "s"})`;
        return { refused: true, reason: `this sync ${what}: it would delete all ${owned.length} it owns (${names})`, deleting };
    }
    if (owned.length > SMALL_FLEET && exceeds(deleting.length, owned.length, limit)) {
        return {
            refused: true,
            reason: `this sync would delete ${deleting.length} of the ${owned.length} Applications it owns (${names}), more than the deletion threshold ${limit.text}`,
            deleting,
        };
    }
    return { refused: false, deleting };
}

interface Threshold {
    kind: "count" | "percent";
    value: number;
    text: string;
}

function parseThreshold(raw: string): Threshold {
    const text = raw.trim();
    const count = /^\d+$/.exec(text);
    if (count) return { kind: "count", value: Number(text), text };
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
    if (percent && Number(percent[1]) <= 100) return { kind: "percent", value: Number(percent[1]), text };
    throw new Error(
        `annotation ${FLEET_DELETION_THRESHOLD}: ${JSON.stringify(raw)} is not a deletion threshold (a count of Applications such as "3", or a percentage from 0% to 100% such as "30%")`,
    );
}

/** More than the threshold: exactly the threshold (2 of 4 at 50%, 3 at "3") is still allowed. */
function exceeds(deleting: number, owned: number, limit: Threshold): boolean {
    // Compared as deleting * 100 > percent * owned, so 50% of 4 is not lost to floating point.
    return limit.kind === "count" ? deleting > limit.value : deleting * 100 > limit.value * owned;
}

function listed(names: readonly string[]): string {
    const shown = names.slice(0, NAMES_SHOWN).join(", ");
    return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}
