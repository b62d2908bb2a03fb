// The few operations SyncWave needs of the store that holds a stack's state (a folder or an S3
// bucket): read, write, create only when absent (the lock), list a folder, remove. Keys are the
// backend's own slash paths (".pulumi/locks/organization/proj/dev/<id>.json").
export interface BlobStore {
    /** Where it is, for messages: "file:///…" or "s3://bucket/prefix". */
    readonly description: string;
    /** The object's bytes, or undefined when it does not exist. */
    read(key: string): Promise<Buffer | undefined>;
    write(key: string, data: string | Buffer): Promise<void>;
    /** Writes only when no object has the key (atomically, for a lock); false when one does. */
    create(key: string, data: string): Promise<boolean>;
    /** The keys directly or indirectly under a folder key ending in "/". */
    list(folder: string): Promise<string[]>;
    /** Removes the object; one that does not exist is not an error. */
    remove(key: string): Promise<void>;
}
