// dependsOn between Applications: an Application syncs after the Applications it names are Healthy.
// It is a graph edge (the first resource of the dependent waits for the dependency's last gate), so
// the engine also deletes in reverse: dependents first. Names resolve among the Applications declared
// beside it (the stack's top level, one parent's children, one ApplicationSet's); an unknown name and
// a cycle are refused, the cycle named. Pure.
import { SyncWaveInputError } from "../sync/errors";

export interface DependencyNode {
    name: string;
    dependsOn?: readonly string[];
    /** Where it was declared, for messages. */
    where?: { file?: string; field: string };
}

/**
 * The nodes in an order where every dependency comes before its dependents (otherwise in the given
 * order); `scope` names where the names resolve, for messages ("the stack", "parent application apps").
 */
export function orderByDependencies<T extends DependencyNode>(nodes: readonly T[], scope: string): T[] {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const n of nodes) {
        for (const d of n.dependsOn ?? []) {
            if (d === n.name) throw new SyncWaveInputError(`application ${n.name} depends on itself`, { application: n.name, ...n.where });
            if (!byName.has(d)) {
                throw new SyncWaveInputError(`depends on application ${d}, which ${scope} does not declare (known: ${[...byName.keys()].filter((k) => k !== n.name).join(", ") || "none"})`, {
                    application: n.name,
                    ...n.where,
                });
            }
        }
    }
    const ordered: T[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (n: T, path: string[]) => {
        const s = state.get(n.name);
        if (s === "done") return;
        if (s === "visiting") {
            const cycle = [...path.slice(path.indexOf(n.name)), n.name];
            throw new SyncWaveInputError(`dependsOn forms a cycle: ${cycle.join(" → ")}`, { application: n.name, ...n.where });
        }
        state.set(n.name, "visiting");
        for (const d of n.dependsOn ?? []) visit(byName.get(d)!, [...path, n.name]);
        state.set(n.name, "done");
        ordered.push(n);
    };
    for (const n of nodes) visit(n, []);
    return ordered;
}
