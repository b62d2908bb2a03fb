// A file:// backend's folder as a BlobStore. `create` links a finished file to the name, failing when
// it exists: the lock's atomicity on one file system, with no instant where it is empty; `write` goes through a rename so a reader never sees half a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { createExclusively } from "../../components/exclusive-create";
import type { BlobStore } from "./blob-store";

export class FileStore implements BlobStore {
    readonly description: string;
    constructor(private readonly root: string) {
        this.description = pathToFileURL(root).href;
    }

    private path(key: string): string {
        return join(this.root, ...key.split("/"));
    }

    async read(key: string): Promise<Buffer | undefined> {
        return this.readSync(key);
    }

    /** Synchronous, for the clean-up at process exit, where nothing async runs any more (sync-lock.ts). */
    readSync(key: string): Buffer | undefined {
        try {
            return readFileSync(this.path(key));
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw err;
        }
    }

    async write(key: string, data: string | Buffer): Promise<void> {
        const path = this.path(key);
        mkdirSync(dirname(path), { recursive: true });
        const partial = `${path}.${process.pid}.partial`;
        writeFileSync(partial, data);
        renameSync(partial, path);
    }

    /** The file appears with its whole content or not at all (components/exclusive-create.ts). */
    async create(key: string, data: string): Promise<boolean> {
        const path = this.path(key);
        mkdirSync(dirname(path), { recursive: true });
        return createExclusively(path, data);
    }

    async list(folder: string): Promise<string[]> {
        const dir = this.path(folder);
        if (!existsSync(dir)) return [];
        return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
            .filter((d) => d.isFile())
            .map((d) => relative(this.root, join(d.parentPath, d.name)).split(sep).join("/"))
            .sort();
    }

    async remove(key: string): Promise<void> {
        this.removeSync(key);
    }

    /** Synchronous, as readSync. */
    removeSync(key: string): void {
        rmSync(this.path(key), { force: true });
    }
}
