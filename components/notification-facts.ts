// What the CLI's Argo CD Notifications need to know of an Application, from the program's report
// (components/report.ts): the subscription annotations of the Application and of its AppProject, its
// labels (global subscriptions select on them) and the spec fields templates read as `.app.spec`.
import type { ApplicationDestination, ApplicationSource, ApplicationSpec } from "./application-spec";
import { shownURL } from "./source/http-get";

export const NOTIFICATIONS_ANNOTATION_PREFIX = "notifications.argoproj.io/";

export interface NotificationFacts {
    project: string;
    /** The Application's notifications.argoproj.io/ annotations. */
    annotations: Record<string, string>;
    /** Its AppProject's notifications.argoproj.io/ annotations (they subscribe every Application of it). */
    projectAnnotations: Record<string, string>;
    labels: Record<string, string>;
    source?: ApplicationSource;
    sources?: ApplicationSource[];
    destination: ApplicationDestination;
}

export function notificationAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => k.startsWith(NOTIFICATIONS_ANNOTATION_PREFIX)));
}

/**
 * Only the fields a template may show of each source; an https URL's user part goes (a token written
 * as `https://TOKEN@host/...` is a credential, and templates send repoURL to receivers).
 */
function shownSource(s: ApplicationSource): ApplicationSource {
    return { repoURL: /^https?:\/\//i.test(s.repoURL) ? shownURL(s.repoURL) : s.repoURL, ...(s.path ? { path: s.path } : {}), ...(s.targetRevision ? { targetRevision: s.targetRevision } : {}), ...(s.chart ? { chart: s.chart } : {}), ...(s.ref ? { ref: s.ref } : {}), ...(s.name ? { name: s.name } : {}) };
}

export function notificationFacts(spec: Omit<ApplicationSpec, "project"> & { project: string; projectAnnotations?: Record<string, string> }): NotificationFacts {
    return {
        project: spec.project,
        annotations: notificationAnnotations(spec.annotations),
        projectAnnotations: notificationAnnotations(spec.projectAnnotations),
        labels: { ...(spec.labels ?? {}) },
        ...(spec.source ? { source: shownSource(spec.source) } : {}),
        ...(spec.sources ? { sources: spec.sources.map(shownSource) } : {}),
        destination: { ...(spec.destination ?? {}) },
    };
}
