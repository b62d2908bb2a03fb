// What decides a sync's result, as one digest per Application: SyncWave's own code, the project and
// stack configuration, the Projects and Applications as declared (the platform's files and the Argo CD
// manifests, read as the program reads them), the destination's kubeconfig, the policy packs and their
// configuration, the kind of sync, and the commit of every source. A completed sync records it (the
// SyncResult); `syncwave sync` may answer "in sync" without an update only when the digest it computes
// now is the one recorded, and the live objects match (see in-sync.ts).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const PACKAGE_ROOT = resolve(__dirname, "../..");
/** The files of SyncWave that the program, its providers and the policy pack run. */
const CODE = ["index.ts", "program.js", "package.json", "package-lock.json", "Pulumi.yaml", "cli/bin/require-ts.js", "components", "policies"];

function filesUnder(path: string): string[] {
    if (!existsSync(path)) return [];
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path, { withFileTypes: true })
        .filter((d) => d.name !== "node_modules" && !d.name.startsWith("."))
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap((d) => filesUnder(join(path, d.name)));
}

function hashFiles(hash: ReturnType<typeof createHash>, root: string, paths: readonly string[]): void {
    for (const p of paths) {
        for (const file of filesUnder(resolve(root, p))) {
            hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
        }
    }
}

let codeDigest: string | undefined;
/** SyncWave's version: a digest of its code (a changed rule or provider must never look "in sync"). */
export function syncwaveCodeDigest(): string {
    if (codeDigest) return codeDigest;
    const hash = createHash("sha256");
    hashFiles(hash, PACKAGE_ROOT, CODE);
    return (codeDigest = hash.digest("hex"));
}

export interface StackInputs {
    /** Pulumi.yaml and the stack's configuration file, as text (secure values as their ciphertext). */
    projectText: string;
    stackConfigText: string;
    /** The Projects and Applications as the program reads them (platform files and manifests included). */
    declarations: unknown;
    /** The destination kubeconfig's text (the default cluster is this process's KUBECONFIG). */
    kubeconfigText: string;
    /** Policy pack folders and configuration files given to the sync. */
    policyPacks: readonly string[];
    policyPackConfigs: readonly string[];
    /** automated or manual; an explicit prune is never fast-pathed, so it is not here. */
    syncKind: string;
}

/** The stack-wide part of every Application's digest. */
export function stackDigest(inputs: StackInputs): string {
    const hash = createHash("sha256");
    hash.update(syncwaveCodeDigest()).update("\0");
    hash.update(inputs.projectText).update("\0").update(inputs.stackConfigText).update("\0");
    hash.update(JSON.stringify(inputs.declarations)).update("\0");
    hash.update(inputs.kubeconfigText).update("\0").update(inputs.syncKind).update("\0");
    for (const pack of inputs.policyPacks) hashFiles(hash.update(`pack:${pack}\0`), resolve(pack), ["."]);
    for (const config of inputs.policyPackConfigs) hash.update(`config:${config}\0`).update(existsSync(config) ? readFileSync(config) : "(missing)");
    return hash.digest("hex");
}

/** One Application's digest: the stack's, its name and the commit (or chart version) of each source. */
export function applicationDigest(stack: string, application: string, revisions: readonly string[]): string {
    return createHash("sha256").update(stack).update("\0").update(application).update("\0").update(revisions.join(",")).digest("hex");
}

/** The kubeconfig text this process connects with (KUBECONFIG's files, or ~/.kube/config). */
export function kubeconfigText(env: Record<string, string | undefined> = process.env): string {
    const files = (env.KUBECONFIG ?? join(env.HOME ?? "", ".kube", "config")).split(":").filter(Boolean);
    return files.map((f) => `${f}\0${existsSync(f) ? readFileSync(f, "utf8") : ""}`).join("\0");
}
