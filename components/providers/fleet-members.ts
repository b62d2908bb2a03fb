// FleetMembers: what an ApplicationSet generated at its last sync, and its guard. Its check sees the
// last sync's members and this run's before anything is applied or deleted, so it refuses (failing
// the preview and the update before the engine deletes a thing):
//  - a generator that succeeded with far fewer Applications than the set owns (none at all, or more
//    than the threshold deleted; Argo CD users lost whole fleets to a transient empty answer), unless
//    the sync or the ApplicationSet allows it;
//  - a deletion or an update its applicationsSync policy forbids, which only happens when the program
//    was not given the last sync's specs (a plain `pulumi up`; `syncwave sync` passes them).
// No cluster I/O.
import * as pulumi from "@pulumi/pulumi";
import type { ApplicationSpec } from "../application-spec";
import { loadProviderRuntime } from "./runtime-loader";

export interface FleetMembersArgs {
    applicationSet: string;
    /** Every Application the set declares now, with its spec as generated (kept for the next sync). */
    specs: Record<string, ApplicationSpec>;
    /** The deletion threshold: a count or a percentage of what the set owns ("50%" when not given). */
    threshold?: string;
    /** `syncwave sync --allow-fleet-deletion`, or the ApplicationSet's syncwave.dev/allow-fleet-deletion. */
    allowDeletion: boolean;
    /** What its applicationsSync policy lets a sync do to existing Applications. */
    policy: { update: boolean; delete: boolean; name: string };
}

type Inputs = FleetMembersArgs;

const fleetMembersProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<Inputs> | undefined, news: Inputs) {
        const before = olds?.specs ?? {};
        const owned = Object.keys(before);
        const guard = loadProviderRuntime<typeof import("../fleet/fleet-guard")>("components/fleet/fleet-guard");
        if (owned.length === 0) {
            // The threshold is checked on the first sync too, not only once the set owns something.
            try {
                guard.fleetDeletionVerdict({ owned: [], generated: [], threshold: news.threshold, allowed: news.allowDeletion });
            } catch (err) {
                return { inputs: news, failures: [{ property: "threshold", reason: `ApplicationSet ${news.applicationSet}: ${(err as Error).message}` }] };
            }
            return { inputs: news };
        }
        const failures: { property: string; reason: string }[] = [];
        const generated = Object.keys(news.specs);
        const gone = owned.filter((n) => !generated.includes(n));
        if (gone.length > 0 && !news.policy.delete) {
            failures.push({ property: "specs", reason: `ApplicationSet ${news.applicationSet}: applicationsSync ${news.policy.name} keeps ${gone.join(", ")}, but this run does not declare them (syncwave sync passes their last specs)` });
        }
        if (!news.policy.update) {
            const changed = generated.filter((n) => before[n] !== undefined && JSON.stringify(before[n]) !== JSON.stringify(news.specs[n]));
            if (changed.length > 0) {
                failures.push({ property: "specs", reason: `ApplicationSet ${news.applicationSet}: applicationsSync ${news.policy.name} does not update ${changed.join(", ")}, but this run changes them (syncwave sync passes their last specs)` });
            }
        }
        const verdict = guard.fleetDeletionVerdict({ owned, generated, threshold: news.threshold, allowed: news.allowDeletion });
        if (verdict.refused) {
            failures.push({ property: "specs", reason: `ApplicationSet ${news.applicationSet}: ${verdict.reason}; nothing was changed (syncwave sync --allow-fleet-deletion, or the annotation syncwave.dev/allow-fleet-deletion: "true", deletes them)` });
        }
        return failures.length ? { inputs: news, failures } : { inputs: news };
    },
    async diff(_id: string, olds: Inputs, news: Inputs) {
        return { changes: JSON.stringify(olds.specs) !== JSON.stringify(news.specs) || olds.threshold !== news.threshold || olds.allowDeletion !== news.allowDeletion || JSON.stringify(olds.policy) !== JSON.stringify(news.policy) };
    },
    async create(inputs: Inputs) {
        return { id: inputs.applicationSet, outs: inputs };
    },
    async update(_id: string, _olds: Inputs, news: Inputs) {
        return { outs: news };
    },
    async delete() {
        // Nothing in the cluster: the Applications it generated are deleted as Applications are.
    },
};

export class FleetMembers extends pulumi.dynamic.Resource {
    constructor(name: string, args: FleetMembersArgs, opts?: pulumi.CustomResourceOptions) {
        super(fleetMembersProvider, name, args, opts, "syncwave", "FleetMembers");
    }
}
