// Project: Argo CD's AppProject, the tenancy and security boundary of its Applications. The rules
// themselves are pure functions in ./project/rules.ts, shared with the policy pack.
import * as pulumi from "@pulumi/pulumi";
import type { CustomHealthRules } from "./health/assess";
import type { ProjectSpec } from "./project/project-spec";
import { isWindowActive } from "./project/sync-windows";
import { signatureKeyErrors } from "./project/signature-keys";
import { SyncWaveInputError } from "./sync/errors";

export type { ProjectSpec } from "./project/project-spec";

export class Project extends pulumi.ComponentResource {
    public readonly projectName: string;
    public readonly spec: ProjectSpec;
    /** Custom health rules by "group/Kind" for every Application of the project. */
    public readonly healthChecks: CustomHealthRules;
    /** The platform's ASCII-armored public keys, which signatureKeys name (syncwave:platform.gpgKeys). */
    public readonly gpgKeys: string[];

    constructor(name: string, spec: ProjectSpec, opts?: pulumi.ComponentResourceOptions & { healthChecks?: CustomHealthRules; gpgKeys?: string[] }) {
        super("syncwave:index:Project", name, {}, opts);
        this.projectName = name;
        this.spec = spec;
        this.healthChecks = opts?.healthChecks ?? {};
        this.gpgKeys = opts?.gpgKeys ?? [];
        validateProjectSpec(name, spec);
        this.registerOutputs({
            description: spec.description ?? "",
            sourceRepos: spec.sourceRepos ?? [],
            destinations: spec.destinations ?? [],
            syncWindows: spec.syncWindows ?? [],
            // Read by `syncwave drift` from the state: whose changes are owned, not drift.
            trustedManagers: spec.trustedManagers ?? [],
            signatureKeys: (spec.signatureKeys ?? []).map((k) => k.keyID),
        });
    }
}

/** Every AppProject field SyncWave enforces, and its own additions. */
const KNOWN_PROJECT_FIELDS = [
    "description",
    "sourceRepos",
    "destinations",
    "clusterResourceWhitelist",
    "clusterResourceBlacklist",
    "namespaceResourceWhitelist",
    "namespaceResourceBlacklist",
    "syncWindows",
    "destinationServiceAccounts",
    "allowAutomatedPrune",
    "allowSelfHeal",
    "adoptExisting",
    "failOnSharedResource",
    "trustedManagers",
    "signatureKeys",
];

/**
 * Argo CD AppProject fields SyncWave does not enforce yet, and why each is refused: a boundary that is
 * written down but not enforced is worse than none (signatureKeys above all: unsigned commits would sync).
 */
const REFUSED_PROJECT_FIELDS: Record<string, string> = {
    orphanedResources: "orphaned resource monitoring is not supported yet",
    sourceNamespaces: "Applications are not declared in namespaces here: the platform assigns Projects to Applications (syncwave:platform.applications)",
    permitOnlyProjectScopedClusters: "project-scoped clusters are not supported yet",
    roles: "project roles (CLI-side RBAC) are not supported yet",
    sourceHydrator: "source hydration is not supported",
};

/** Fails early, naming the field, on a spec that could never be evaluated (bad cron, bad duration) or that SyncWave would not enforce. */
export function validateProjectSpec(name: string, spec: ProjectSpec): void {
    const keyErrors = signatureKeyErrors(spec.signatureKeys);
    if (keyErrors.length) throw new SyncWaveInputError(keyErrors.join("; "), { field: `projects.${name}.signatureKeys` });
    for (const field of Object.keys(spec)) {
        if (KNOWN_PROJECT_FIELDS.includes(field)) continue;
        const why = REFUSED_PROJECT_FIELDS[field] ?? `unknown AppProject field (known: ${KNOWN_PROJECT_FIELDS.join(", ")})`;
        throw new SyncWaveInputError(why, { field: `projects.${name}.${field}` });
    }
    (spec.syncWindows ?? []).forEach((w, i) => {
        const field = `projects.${name}.syncWindows[${i}]`;
        if (w.kind !== "allow" && w.kind !== "deny") {
            throw new SyncWaveInputError(`kind must be "allow" or "deny", not "${String(w.kind)}"`, { field: `${field}.kind` });
        }
        isWindowActive(w, new Date(), field);
    });
    if (spec.trustedManagers !== undefined && (!Array.isArray(spec.trustedManagers) || spec.trustedManagers.some((m) => typeof m !== "string" || m === ""))) {
        throw new SyncWaveInputError("trustedManagers must be a list of field manager names", { field: `projects.${name}.trustedManagers` });
    }
    for (const field of ["sourceRepos", "destinations"] as const) {
        if (spec[field] !== undefined && !Array.isArray(spec[field])) {
            throw new SyncWaveInputError(`${field} must be a list`, { field: `projects.${name}.${field}` });
        }
    }
}
