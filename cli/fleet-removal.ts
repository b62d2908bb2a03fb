// A parent Application removed without the cascade finalizer: Argo CD leaves its child Application
// objects in place (orphaned), and they go on running. SyncWave's children exist only as the parent
// declares them, so removing the parent removes them too, and a child that carries the cascade
// finalizer would then delete its objects, which Argo CD would not. Such a removal is refused, naming
// the children, before anything is applied; read from the preview's typed step events.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { applicationOfUrn } from "./application-urn";

export interface CascadingOrphans {
    parent: string;
    children: string[];
}

export function cascadingOrphans(events: readonly EngineEvent[]): CascadingOrphans[] {
    const parentOfComponent = new Map<string, string>();
    const prunerCascade = new Map<string, { cascade: boolean; deleted: boolean }>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m) continue;
        if (m.type === "syncwave:index:Application" && m.op === "delete" && m.old?.parent) parentOfComponent.set(m.urn, m.old.parent);
        if (m.type.endsWith("syncwave:Pruner") && m.old?.parent) {
            const olds = (m.old.outputs ?? {}) as { cascade?: boolean };
            prunerCascade.set(m.old.parent, { cascade: olds.cascade === true, deleted: m.op === "delete" });
        }
    }
    const found = new Map<string, string[]>();
    for (const [component, pruner] of prunerCascade) {
        if (!pruner.deleted || !pruner.cascade) continue;
        const parent = parentOfComponent.get(component);
        const parentPruner = parent ? prunerCascade.get(parent) : undefined;
        if (!parent || !parentPruner?.deleted || parentPruner.cascade) continue;
        const name = applicationOfUrn(parent);
        const child = applicationOfUrn(component);
        if (!name || !child) continue;
        found.set(name, [...(found.get(name) ?? []), child]);
    }
    return [...found].map(([parent, children]) => ({ parent, children: children.sort() }));
}

export function cascadingOrphansMessage(o: CascadingOrphans): string {
    return `application ${o.parent} is removed without its cascade finalizer, which leaves its children's objects in place, but its children ${o.children.join(", ")} carry the cascade finalizer and would delete theirs with it: remove that finalizer from them first (a sync of ${o.parent}), or give ${o.parent} the cascade finalizer`;
}
