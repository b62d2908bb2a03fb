// The child Applications of a parent (app of apps), declared through the stack's declarer under the
// parent component. Checked before the parent declares anything (their Projects, their order), then
// declared after the parent's own sync: every child waits for the parent's own objects, the children
// of the wave before its own and its dependsOn siblings, each Healthy.
import type * as pulumi from "@pulumi/pulumi";
import type { Application } from "../application";
import type { ChildApplication } from "../fleet/child-applications";
import { readinessOf, readyAfter, type Readiness } from "../fleet/declarer";
import { orderByDependencies } from "../fleet/depends-on";
import { checkProjectAssignment } from "../platform/assignments";
import { SyncWaveInputError } from "../sync/errors";
import type { ApplicationArgs } from "./types";

export interface OrderedChild extends ChildApplication {
    /** The children it waits for: the wave before its own, and its dependsOn. */
    waitsFor: string[];
}

/** Refuses children the platform did not allow this parent, and orders them; a cycle (dependsOn against the waves) is refused. */
export function orderChildren(parent: string, children: readonly ChildApplication[], args: ApplicationArgs): OrderedChild[] {
    if (children.length === 0) return [];
    if (!args.fleet) {
        throw new SyncWaveInputError("renders child Applications (app of apps), which only the stack program declares", { application: parent, file: children[0].file });
    }
    for (const c of children) {
        const violation = checkProjectAssignment(args.fleet.assignments, { name: c.name, project: c.spec.project, parent });
        if (violation) {
            throw new SyncWaveInputError(`${violation.message} (allowed: ${violation.allowed.join(", ") || "none"})`, {
                application: parent,
                file: c.file,
                resource: `Application ${c.name}`,
                field: "spec.project",
            });
        }
    }
    const waves = [...new Set(children.map((c) => c.wave))].sort((a, b) => a - b);
    const nodes = children.map((c) => {
        const before = waves[waves.indexOf(c.wave) - 1];
        const previousWave = before === undefined ? [] : children.filter((o) => o.wave === before).map((o) => o.name);
        return { ...c, waitsFor: [...new Set([...previousWave, ...(c.spec.dependsOn ?? [])])], dependsOn: [...previousWave, ...(c.spec.dependsOn ?? [])], where: { file: c.file, field: "metadata.annotations" } };
    });
    return orderByDependencies(nodes, `parent application ${parent}`).map(({ dependsOn: _d, where: _w, ...c }) => c);
}

/** Declares the ordered children; returns those this run declares. */
export function declareChildren(
    parent: string,
    children: readonly OrderedChild[],
    ctx: { args: ApplicationArgs; parent: pulumi.ComponentResource; completion: pulumi.Resource[] },
): Application[] {
    const fleet = ctx.args.fleet;
    if (!fleet || children.length === 0) return [];
    const waitedOn = new Set(children.flatMap((c) => c.waitsFor));
    const declared = new Map<string, Application>();
    for (const c of children) {
        const after: Promise<Readiness>[] = [readyAfter(parent, ctx.completion), ...readinessOf(c.name, c.waitsFor, declared)];
        const app = fleet.declare(c.name, c.spec, { parent: ctx.parent, origin: { parent }, after, measuredLive: waitedOn.has(c.name), file: c.file });
        if (app) declared.set(c.name, app);
        // Not declared in this run: it claims nothing, and no sibling may wait for its claims.
        else ctx.args.ownership?.settle(c.name);
    }
    return [...declared.values()];
}
