// RespectIgnoreDifferences: whether a sync leaves ignoreDifferences' fields as they are live. Argo CD
// normalizes the target with ignoreDifferences only when the sync option says so
// (argo-cd controller/sync.go, normalizeTargetResources); otherwise a sync applies git's value and
// ignoreDifferences only keeps the fields out of the diff and drift.
import type { IgnoreDifference } from "../application-spec";
import { ignoreChangesFor } from "./ignore-differences";
import type { Manifest, ResourceKey } from "./manifest";
import type { SyncOptions } from "./sync-options";

/** The ignoreChanges paths a sync keeps live for this resource; undefined when git's values are applied. */
export function fieldsKeptLive(
    application: string,
    rules: readonly IgnoreDifference[],
    resource: { key: ResourceKey; manifest?: Manifest; options: Pick<SyncOptions, "respectIgnoreDifferences"> },
): string[] | undefined {
    if (!resource.options.respectIgnoreDifferences) return undefined;
    // jqPathExpressions are evaluated on the desired manifest.
    const paths = ignoreChangesFor(application, rules, resource.key, resource.manifest) ?? [];
    return paths.length ? paths : undefined;
}
