// What the policies see of a stack: its Projects, Applications, managed objects and hooks, read from
// the resources the engine hands a stack policy. Pure, so every rule is tested without the engine.
import type { ApplicationDestination, IgnoreDifference, SyncPolicy } from "../components/application-spec";
import type { ProjectSpec } from "../components/project/project-spec";
import type { Manifest } from "../components/sync/manifest";
import { apiGroup } from "../components/sync/manifest";

/** The part of @pulumi/policy's PolicyResource the rules read. */
export interface ResourceLike {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    parent?: ResourceLike;
}

export interface AppView {
    name: string;
    /** The project the program says; the policy configuration decides which one applies. */
    declaredProject?: string;
    repoURL?: string;
    destination: ApplicationDestination;
    syncPolicy: SyncPolicy;
    ignoreDifferences: IgnoreDifference[];
}

export interface ObjectView {
    application: string;
    manifest: Manifest;
    group: string;
    /** A hook's object (run by a Hook resource) rather than a managed one. */
    hook: boolean;
}

export interface StackView {
    projects: { name: string; spec: ProjectSpec }[];
    applications: AppView[];
    objects: ObjectView[];
}

const APPLICATION_TYPE = "syncwave:index:Application";
// The record's inputs are known in previews too, unlike a component's outputs.
const RECORD_TYPE = "syncwave:ApplicationRecord";
const PROJECT_TYPE = "syncwave:index:Project";

function applicationOf(r: ResourceLike): string | undefined {
    for (let p = r.parent; p; p = p.parent) if (p.type === APPLICATION_TYPE) return p.name;
    return undefined;
}

export function stackView(resources: readonly ResourceLike[]): StackView {
    const view: StackView = { projects: [], applications: [], objects: [] };
    for (const r of resources) {
        const props = r.props ?? {};
        if (r.type === PROJECT_TYPE) {
            view.projects.push({ name: r.name, spec: props as ProjectSpec });
        } else if (r.type.endsWith(RECORD_TYPE)) {
            view.applications.push({
                name: props.application as string,
                declaredProject: props.project as string | undefined,
                repoURL: props.repoURL as string | undefined,
                destination: (props.destination as ApplicationDestination | undefined) ?? {},
                syncPolicy: (props.syncPolicy as SyncPolicy | undefined) ?? {},
                ignoreDifferences: (props.ignoreDifferences as IgnoreDifference[] | undefined) ?? [],
            });
        } else if (r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && props.kind) {
            const application = applicationOf(r);
            if (!application) continue;
            const manifest = props as unknown as Manifest;
            view.objects.push({ application, manifest, group: apiGroup(manifest.apiVersion), hook: false });
        } else if (r.type.endsWith("syncwave:Hook") && props.manifest) {
            const application = applicationOf(r);
            if (!application) continue;
            const manifest = props.manifest as Manifest;
            view.objects.push({ application, manifest, group: apiGroup(manifest.apiVersion), hook: true });
        }
    }
    return view;
}
