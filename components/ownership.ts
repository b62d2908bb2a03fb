// Every live object is owned by exactly one Application of the stack: the first claim wins and a
// second one is refused, naming both Applications.
import { SyncWaveInputError } from "./sync/errors";

export class OwnershipRegistry {
    private readonly owners = new Map<string, { application: string; file: string }>();

    claim(application: string, id: string, resource: string, file: string): void {
        const owner = this.owners.get(id);
        if (owner && owner.application !== application) {
            throw new SyncWaveInputError(`${resource} is also declared by application ${owner.application} (${owner.file}); a resource belongs to one application`, {
                application,
                file,
                resource,
            });
        }
        this.owners.set(id, { application, file });
    }
}
