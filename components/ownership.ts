// Every live object is owned by exactly one Application of the stack: the first claim wins and a
// second one is refused, naming both Applications.
import { SyncWaveInputError } from "./sync/errors";
import { isDefaultCluster } from "./cluster/connection-ref";

export class OwnershipRegistry {
    private readonly owners = new Map<string, { application: string; file: string }>();

    /** `cluster` keeps two clusters' objects of the same name apart (an ApplicationSet across clusters). */
    claim(application: string, id: string, resource: string, file: string, cluster = ""): void {
        const key = `${clusterKey(cluster)}\u0000${id}`;
        const owner = this.owners.get(key);
        if (owner && owner.application !== application) {
            throw new SyncWaveInputError(`${resource} is also declared by application ${owner.application} (${owner.file}); a resource belongs to one application`, {
                application,
                file,
                resource,
            });
        }
        this.owners.set(key, { application, file });
    }

    private readonly pending = new Set<string>();
    private readonly waiting: (() => void)[] = [];

    /** An Application that will claim (called before its first await, so every one is known in time). */
    expect(application: string): void {
        this.pending.add(application);
    }

    /** The Application has claimed all it declares, or failed. */
    settle(application: string): void {
        this.pending.delete(application);
        if (this.pending.size === 0) for (const wake of this.waiting.splice(0)) wake();
    }

    /**
     * Ids every other Application of this run declares, once all have claimed: an object that moved to
     * a sibling is the sibling's now, and the Application it left must neither prune nor report it.
     */
    async claimedByOthers(application: string, cluster = ""): Promise<string[]> {
        if (this.pending.size > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
        const prefix = `${clusterKey(cluster)}\u0000`;
        return [...this.owners.entries()].filter(([key, o]) => o.application !== application && key.startsWith(prefix)).map(([key]) => key.slice(prefix.length));
    }
}

/** The default cluster has two names (in-cluster, https://kubernetes.default.svc): one key for both. */
function clusterKey(cluster: string): string {
    return cluster === "" || isDefaultCluster({ cluster }) ? "" : cluster;
}
