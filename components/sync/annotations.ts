// The Argo CD (and Helm) annotations SyncWave reads, parsed strictly: a value Argo CD would reject
// is an error that names the annotation, never a silent default.
import { parseDuration } from "../duration";
import { SyncWaveInputError } from "./errors";
import type { SourcedManifest } from "./manifest";
import { describeResource, resourceKey } from "./manifest";

export const ANNOTATION = {
    syncWave: "argocd.argoproj.io/sync-wave",
    hook: "argocd.argoproj.io/hook",
    hookDeletePolicy: "argocd.argoproj.io/hook-delete-policy",
    syncOptions: "argocd.argoproj.io/sync-options",
    compareOptions: "argocd.argoproj.io/compare-options",
    helmHook: "helm.sh/hook",
    helmHookWeight: "helm.sh/hook-weight",
    helmHookDeletePolicy: "helm.sh/hook-delete-policy",
    /** SyncWave's own: how long a gate or hook waits for this resource, e.g. "5m". */
    healthTimeout: "syncwave.dev/health-timeout",
    /** SyncWave's own: how long a pod may stay Degraded (without backing off) before its wave fails, e.g. "45s". */
    degradedGrace: "syncwave.dev/degraded-grace",
} as const;

export type Phase = "PreSync" | "Sync" | "PostSync" | "SyncFail" | "PreDelete" | "PostDelete";
export type HookType = Phase | "Skip";
export type HookDeletePolicy = "BeforeHookCreation" | "HookSucceeded" | "HookFailed";

const ARGO_HOOKS: readonly HookType[] = ["PreSync", "Sync", "PostSync", "SyncFail", "PreDelete", "PostDelete", "Skip"];
const HELM_HOOKS: Record<string, Phase> = {
    "pre-install": "PreSync",
    "pre-upgrade": "PreSync",
    "post-install": "PostSync",
    "post-upgrade": "PostSync",
    "pre-delete": "PreDelete",
    "post-delete": "PostDelete",
};
/** Every hook Helm knows (helm.sh/helm/v3 pkg/release/hook.go, and Helm 2's crd-install and test-success/failure). */
const HELM_HOOK_NAMES = [
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
    "test-failure",
    "crd-install",
];

/**
 * The syncwave.dev/ annotations an object may carry; any other is refused (a misspelt health timeout
 * would otherwise be ignored). Application and ApplicationSet manifests have their own list.
 */
const OBJECT_ANNOTATIONS = [
    ANNOTATION.healthTimeout,
    ANNOTATION.degradedGrace,
    "syncwave.dev/adopt",
    // Written by earlier SyncWave releases; a manifest exported from the cluster may still carry it.
    "syncwave.dev/tracking-id",
    // The local cluster's simulated pods (toolchain/cluster/stages.yaml); nothing else reads them.
    "syncwave.dev/ready-after",
    "syncwave.dev/fail",
    "syncwave.dev/fail-message",
];

/** Refuses a syncwave.dev/ annotation SyncWave does not know, naming it. */
export function checkSyncWaveAnnotations(s: SourcedManifest): void {
    for (const name of Object.keys(annotations(s))) {
        if (name.startsWith("syncwave.dev/") && !OBJECT_ANNOTATIONS.includes(name)) {
            throw new SyncWaveInputError(`unknown SyncWave annotation (known: ${OBJECT_ANNOTATIONS.join(", ")})`, where(s, `metadata.annotations["${name}"]`));
        }
    }
}

const DELETE_POLICIES: Record<string, HookDeletePolicy> = {
    BeforeHookCreation: "BeforeHookCreation",
    HookSucceeded: "HookSucceeded",
    HookFailed: "HookFailed",
    // Helm's names for the same policies.
    "before-hook-creation": "BeforeHookCreation",
    "hook-succeeded": "HookSucceeded",
    "hook-failed": "HookFailed",
};

function where(s: SourcedManifest, field: string) {
    return { file: s.file, resource: describeResource(resourceKey(s.manifest)), field };
}

function annotations(s: SourcedManifest): Record<string, string> {
    return s.manifest.metadata.annotations ?? {};
}

function splitList(value: string): string[] {
    return value
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
}

/** The integer in an annotation, or undefined when absent; anything else is an error. */
function integerAnnotation(s: SourcedManifest, name: string): number | undefined {
    const raw = annotations(s)[name];
    if (raw === undefined) return undefined;
    if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
        throw new SyncWaveInputError(`"${raw}" is not an integer`, where(s, `metadata.annotations["${name}"]`));
    }
    return Number.parseInt(raw, 10);
}

/** Argo CD's hook types for a resource; Helm hooks map only when no Argo CD hook annotation is set. */
export function hookTypes(s: SourcedManifest): HookType[] {
    const a = annotations(s);
    if (a[ANNOTATION.hook] !== undefined) {
        return splitList(a[ANNOTATION.hook]).map((h) => {
            if (!ARGO_HOOKS.includes(h as HookType)) {
                throw new SyncWaveInputError(
                    `unknown hook "${h}" (expected one of ${ARGO_HOOKS.join(", ")})`,
                    where(s, `metadata.annotations["${ANNOTATION.hook}"]`),
                );
            }
            return h as HookType;
        });
    }
    // Any helm.sh/hook but Helm 2's crd-install makes the object a hook (gitops-engine
    // pkg/sync/hook/helm/hook.go IsHook). Helm's test and rollback hooks map to no phase: such an object
    // is a hook that never runs, so it is never applied as a managed resource either (Skip).
    if (a[ANNOTATION.helmHook] !== undefined && a[ANNOTATION.helmHook].trim() !== "crd-install") {
        const phases = new Set<Phase>();
        for (const h of splitList(a[ANNOTATION.helmHook])) {
            // Stricter than Argo CD, which takes a misspelt hook for one that never runs, so the object
            // silently never applies: a name Helm itself does not know is refused.
            if (!HELM_HOOK_NAMES.includes(h)) {
                throw new SyncWaveInputError(`unknown Helm hook "${h}" (Helm's hooks: ${HELM_HOOK_NAMES.join(", ")})`, where(s, `metadata.annotations["${ANNOTATION.helmHook}"]`));
            }
            const phase = HELM_HOOKS[h];
            if (phase) phases.add(phase);
        }
        return phases.size > 0 ? [...phases] : ["Skip"];
    }
    return [];
}

/** The sync wave: argocd sync-wave, else a Helm hook's weight, else 0. */
export function syncWave(s: SourcedManifest): number {
    const wave = integerAnnotation(s, ANNOTATION.syncWave);
    if (wave !== undefined) return wave;
    if (annotations(s)[ANNOTATION.hook] === undefined && annotations(s)[ANNOTATION.helmHook] !== undefined) {
        return integerAnnotation(s, ANNOTATION.helmHookWeight) ?? 0;
    }
    return 0;
}

/** Delete policies of a hook; BeforeHookCreation when none is given, as in Argo CD. */
export function hookDeletePolicies(s: SourcedManifest): HookDeletePolicy[] {
    const a = annotations(s);
    const argo = a[ANNOTATION.hookDeletePolicy];
    const helm = a[ANNOTATION.hook] === undefined ? a[ANNOTATION.helmHookDeletePolicy] : undefined;
    const raw = argo ?? helm;
    const field = `metadata.annotations["${argo !== undefined ? ANNOTATION.hookDeletePolicy : ANNOTATION.helmHookDeletePolicy}"]`;
    if (raw === undefined) return ["BeforeHookCreation"];
    const policies = splitList(raw).map((p) => {
        const policy = DELETE_POLICIES[p];
        if (!policy) {
            throw new SyncWaveInputError(
                `unknown hook delete policy "${p}" (expected BeforeHookCreation, HookSucceeded or HookFailed)`,
                where(s, field),
            );
        }
        return policy;
    });
    return policies.length ? [...new Set(policies)] : ["BeforeHookCreation"];
}

/** A duration annotation such as "90s", "5m" or "1h30m", in milliseconds. */
export function durationAnnotation(s: SourcedManifest, name: string): number | undefined {
    const raw = annotations(s)[name];
    if (raw === undefined) return undefined;
    const ms = parseDuration(raw);
    if (ms === undefined) {
        throw new SyncWaveInputError(`"${raw}" is not a duration like 90s, 5m or 1h30m`, where(s, `metadata.annotations["${name}"]`));
    }
    return ms;
}

/**
 * argocd.argoproj.io/compare-options, checked so that none is silently dropped: IgnoreExtraneous (an
 * object outside git that carries it is not OutOfSync; SyncWave never reports such objects anyway,
 * only what it applied and what left git) and ServerSideDiff (SyncWave always diffs server-side, by
 * server-side apply dry runs) are accepted; anything else is refused naming it.
 */
export function checkCompareOptions(s: SourcedManifest): void {
    const raw = annotations(s)[ANNOTATION.compareOptions];
    if (raw === undefined) return;
    for (const option of splitList(raw)) {
        if (option === "IgnoreExtraneous" || option === "ServerSideDiff=true" || option === "ServerSideDiff=false") continue;
        throw new SyncWaveInputError(
            `compare option "${option}" is not supported (supported: IgnoreExtraneous, ServerSideDiff=true|false)`,
            where(s, `metadata.annotations["${ANNOTATION.compareOptions}"]`),
        );
    }
}

/** Go-style durations, one parser for every duration a user writes (see components/duration.ts). */
export { parseDuration };
