// Helm value files of a multi-source Application: `$<ref>/path/values.yaml` reads `path/values.yaml` from
// the checkout of the source whose `ref` is `<ref>`, and never anything outside that checkout; every
// other value file is the chart's own (helm-values.ts). As Argo CD's reposerver/repository/repository.go
// (resolveReferencedSources, getResolvedRefValueFile).
import { CheckoutPathError, realCheckoutRoot, resolveValueFile } from "./checkout-paths";
import { resolveValueFiles, type ResolvedValueFile } from "./helm-values";

/** Checkouts of the Application's `ref` sources, by ref name (without the `$`). */
export type RefCheckouts = Readonly<Record<string, string>>;

/** `$name/rest` split, or undefined when the value file names no ref. */
export function refOf(file: string): { name: string; rest: string } | undefined {
    if (!file.startsWith("$")) return undefined;
    const slash = file.indexOf("/");
    return slash < 0 ? { name: file.slice(1), rest: "" } : { name: file.slice(1, slash), rest: file.slice(slash + 1) };
}

function resolveRefFile(file: string, refs: RefCheckouts): ResolvedValueFile {
    const { name, rest } = refOf(file)!;
    const checkout = Object.hasOwn(refs, name) ? refs[name] : undefined;
    if (checkout === undefined) {
        const known = Object.keys(refs);
        throw new CheckoutPathError(
            file,
            known.length === 0 ? `value file names $${name}, but no source has a 'ref' field` : `value file names $${name}, which is not one of the ref sources (${known.map((k) => `$${k}`).join(", ")})`,
        );
    }
    if (rest.replace(/\/+$/, "") === "") throw new CheckoutPathError(file, `value file names the ref source $${name} but no file in it ($${name}/path/values.yaml)`);
    const root = realCheckoutRoot(checkout);
    // Relative to the ref's checkout root; an absolute rest is also read as relative to that root.
    const path = resolveValueFile(root, root, rest);
    if (path === undefined) throw new CheckoutPathError(file, `value file does not exist in the checkout of ref source $${name}`);
    return { file, path };
}

/** Every value file resolved in order: `$ref/...` in its ref's checkout, the others as helm-values.ts does. */
export function resolveValueFilesWithRefs(
    root: string,
    chartDir: string,
    files: readonly string[],
    refs: RefCheckouts | undefined,
    options: { ignoreMissing?: boolean } = {},
): ResolvedValueFile[] {
    const resolved: ResolvedValueFile[] = [];
    for (const file of files) {
        // ignoreMissingValueFiles leaves out a missing file, never one that names an unknown ref or leaves its checkout.
        const found = refs !== undefined && refOf(file) ? [resolveRefFile(file, refs)] : resolveValueFiles(root, chartDir, [file], options);
        for (const f of found) if (!resolved.some((r) => r.path === f.path)) resolved.push(f);
    }
    return resolved;
}
