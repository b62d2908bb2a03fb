// Resource tracking as Argo CD's annotation tracking does it: every managed object carries
// `argocd.argoproj.io/tracking-id: <application>:<group>/<kind>:<namespace>/<name>` and the
// installation it belongs to (`argocd.argoproj.io/installation-id`, here the stack). Pure: what an
// existing live object's annotations say about who owns it, and whether a sync may take it.
// Format and parsing follow argo-cd util/argo/resource_tracking.go (BuildAppInstanceValue,
// ParseAppInstanceValue); the installation check follows getAppInstanceValue there.
import type { ResourceKey } from "./manifest";

export const TRACKING_ID = "argocd.argoproj.io/tracking-id";
export const INSTALLATION_ID = "argocd.argoproj.io/installation-id";
/** What SyncWave wrote before it wrote Argo CD's annotations: `<application>:<group>/<kind>/<namespace>/<name>`. */
export const LEGACY_TRACKING_ID = "syncwave.dev/tracking-id";
/** Set on an object (or `adoptExisting: true` on the Project) to let a sync adopt it when it exists untracked. */
export const ADOPT_ANNOTATION = "syncwave.dev/adopt";

export interface TrackingValue {
    application: string;
    group: string;
    kind: string;
    namespace: string;
    name: string;
}

export function trackingId(application: string, key: ResourceKey): string {
    return `${application}:${key.group}/${key.kind}:${key.namespace}/${key.name}`;
}

export function parseTrackingId(value: string | undefined): TrackingValue | undefined {
    if (!value) return undefined;
    const parts = value.split(":");
    if (parts.length < 3) return undefined;
    // The application name comes first and holds no ":"; the object's name may not hold one either.
    const [application, groupKind, nsName] = [parts[0], parts[1], parts.slice(2).join(":")];
    const gk = groupKind.split("/");
    const nn = nsName.split("/");
    if (gk.length !== 2 || nn.length !== 2) return undefined;
    return { application, group: gk[0], kind: gk[1], namespace: nn[0], name: nn[1] };
}

/** The annotations a sync writes on every object it manages. */
export function trackingAnnotations(application: string, installation: string, key: ResourceKey): Record<string, string> {
    return { [TRACKING_ID]: trackingId(application, key), [INSTALLATION_ID]: installation };
}

export type LiveOwner =
    /** Tracked by this Application of this installation. */
    | { kind: "ours" }
    /** No tracking id at all: nobody's, as far as any Argo-style tool can tell. */
    | { kind: "untracked" }
    /** Tracked by another Application, or by this name in another installation (another stack or an Argo CD). */
    | { kind: "other"; owner: string };

/**
 * Who owns a live object, by its annotations. Argo CD ignores a tracking id of another installation
 * (treats the object as untracked); SyncWave is stricter: an object another stack or Argo CD manages
 * is someone else's, never ours to adopt silently.
 */
export function liveOwner(
    annotations: Record<string, string> | undefined,
    application: string,
    installation: string,
    key?: ResourceKey,
): LiveOwner {
    const tracked = parseTrackingId(annotations?.[TRACKING_ID]);
    const liveInstallation = annotations?.[INSTALLATION_ID] ?? "";
    if (!annotations?.[TRACKING_ID]) {
        // Objects synced before SyncWave wrote Argo CD's annotations carry its own: ours when it names
        // this Application and this object (the next sync writes the Argo CD ones).
        const legacy = annotations?.[LEGACY_TRACKING_ID];
        if (legacy && key && legacy === `${application}:${key.group}/${key.kind}/${key.namespace}/${key.name}`) return { kind: "ours" };
        return { kind: "untracked" };
    }
    if (!tracked) return { kind: "other", owner: `an unreadable tracking id "${annotations[TRACKING_ID]}"` };
    // A tracking id copied onto another object does not make that object ours (argo-cd isSelfReferencedObj).
    const sameObject = !key || (tracked.group === key.group && tracked.kind === key.kind && tracked.namespace === key.namespace && tracked.name === key.name);
    if (tracked.application === application && liveInstallation === installation && sameObject) return { kind: "ours" };
    if (tracked.application === application && liveInstallation === installation) {
        return { kind: "other", owner: `a copy of ${tracked.kind} ${tracked.namespace ? `${tracked.namespace}/` : ""}${tracked.name}'s tracking id` };
    }
    const where = liveInstallation ? ` of ${liveInstallation}` : " (no installation id)";
    return { kind: "other", owner: `application ${tracked.application}${where}` };
}

export interface TakeoverPolicy {
    /** FailOnSharedResource=true on the object or the Application, or the Project's failOnSharedResource. */
    failOnShared: boolean;
    /** The object's syncwave.dev/adopt annotation or the Project's adoptExisting. */
    adopt: boolean;
}

export type TakeoverVerdict =
    | { action: "apply" }
    | { action: "warn"; message: string }
    | { action: "refuse"; message: string };

/** What a sync may do with an object that already exists in the cluster. */
export function takeoverVerdict(owner: LiveOwner | undefined, policy: TakeoverPolicy): TakeoverVerdict {
    if (!owner || owner.kind === "ours") return { action: "apply" };
    if (owner.kind === "other") {
        const message = `it already exists and is managed by ${owner.owner} (a shared resource)`;
        return policy.failOnShared
            ? { action: "refuse", message: `${message}; FailOnSharedResource forbids syncing it` }
            : { action: "warn", message: `${message}; syncing takes it over (set FailOnSharedResource=true to refuse)` };
    }
    if (policy.adopt) return { action: "apply" };
    return {
        action: "refuse",
        message: `it already exists in the cluster without a tracking id; a sync would adopt it. Annotate it ${ADOPT_ANNOTATION}: "true" in git or set adoptExisting: true on the Project to allow that`,
    };
}
