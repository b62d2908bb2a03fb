// Where a stack's notifications are configured: `syncwave:notifications` (argocd-notifications-cm's
// data as a map, in stack configuration) or `syncwave:notificationsFile` (a ConfigMap
// argocd-notifications-cm YAML file the platform owns, relative to the Pulumi project); the secrets
// `$name` refers to in `syncwave:notificationSecrets`, which must be Pulumi secret configuration
// (argocd-notifications-secret's data). Read by the CLI, which sends; the program never sees them.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { configObject, readProjectFile, stackConfigFile, stackConfigValues } from "../fast/stack-files";
import type { StackOptions } from "../stack";
import { stackConfigJson } from "../stack-config-value";
import { openStore } from "../backend/open-store";
import { notificationsStateKey, stackRef } from "../backend/stack-keys";
import { parseNotificationsConfig, record } from "./config";
import { NotificationConfigError } from "./config-error";
import type { NotificationsConfig } from "./config-types";
import { NotificationsStateStore } from "./state-file";

export const CONFIG_KEY = "syncwave:notifications";
export const FILE_KEY = "syncwave:notificationsFile";
export const SECRETS_KEY = "syncwave:notificationSecrets";

const DATA_MAP = "must be a map of argocd-notifications-cm's keys (trigger.<name>, template.<name>, service.<type>...)";
const SECRETS_MAP = "must be a map of secret values";

export interface LoadedNotifications {
    config: NotificationsConfig;
    /** The secrets' values, to mask in every line shown. */
    secretValues: string[];
    /** The de-duplication state file (state-file.ts). */
    /** What was sent: read under the sync lock, before each dispatch; written after it. */
    state: NotificationsStateStore;
}

/** The stack's notifications, or undefined when none are configured; a configuration problem throws NotificationConfigError. */
export async function loadNotifications(options: StackOptions): Promise<LoadedNotifications | undefined> {
    const cwd = resolve(options.cwd ?? process.cwd());
    const project = readProjectFile(cwd);
    const values = stackConfigValues(stackConfigFile(cwd, project, options.stack).text);
    const inline = configObject<unknown>(values, CONFIG_KEY);
    const file = configObject<unknown>(values, FILE_KEY);
    if (inline === undefined && file === undefined) return undefined;
    if (inline !== undefined && file !== undefined) throw new NotificationConfigError(FILE_KEY, `set either ${CONFIG_KEY} or ${FILE_KEY}, not both`);
    const data = inline !== undefined ? record(CONFIG_KEY, inline, DATA_MAP) : configMapData(cwd, file);
    const secrets = await readSecrets(options, values);
    const config = parseNotificationsConfig(data, secrets);
    const store = openStore(options.env);
    if (!store) throw new NotificationConfigError(CONFIG_KEY, "notifications keep what they sent beside SyncWave's sync lock, which only a self-managed backend (file:// or s3://) has");
    return { config, secretValues: Object.values(secrets), state: new NotificationsStateStore(store, notificationsStateKey(stackRef(project.name, options.stack))) };
}

/** The data of the ConfigMap argocd-notifications-cm in the file (the only document it may hold). */
function configMapData(cwd: string, file: unknown): Record<string, unknown> {
    if (typeof file !== "string" || !file) throw new NotificationConfigError(FILE_KEY, "must be a path to a ConfigMap YAML file");
    const path = resolve(cwd, file);
    if (!existsSync(path)) throw new NotificationConfigError(FILE_KEY, `${file} does not exist`);
    const docs = parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; data?: unknown } | null).filter((d) => d !== null);
    if (docs.length !== 1 || docs[0]?.kind !== "ConfigMap" || docs[0].metadata?.name !== "argocd-notifications-cm") {
        throw new NotificationConfigError(FILE_KEY, `${file} must hold exactly one ConfigMap named argocd-notifications-cm`);
    }
    return record(`${FILE_KEY} (${file}) data`, docs[0].data ?? {}, DATA_MAP);
}

/**
 * argocd-notifications-secret's data. Every value must be encrypted in the stack's configuration
 * (`pulumi config set --secret --path 'syncwave:notificationSecrets.<name>'`): a plaintext one is
 * refused, as it would sit in the repository. Decrypted through Pulumi only when there are any.
 */
async function readSecrets(options: StackOptions, values: Record<string, unknown>): Promise<Record<string, string>> {
    const raw = values[SECRETS_KEY];
    if (raw === undefined) return {};
    // Once per process while the ciphertext is the same: a reconcile loop's rounds start no Pulumi for it.
    const key = JSON.stringify([resolve(options.cwd ?? process.cwd()), options.stack, raw]);
    let secrets = decrypted.get(key);
    if (!secrets) {
        secrets = decryptSecrets(options, raw);
        decrypted.set(key, secrets);
        secrets.catch(() => decrypted.delete(key));
    }
    return secrets;
}

const decrypted = new Map<string, Promise<Record<string, string>>>();

async function decryptSecrets(options: StackOptions, raw: unknown): Promise<Record<string, string>> {
    const isSecure = (v: unknown) => Boolean(v && typeof v === "object" && "secure" in (v as object));
    if (!isSecure(raw)) {
        for (const [name, v] of Object.entries(record(SECRETS_KEY, raw, SECRETS_MAP))) {
            if (!isSecure(v)) throw new NotificationConfigError(`${SECRETS_KEY}.${name}`, "must be a secret: pulumi config set --secret --path 'syncwave:notificationSecrets.<name>' VALUE");
        }
    }
    const parsed = await stackConfigJson(options, SECRETS_KEY).catch((err: Error) => {
        throw new NotificationConfigError(SECRETS_KEY, `could not be decrypted: ${err.message}`);
    });
    return Object.fromEntries(Object.entries(record(SECRETS_KEY, parsed ?? {}, SECRETS_MAP)).map(([k, v]) => [k, String(v)]));
}
