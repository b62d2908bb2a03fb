// SkipDryRunOnMissingResource=true: a custom resource whose kind neither the destination's discovery
// nor a CRD of this sync knows, because something the sync starts earlier installs its CRD (an
// operator in an earlier wave, another Application). Argo CD then skips its dry run
// (gitops-engine pkg/sync/sync_context.go, getSyncTasks: IsNotFound && shouldSkipDryRunOnMissingResource)
// and applies it when its wave comes. Without the option such a kind is refused (see scope.ts).
//
// Its scope cannot be asked of anyone, so the manifest says it: naming a namespace makes it
// namespaced, naming none makes it cluster-scoped. Argo CD puts the destination namespace on such an
// object and lets kubectl find out at apply time; SyncWave must know before (the object's identity and
// the Project's rules depend on it), and takes the guess that fails loudly: a namespaced kind sent
// without a namespace is refused by the API server, while a cluster-scoped kind sent with one would be
// created with the namespace silently dropped, and checked against the wrong Project rules.
import { SyncWaveInputError } from "./errors";
import { apiGroup, describeResource, resourceKey, type Manifest } from "./manifest";
import { kindKey, type Scope, type ScopeResolver } from "./scope";

export interface MissingKindGuess {
    scope: Scope;
    /** The first file that decided the guess, for the error when another contradicts it. */
    file: string;
}

/**
 * The manifest's scope: from discovery or the sync's CRDs when they know the kind; otherwise, with
 * SkipDryRunOnMissingResource, guessed from whether it names a namespace (and recorded in `guesses`,
 * so that every object of the kind gets the same scope). Without the option an unknown kind throws
 * the resolver's error.
 */
export function scopeOrSkipDryRun(
    resolver: ScopeResolver,
    manifest: Manifest,
    skipDryRunOnMissingResource: boolean,
    guesses: Map<string, MissingKindGuess>,
    where: { application?: string; file: string },
): Scope {
    const group = apiGroup(manifest.apiVersion);
    if (!skipDryRunOnMissingResource || resolver.scopeOf(group, manifest.kind) !== undefined) {
        return resolver.requireScope(manifest, where);
    }
    const key = kindKey(group, manifest.kind);
    const scope: Scope = manifest.metadata.namespace ? "Namespaced" : "Cluster";
    const earlier = guesses.get(key);
    if (earlier && earlier.scope !== scope) {
        throw new SyncWaveInputError(
            `SkipDryRunOnMissingResource: the destination does not know ${key} yet, so its scope is taken from whether an object ` +
                `names a namespace; this one ${scope === "Namespaced" ? "names one" : "names none"}, but ${earlier.file} ` +
                `${earlier.scope === "Namespaced" ? "names one" : "names none"}: give every ${manifest.kind} a metadata.namespace if the kind is namespaced, none if it is cluster-scoped`,
            { ...where, resource: describeResource(resourceKey(manifest)), field: "metadata.namespace" },
        );
    }
    if (!earlier) guesses.set(key, { scope, file: where.file });
    return scope;
}
