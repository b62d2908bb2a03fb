// Where a stack's files are in a self-managed backend (the same layout in a folder and a bucket):
// Pulumi's own (pkg/backend/diy: locks under .pulumi/locks/<org>/<project>/<stack>/, the project-scoped
// checkpoint under .pulumi/stacks/<project>/<stack>.json, history and backups beside it) and
// SyncWave's, kept next to them so every runner that shares the backend shares them too.
export interface StackRef {
    organization: string;
    project: string;
    stack: string;
}

/** "dev", "org/dev" and "org/project/dev" of a project: the diy backend's organization is "organization" unless one is named. */
export function stackRef(project: string, stack: string): StackRef {
    const parts = stack.split("/");
    return { organization: parts.length > 1 ? parts[0] : "organization", project, stack: parts[parts.length - 1] };
}

export const pulumiLockFolder = (s: StackRef) => `.pulumi/locks/${s.organization}/${s.project}/${s.stack}/`;
export const syncLockKey = (s: StackRef) => `.pulumi/syncwave-locks/${s.organization}/${s.project}/${s.stack}.json`;
export const notificationsStateKey = (s: StackRef) => `.pulumi/syncwave-locks/${s.organization}/${s.project}/${s.stack}.notifications.json`;
export const checkpointKeys = (s: StackRef) => [`.pulumi/stacks/${s.project}/${s.stack}.json`, `.pulumi/stacks/${s.project}/${s.stack}.json.gz`];
export const historyFolder = (s: StackRef) => `.pulumi/history/${s.project}/${s.stack}/`;
export const backupsFolder = (s: StackRef) => `.pulumi/backups/${s.project}/${s.stack}/`;
