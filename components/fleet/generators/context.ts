// What every generator works with while one ApplicationSet generates.
import type { FleetCluster } from "../fleet-clusters";
import type { TemplateOptions } from "../template/render";
import { listDirectories, listFiles } from "./repository-tree";
import type { SpecChecker } from "./spec-checker";

export interface Checkout {
    dir: string;
    commit: string;
}

export interface GenerationContext {
    check: SpecChecker;
    template: TemplateOptions;
    clusters: FleetCluster[];
    /** The revision checked out, once per repository and revision however often a matrix asks. */
    checkout(repoURL: string, revision: string): Promise<Checkout>;
    directories(dir: string): Promise<string[]>;
    files(dir: string): Promise<string[]>;
}

export function generationContext(
    check: SpecChecker,
    template: TemplateOptions,
    io: { clusters: FleetCluster[]; checkout: (repoURL: string, revision: string) => Promise<Checkout> },
): GenerationContext {
    const checkouts = new Map<string, Promise<Checkout>>();
    const listings = new Map<string, Promise<string[]>>();
    const once = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
        let found = cache.get(key);
        if (!found) {
            found = load();
            cache.set(key, found);
        }
        return found;
    };
    return {
        check,
        template,
        clusters: io.clusters,
        checkout: (repoURL, revision) => once(checkouts, JSON.stringify([repoURL, revision]), () => io.checkout(repoURL, revision)),
        directories: (dir) => once(listings, `directories:${dir}`, () => listDirectories(dir)),
        files: (dir) => once(listings, `files:${dir}`, () => listFiles(dir)),
    };
}
