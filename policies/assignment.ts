// Which Project governs an Application in the policy pack: the one the Application names, provided
// the platform's configuration assigns it to that Application (or to its parent, or to its
// ApplicationSet) and defines it. Anything else is a finding, never a silent substitution: the pack
// must not judge an Application by rules it does not run under.
import { checkProjectAssignment, type ProjectAssignments } from "../components/platform/assignments";
import type { ProjectSpec } from "../components/project/project-spec";
import type { Finding } from "./rules";
import type { AppView } from "./stack-view";

export interface BoundariesConfig {
    /** The platform team's Projects, whatever the program declares. */
    projects: Record<string, ProjectSpec>;
    /** Application → the Project (or Projects) it may name. */
    applications: Record<string, string | string[]>;
    /** Parent Application → the Projects its child Applications may name. */
    parents?: Record<string, string | string[]>;
    /** ApplicationSet → the Projects the Applications it generates may name. */
    applicationSets?: Record<string, string | string[]>;
}

const CONFIG_PREFIX = "project-boundaries";

/** A malformed entry allows nothing (fail closed) rather than failing the whole pack. */
function lists(raw: Record<string, string | string[]> | undefined): Record<string, string[]> {
    return Object.fromEntries(
        Object.entries(raw ?? {}).map(([name, value]) => [name, (Array.isArray(value) ? value : [value]).filter((p): p is string => typeof p === "string")]),
    );
}

export function configAssignments(config: BoundariesConfig): ProjectAssignments {
    return { applications: lists(config.applications), parents: lists(config.parents), applicationSets: lists(config.applicationSets) };
}

export type Governing = { project: string; spec: ProjectSpec } | { finding: Finding };

export function governingProject(app: AppView, config: BoundariesConfig): Governing {
    const violation = checkProjectAssignment(
        configAssignments(config),
        { name: app.name, project: app.declaredProject, parent: app.parent, applicationSet: app.applicationSet },
        CONFIG_PREFIX,
    );
    if (violation) {
        return {
            finding: {
                rule: violation.rule,
                application: app.name,
                field: "project",
                message: violation.message,
                allowed: violation.allowed.length ? `projects ${violation.allowed.join(", ")}` : "none: the platform must assign a project first",
            },
        };
    }
    const project = app.declaredProject as string;
    const spec = config.projects[project];
    if (!spec) {
        return {
            finding: {
                rule: "project-assignment",
                application: app.name,
                field: "project",
                message: `project ${project} is assigned but not defined in the policy configuration (${CONFIG_PREFIX}.projects)`,
                allowed: `projects ${Object.keys(config.projects).join(", ") || "(none)"}`,
            },
        };
    }
    return { project, spec };
}
