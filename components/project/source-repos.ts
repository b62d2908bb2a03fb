// Whether a project's sourceRepos admit a repository URL (argo-cd
// pkg/apis/application/v1alpha1/app_project_types.go, IsSourcePermitted). Both sides are normalised
// (repo-url.ts) and matched with `/` as the glob separator: `https://host/team/*` admits
// `https://host/team/app` but not `https://host/team/nested/app`, which needs `team/**`. A bare `*`
// admits everything, as Argo CD special-cases it.
//
// The decision is the one Argo CD documents (user-guide/projects.md): some entry without `!` admits
// the repository and no `!` entry denies it. Argo CD's code also lets a `!` entry that does not match
// admit the repository, so `["https://host/a/*", "!https://host/a/b"]` would admit any repository
// at all (argo-cd issue #21264): SyncWave does not. A `!` entry also denies the same host and path
// over another transport (`git@host:a/b.git` for `!https://host/a/b`), which Argo CD does not.
import { globMatch } from "./glob";
import { normalizeRepoURL, repoIdentity } from "./repo-url";

export interface SourceRepoVerdict {
    allowed: boolean;
    /** The entry that admitted or denied the repository. */
    by?: string;
}

function matches(pattern: string, url: string): boolean {
    return pattern === "*" || globMatch(pattern, url, "/");
}

function denies(entry: string, url: string, identity: string | undefined): boolean {
    const pattern = normalizeRepoURL(entry.slice(1));
    if (matches(pattern, url)) return true;
    const patternIdentity = repoIdentity(pattern);
    return identity !== undefined && patternIdentity !== undefined && globMatch(patternIdentity, identity, "/");
}

export function sourceRepoVerdict(sourceRepos: readonly string[], repoURL: string): SourceRepoVerdict {
    const url = normalizeRepoURL(repoURL);
    const identity = repoIdentity(url);
    const deny = sourceRepos.find((entry) => entry.startsWith("!") && denies(entry, url, identity));
    if (deny) return { allowed: false, by: deny };
    const allow = sourceRepos.find((entry) => !entry.startsWith("!") && matches(normalizeRepoURL(entry), url));
    return allow ? { allowed: true, by: allow } : { allowed: false };
}
