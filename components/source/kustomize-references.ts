// What a kustomization reads beyond its own folder. `kubectl kustomize` refuses a *file* outside a
// kustomization's folder (its default load restrictor), but loads any *directory* named in resources,
// bases, components, generators, transformers or validators as another kustomization, wherever it is,
// and clones `file://` repositories from the host. Argo CD leans on unguessable, unlistable checkout
// folders for that; SyncWave's checkouts have predictable names in a shared cache, so every local
// reference is followed here and must stay inside the Application's checkout.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { parse } from "yaml";
import { CheckoutPathError, isWithin, realPathWithin } from "./checkout-paths";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** The kustomization file of a folder, if it has one. */
export function kustomizationFile(dir: string): string | undefined {
    return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

// Fields of sigs.k8s.io/kustomize api/types/kustomization.go that name files or folders.
const PATH_LISTS = ["resources", "bases", "components", "crds", "configurations", "generators", "transformers", "validators", "patchesStrategicMerge"];
const PATH_OBJECTS = ["patches", "patchesJson6902", "replacements"];
const GENERATORS = ["configMapGenerator", "secretGenerator"];

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function objects(value: unknown): Record<string, unknown>[] {
    return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === "object") : [];
}

/** Every path a kustomization names; inline content (a patch written out in place) is not a path. */
export function referencedPaths(kustomization: Record<string, unknown>): string[] {
    const paths: string[] = [];
    for (const key of PATH_LISTS) paths.push(...strings(kustomization[key]));
    for (const key of PATH_OBJECTS) paths.push(...objects(kustomization[key]).flatMap((o) => strings([o.path])));
    for (const key of GENERATORS) {
        for (const generator of objects(kustomization[key])) {
            // `files` entries may be `key=path`.
            paths.push(...strings(generator.files).map((f) => f.slice(f.indexOf("=") + 1)));
            paths.push(...strings(generator.envs), ...strings([generator.env]));
        }
    }
    const openapi = kustomization.openapi as Record<string, unknown> | undefined;
    paths.push(...strings([openapi?.path]));
    return paths.filter((p) => p !== "" && !p.includes("\n"));
}

/**
 * Refuses a kustomization (in `dir`, a real path inside `root`) that reaches outside `root`, following
 * every local kustomization it loads. The error names the kustomization file, relative to the root.
 */
export function assertKustomizationInside(root: string, dir: string, seen = new Set<string>()): void {
    if (seen.has(dir)) return;
    seen.add(dir);
    const file = kustomizationFile(dir);
    if (!file) return;
    const name = relative(root, file);
    let kustomization: unknown;
    try {
        kustomization = parse(readFileSync(file, "utf8"));
    } catch {
        // Malformed: kustomize itself reports it, with its own message, and reads nothing.
        return;
    }
    if (!kustomization || typeof kustomization !== "object") return;
    for (const ref of referencedPaths(kustomization as Record<string, unknown>)) {
        if (/^file:/i.test(ref)) throw new CheckoutPathError(name, `names ${ref}: a repository on this machine, outside the checkout`);
        const target = isAbsolute(ref) ? ref : join(dir, ref);
        // Anything else with a scheme or host (https://, git@host:) lands inside the folder here, finds
        // nothing, and is left to kustomize as a remote.
        if (!isWithin(root, target)) throw new CheckoutPathError(name, `names ${ref}, outside the checkout`);
        const real = realPathWithin(root, target, name);
        if (real && statSync(real).isDirectory()) assertKustomizationInside(root, real, seen);
    }
}
