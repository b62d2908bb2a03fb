import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A real git repository in a temporary folder, for sources the tests can change commit by commit. */
export class TestRepo {
    readonly dir = mkdtempSync(join(tmpdir(), "syncwave-repo-"));

    constructor() {
        this.git("init", "-q", "-b", "main");
        this.git("config", "user.email", "tests@syncwave.dev");
        this.git("config", "user.name", "SyncWave tests");
    }

    git(...args: string[]): string {
        return execFileSync("git", args, { cwd: this.dir, encoding: "utf8" }).trim();
    }

    /** Writes (or, with null, deletes) files and commits them; returns the new commit's SHA. */
    commit(files: Record<string, string | null>, message = "change"): string {
        for (const [path, content] of Object.entries(files)) {
            const full = join(this.dir, path);
            if (content === null) {
                rmSync(full, { force: true });
            } else {
                mkdirSync(dirname(full), { recursive: true });
                writeFileSync(full, content);
            }
        }
        this.git("add", "-A");
        this.git("commit", "-q", "--allow-empty", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    get url(): string {
        return `file://${this.dir}`;
    }
}
