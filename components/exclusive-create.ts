// Creates a file only when no file has its name, with its whole content in one step: the content is
// written to a draft of this process's own, which is then hard-linked under the name. link() fails
// with EEXIST when the name exists, so of processes racing for a name exactly one succeeds, and no
// one ever sees the file empty or half written (a lock without its owner). The draft always goes.
import { randomUUID } from "node:crypto";
import { linkSync, rmSync, writeFileSync } from "node:fs";

/** True when this call created `path`, false when it already existed. */
export function createExclusively(path: string, content: string): boolean {
    const draft = `${path}.${process.pid}-${randomUUID()}.draft`;
    try {
        writeFileSync(draft, content, { flag: "wx" });
        linkSync(draft, path);
        return true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
    } finally {
        rmSync(draft, { force: true });
    }
}
