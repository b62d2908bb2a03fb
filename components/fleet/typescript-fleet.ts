// The fleet declarer for programs written in TypeScript: what index.ts builds from stack config, for
// a program that declares its own Projects, parents and ApplicationSets. Children and generated
// Applications get the Project they name (from `projects`), the settings in `defaults`, and this run's
// settings from the CLI (which Applications it declares, what each parent declared at its last sync).
import type { ApplicationSpec } from "../application-spec";
import { Application } from "../application";
import type { ApplicationArgs } from "../application/types";
import type { Project } from "../project";
import type { OwnershipRegistry } from "../ownership";
import type { Manifest } from "../sync/manifest";
import type { ProjectAssignments } from "../platform/assignments";
import { applicationRunSettings, declares, syncRunFromEnv } from "../sync-run";
import { SyncWaveInputError } from "../sync/errors";
import type { RecordedChild } from "./child-applications";
import type { DeclareOptions, FleetDeclarer } from "./declarer";

export interface TypeScriptFleetOptions {
    projects: Record<string, Project>;
    /** Which Projects each parent's children and each ApplicationSet's Applications may name. */
    assignments: Partial<ProjectAssignments>;
    /** The program's ownership registry (give its top-level Applications the same one): no object is owned twice. */
    ownership: OwnershipRegistry;
    /** Settings every declared Application gets (clusters, healthTimeout, ...). */
    defaults?: Partial<Omit<ApplicationArgs, "project" | "ownership" | keyof ApplicationSpec>>;
}

export function typescriptFleet(options: TypeScriptFleetOptions): FleetDeclarer {
    const run = syncRunFromEnv();
    const previous = JSON.parse(process.env.SYNCWAVE_FLEET_PREVIOUS_CHILDREN ?? "{}") as Record<string, Record<string, RecordedChild>>;
    // What the CLI resolved in the preview (the update applies exactly those commits) and the strays it found.
    const resolved = JSON.parse(process.env.SYNCWAVE_REVISIONS ?? "{}") as Record<string, string | string[]>;
    const strays = JSON.parse(process.env.SYNCWAVE_STRAYS ?? "{}") as Record<string, Manifest[]>;
    const declaredNames = new Set<string>();
    const fleet: FleetDeclarer = {
        assignments: { applications: {}, parents: {}, applicationSets: {}, ...options.assignments },
        allowFleetDeletion: process.env.SYNCWAVE_ALLOW_FLEET_DELETION === "true",
        previousChildren: (parent) => previous[parent] ?? {},
        requested: (name) => run.only?.includes(name) ?? false,
        declare: (name: string, spec: ApplicationSpec, declare: DeclareOptions) => {
            if (declaredNames.has(name)) throw new SyncWaveInputError(`application ${name} is declared twice`, { application: name, file: declare.file });
            declaredNames.add(name);
            if (!declares(run, name)) return undefined;
            const project = options.projects[spec.project];
            if (!project) {
                throw new SyncWaveInputError(`names project ${spec.project}, which this program does not declare (declared: ${Object.keys(options.projects).join(", ") || "none"})`, {
                    application: name,
                    file: declare.file,
                    field: "spec.project",
                });
            }
            return new Application(
                name,
                {
                    ...options.defaults,
                    ...spec,
                    project,
                    revision: typeof resolved[name] === "string" ? resolved[name] : undefined,
                    revisions: Array.isArray(resolved[name]) ? resolved[name] : undefined,
                    origin: declare.origin,
                    after: declare.after,
                    dependsOnResolved: true,
                    measuredLive: declare.measuredLive,
                    fleet,
                    ...applicationRunSettings(run, name),
                    strays: strays[name],
                    // One registry for the whole program: a child claims its objects where its siblings do.
                    ownership: options.ownership,
                },
                { parent: declare.parent },
            );
        },
    };
    return fleet;
}
