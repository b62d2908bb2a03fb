// The health of every Application of a stack, as its last sync recorded it: each gate's resources and
// each hook's outcome, read from the stack's state (`pulumi stack export`). A hook's message is a
// secret (it may echo what its containers printed) and is not shown.
import { plainValues, readState, type StateResource } from "./state";
import { formatColumns } from "../format/table";

export interface HealthRow {
    application: string;
    stage: string;
    resource: string;
    status: string;
    message: string;
}

/** Rows in sync order (the state keeps resources in dependency order). */
export function healthRows(resources: readonly StateResource[]): HealthRow[] {
    const rows: HealthRow[] = [];
    for (const r of resources) {
        const o = (plainValues(r.outputs) ?? {}) as {
            application?: string;
            stage?: string;
            health?: { resource: string; status: string; message: string }[];
            phase?: string;
            status?: string;
            message?: string;
            hookName?: string;
            namespace?: string;
            manifest?: { kind?: string };
        };
        if (r.type.endsWith("syncwave:HealthGate")) {
            for (const h of o.health ?? []) {
                rows.push({ application: o.application ?? "", stage: o.stage ?? "", resource: h.resource, status: h.status, message: h.message });
            }
        } else if (r.type.endsWith("syncwave:Hook")) {
            const application = r.parent?.split("::").pop() ?? "";
            rows.push({
                application,
                stage: `${o.phase ?? ""} hook`,
                resource: `${o.manifest?.kind ?? ""} ${o.namespace ? `${o.namespace}/` : ""}${o.hookName ?? ""}`,
                status: o.status ?? "",
                message: o.message ?? "",
            });
        }
    }
    return rows;
}

export function formatTable(rows: HealthRow[]): string {
    return formatColumns(
        ["APPLICATION", "STAGE", "RESOURCE", "HEALTH", "MESSAGE"],
        rows.map((r) => [r.application, r.stage, r.resource, r.status, r.message]),
        [3],
    );
}

if (require.main === module) {
    const stack = process.argv[2] ?? "dev";
    console.log(formatTable(healthRows(readState(stack, process.cwd()))));
}
