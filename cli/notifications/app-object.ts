// The Argo CD Application object the triggers and templates read (`.app`), built from what SyncWave
// knows of an Application: its facts from the program's report and one event. Pure. Argo CD's
// field names and values; what SyncWave cannot know (status.resources, history, conditions) is absent.
import type { NotificationFacts } from "../../components/notification-facts";
import type { ApplicationEvent } from "./events";

export function applicationObject(event: ApplicationEvent, facts: NotificationFacts, stack: string): Record<string, unknown> {
    const metadata: Record<string, unknown> = {
        name: event.application,
        // Argo CD's Applications live in its control plane's namespace; SyncWave's is the stack.
        namespace: stack,
        annotations: { ...facts.annotations },
        labels: { ...facts.labels },
    };
    if (event.type === "deleted") metadata.deletionTimestamp = event.at;
    const spec: Record<string, unknown> = { project: facts.project, destination: facts.destination };
    if (facts.source) spec.source = facts.source;
    if (facts.sources) spec.sources = facts.sources;
    const status: Record<string, unknown> = {
        sync: { status: event.syncStatus, ...(event.revision ? { revision: event.revision } : {}), ...(event.operation?.revisions ? { revisions: event.operation.revisions } : {}) },
        health: { status: event.health.status, ...(event.health.message ? { message: event.health.message } : {}), ...(event.health.lastTransitionTime ? { lastTransitionTime: event.health.lastTransitionTime } : {}) },
    };
    const op = event.operation;
    if (op) {
        status.operationState = {
            phase: op.phase,
            message: op.message ?? (op.phase === "Running" ? "syncing" : op.phase === "Succeeded" ? "successfully synced (all tasks run)" : ""),
            startedAt: op.startedAt,
            ...(op.finishedAt ? { finishedAt: op.finishedAt } : {}),
            operation: {
                sync: { revision: op.revision, ...(op.revisions ? { revisions: op.revisions } : {}) },
                initiatedBy: op.automated ? { automated: true } : { username: op.username },
                info: [{ name: "reason", value: op.reason }, ...(op.rollback ? [{ name: "rollback", value: op.rollback }] : [])],
            },
            syncResult: { revision: op.revision, ...(op.revisions ? { revisions: op.revisions } : {}), resources: op.resources, source: facts.source ?? facts.sources?.[0] ?? {} },
        };
    }
    if (event.type === "drift" && event.message) status.conditions = [{ type: "SyncWaveDrift", message: event.message, lastTransitionTime: event.at }];
    return { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata, spec, status };
}
