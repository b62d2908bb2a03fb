// Which repository credentials apply to a repoURL: the entry whose URL prefix is the longest match,
// both sides normalised as Argo CD normalises them (argo-cd util/db/repository_secrets.go,
// getRepositoryCredentialIndex; util/git/git.go, NormalizeGitURL).
// Argo CD matches a plain string prefix; SyncWave is deliberately stricter and only matches on a path boundary.
// So credentials for `https://git.example.com` never go to `https://git.example.com.evil.io/x`, and
// credentials for `https://git.example.com/team` never go to `https://git.example.com/team-other/x`.
import { normalizeRepoURL } from "../project/repo-url";

/** Whether the normalised `url` is the normalised `prefix` or lies below it. */
function underPrefix(url: string, prefix: string): boolean {
    if (prefix === "") return false;
    return url === prefix || url.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
}

/** The credentials registered for the longest URL prefix of `repoURL`, if any. */
export function credentialsFor<T>(repoURL: string, table: Readonly<Record<string, T>> | undefined): T | undefined {
    const url = normalizeRepoURL(repoURL);
    let best: { length: number; value: T } | undefined;
    for (const [prefix, value] of Object.entries(table ?? {})) {
        const normalized = normalizeRepoURL(prefix);
        // On equal lengths the first entry wins, as in Argo CD.
        if (underPrefix(url, normalized) && (!best || normalized.length > best.length)) best = { length: normalized.length, value };
    }
    return best?.value;
}
