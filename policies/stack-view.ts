// What the policies see of a stack: its Projects, Applications, managed objects and hooks, read from
// the resources the engine hands a stack policy, and the Kubernetes resources no Application owns.
// Pure, so every rule is tested without the engine.
import type { ApplicationDestination, IgnoreDifference, SyncPolicy } from "../components/application-spec";
import type { ProjectSpec } from "../components/project/project-spec";
import type { Manifest } from "../components/sync/manifest";
import { apiGroup } from "../components/sync/manifest";
import { TRACKING_ID } from "../components/sync/tracking";

/** The part of @pulumi/policy's PolicyResource the rules read. */
export interface ResourceLike {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    parent?: ResourceLike;
}

export type KindScope = "Cluster" | "Namespaced";

export interface AppView {
    name: string;
    /** The project the Application names; it must be one the policy configuration assigns to it. */
    declaredProject?: string;
    /** The parent Application that rendered this one (app of apps), if any. */
    parent?: string;
    /** The ApplicationSet that generated this one, if any. */
    applicationSet?: string;
    /** Each kind's scope by "group/Kind" (group "" for core), from the destination's API discovery. */
    kindScopes: Record<string, KindScope>;
    repoURL?: string;
    /** Every source's repository, for an Application with several sources (the first is repoURL). */
    repoURLs?: string[];
    destination: ApplicationDestination;
    /** The cluster its objects go to (the record's cluster reference; the default cluster under one name). */
    cluster: string;
    syncPolicy: SyncPolicy;
    ignoreDifferences: IgnoreDifference[];
}

export interface ObjectView {
    application: string;
    manifest: Manifest;
    group: string;
    /** A hook's object (run by a Hook resource) rather than a managed one. */
    hook: boolean;
    /**
     * The destination namespace CreateNamespace=true creates: not tracked by the Application (Argo CD
     * does not track it either), so several Applications may create the same one.
     */
    createdNamespace?: boolean;
}

/** A Kubernetes resource outside every Application, which nothing confines. */
export interface UnownedView {
    type: string;
    name: string;
    /** Whether it is a Kubernetes provider (one that is not an Application's destination provider). */
    provider: boolean;
}

export interface StackView {
    projects: { name: string; spec: ProjectSpec }[];
    applications: AppView[];
    objects: ObjectView[];
    unowned: UnownedView[];
}

const APPLICATION_TYPE = "syncwave:index:Application";
// The record's inputs are known in previews too, unlike a component's outputs.
const RECORD_TYPE = "syncwave:ApplicationRecord";
const PROJECT_TYPE = "syncwave:index:Project";
const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

function applicationOf(r: ResourceLike): string | undefined {
    for (let p = r.parent; p; p = p.parent) if (p.type === APPLICATION_TYPE) return p.name;
    return undefined;
}

/** Only well-formed entries count: anything else leaves the kind unknown, which fails closed. */
function kindScopesOf(value: unknown): Record<string, KindScope> {
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, KindScope] => e[1] === "Cluster" || e[1] === "Namespaced"));
}

const DEFAULT_CLUSTER = "https://kubernetes.default.svc";

/** The record's cluster reference, else its destination; `in-cluster` and the default URL are one cluster. */
function clusterOf(props: Record<string, unknown>): string {
    const ref = (props.cluster as { cluster?: unknown } | undefined)?.cluster;
    const destination = (props.destination as ApplicationDestination | undefined) ?? {};
    const id = typeof ref === "string" && ref ? ref : (destination.server ?? destination.name ?? DEFAULT_CLUSTER);
    return id === "in-cluster" ? DEFAULT_CLUSTER : id;
}

function optionalString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

export function stackView(resources: readonly ResourceLike[]): StackView {
    const view: StackView = { projects: [], applications: [], objects: [], unowned: [] };
    for (const r of resources) {
        const props = r.props ?? {};
        if (r.type === PROJECT_TYPE) {
            view.projects.push({ name: r.name, spec: props as ProjectSpec });
        } else if (r.type.endsWith(RECORD_TYPE)) {
            view.applications.push({
                name: props.application as string,
                declaredProject: optionalString(props.project),
                parent: optionalString(props.parent),
                applicationSet: optionalString(props.applicationSet),
                kindScopes: kindScopesOf(props.kindScopes),
                repoURL: props.repoURL as string | undefined,
                repoURLs: Array.isArray(props.sources) ? (props.sources as { repoURL?: unknown }[]).map((x) => String(x?.repoURL ?? "")) : undefined,
                destination: (props.destination as ApplicationDestination | undefined) ?? {},
                cluster: clusterOf(props),
                syncPolicy: (props.syncPolicy as SyncPolicy | undefined) ?? {},
                ignoreDifferences: (props.ignoreDifferences as IgnoreDifference[] | undefined) ?? [],
            });
        } else if (r.type === KUBERNETES_PROVIDER_TYPE) {
            // An Application's own destination provider is its child; any other could reach any cluster.
            if (r.parent?.type !== APPLICATION_TYPE) view.unowned.push({ type: r.type, name: r.name, provider: true });
        } else if (r.type.startsWith("kubernetes:")) {
            const application = applicationOf(r);
            if (!application) {
                view.unowned.push({ type: r.type, name: r.name, provider: false });
            } else if (!r.type.startsWith("kubernetes:helm") && props.kind) {
                const manifest = props as unknown as Manifest;
                const createdNamespace = manifest.kind === "Namespace" && apiGroup(manifest.apiVersion) === "" && !manifest.metadata?.annotations?.[TRACKING_ID];
                view.objects.push({ application, manifest, group: apiGroup(manifest.apiVersion), hook: false, ...(createdNamespace ? { createdNamespace } : {}) });
            }
        } else if (r.type.endsWith("syncwave:Hook") && props.manifest) {
            const application = applicationOf(r);
            // A hook creates its Job or Pod through the API: outside an Application nothing would confine it.
            if (!application) {
                view.unowned.push({ type: r.type, name: r.name, provider: false });
                continue;
            }
            const manifest = props.manifest as Manifest;
            view.objects.push({ application, manifest, group: apiGroup(manifest.apiVersion), hook: true });
        }
    }
    return view;
}
