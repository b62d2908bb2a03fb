// Argo CD's build environment and its substitution (pkg/apis/application/v1alpha1/types.go `Env.Envsubst`,
// reposerver/repository/repository.go `newEnv`). Argo CD substitutes it into Helm parameter values,
// value file and file parameter paths, Kustomize images and common labels (and common annotations when
// asked): `$VAR` and `${VAR}` become the variable's value, an unknown variable becomes "", `$$` is `$`.

/** What an Application's build environment is made from. */
export interface BuildContext {
    application: string;
    /** The destination namespace. */
    namespace?: string;
    project?: string;
    /** The commit being rendered. */
    revision?: string;
    repoURL?: string;
    /** `source.path` as written. */
    path?: string;
    targetRevision?: string;
}

export type BuildEnv = Record<string, string>;

export function buildEnv(context: BuildContext): BuildEnv {
    const revision = context.revision ?? "";
    return {
        ARGOCD_APP_NAME: context.application,
        ARGOCD_APP_NAMESPACE: context.namespace ?? "",
        ARGOCD_APP_PROJECT_NAME: context.project ?? "",
        ARGOCD_APP_REVISION: revision,
        ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
        ARGOCD_APP_REVISION_SHORT_8: revision.slice(0, 8),
        ARGOCD_APP_SOURCE_REPO_URL: context.repoURL ?? "",
        ARGOCD_APP_SOURCE_PATH: context.path ?? "",
        ARGOCD_APP_SOURCE_TARGET_REVISION: context.targetRevision ?? "",
    };
}

const SHELL_SPECIAL = new Set("*#$@!?-0123456789");
const isAlphaNum = (c: string) => /^[A-Za-z0-9_]$/.test(c);

/** Go's os.getShellName: the variable name after a `$` and how many characters it spans. */
function shellName(s: string): [string, number] {
    if (s[0] === "{") {
        if (s.length > 2 && SHELL_SPECIAL.has(s[1]) && s[2] === "}") return [s[1], 3];
        for (let i = 1; i < s.length; i++) {
            if (s[i] === "}") return i === 1 ? ["", 2] : [s.slice(1, i), i + 1];
        }
        return ["", 1];
    }
    if (SHELL_SPECIAL.has(s[0])) return [s[0], 1];
    let i = 0;
    while (i < s.length && isAlphaNum(s[i])) i++;
    return [s.slice(0, i), i];
}

/** A port of Go's os.Expand with Argo CD's mapping (`$$` stays `$`, unknown names are empty). */
export function envsubst(text: string, env: BuildEnv): string {
    let out = "";
    let start = 0;
    for (let j = 0; j < text.length; j++) {
        if (text[j] !== "$" || j + 1 >= text.length) continue;
        out += text.slice(start, j);
        const [name, width] = shellName(text.slice(j + 1));
        if (name === "" && width > 0) {
            // Bad syntax (`${`, `${}`): Go eats it.
        } else if (name === "") {
            out += "$";
        } else {
            out += name === "$" ? "$" : (env[name] ?? "");
        }
        j += width;
        start = j + 1;
    }
    return start === 0 && out === "" ? text : out + text.slice(start);
}
