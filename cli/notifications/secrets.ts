// `$name` references in a service's options, resolved from argocd-notifications-secret's data, which
// SyncWave takes from Pulumi secret stack configuration. As in Argo CD (notifications-engine
// pkg/api/config.go replaceStringSecret), every `$name` in a string is replaced (`Bearer $token`
// too). Argo CD keeps a reference to a missing key as it is, with a log warning; SyncWave refuses it,
// since the literal `$name` would be sent as a credential.
import { NotificationConfigError } from "./config-error";

// Argo CD's keyPattern (pkg/api/config.go): `$` then word characters and dashes.
const REFERENCE = /\$([A-Za-z0-9_-]+)/g;

export function resolveSecretRefs(key: string, options: Record<string, unknown>, secrets: Record<string, string>): Record<string, unknown> {
    const resolve = (value: unknown, path: string): unknown => {
        if (typeof value === "string") {
            return value.replace(REFERENCE, (_, name: string) => {
                const secret = secrets[name];
                if (secret === undefined) throw new NotificationConfigError(path, `refers to secret $${name}, which syncwave:notificationSecrets does not hold`);
                return secret;
            });
        }
        if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${path}[${i}]`));
        if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, `${path}.${k}`)]));
        return value;
    };
    return resolve(options, key) as Record<string, unknown>;
}

/** Every secret value, for masking anything a service echoes back (an error body, a URL). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
    let masked = text;
    for (const s of secrets) if (s.length >= 4) masked = masked.split(s).join("[secret]");
    return masked;
}
