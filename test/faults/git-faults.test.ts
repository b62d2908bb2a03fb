// The source repository on a bad day: a server that accepts and never answers, a cached mirror whose
// objects are gone or that a killed git left locked, a checkout a killed git left half written, a
// branch force-pushed so that a commit is gone. Each ends in a clear error naming the repository (and
// the timeout), or in a fresh clone that fetches the right files: never in a render with files missing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fetchRevision } from "../../components/source/git";
import { TestRepo } from "../helpers/git";

const newCache = () => mkdtempSync(join(tmpdir(), "syncwave-git-cache-"));
const mirrorOf = (cacheDir: string) => {
    const [name] = readdirSync(join(cacheDir, "mirrors")).filter((n) => n.endsWith(".git"));
    return join(cacheDir, "mirrors", name);
};

describe("git sources under faults", () => {
    const sockets: Socket[] = [];
    let silent: Server | undefined;
    afterAll(() => {
        for (const s of sockets) s.destroy();
        silent?.close();
    });

    it("gives up on a server that accepts and never answers, naming the URL and the timeout", async () => {
        silent = createServer((socket) => sockets.push(socket));
        await new Promise<void>((r) => silent!.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/team/app.git`;
        const started = Date.now();
        await expect(fetchRevision(url, "main", { cacheDir: newCache(), timeoutMs: 1_500 })).rejects.toThrow(
            `git fetch of ${url} failed: no progress within 1.5s, so git was stopped (SYNCWAVE_GIT_TIMEOUT sets how long a git command may stall)`,
        );
        expect(Date.now() - started).toBeLessThan(10_000);

        // The same through SYNCWAVE_GIT_TIMEOUT, as a sync's program reads it.
        process.env.SYNCWAVE_GIT_TIMEOUT = "1s";
        try {
            await expect(fetchRevision(url, "main", { cacheDir: newCache() })).rejects.toThrow("no progress within 1s");
            process.env.SYNCWAVE_GIT_TIMEOUT = "soon";
            await expect(fetchRevision(url, "main", { cacheDir: newCache() })).rejects.toThrow("SYNCWAVE_GIT_TIMEOUT=soon is not a duration");
        } finally {
            delete process.env.SYNCWAVE_GIT_TIMEOUT;
        }
    });

    it("clones again when the cached mirror's objects are gone", async () => {
        const repo = new TestRepo();
        repo.commit({ "app/a.yaml": "a: 1\n" });
        const cacheDir = newCache();
        await fetchRevision(repo.url, "main", { cacheDir });
        rmSync(join(mirrorOf(cacheDir), "objects"), { recursive: true, force: true });
        const second = repo.commit({ "app/b.yaml": "b: 2\n" });
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        expect(fetched.commit).toBe(second);
        expect(readFileSync(join(fetched.checkoutDir, "app/a.yaml"), "utf8")).toBe("a: 1\n");
        expect(readFileSync(join(fetched.checkoutDir, "app/b.yaml"), "utf8")).toBe("b: 2\n");
    });

    it("clones again past a lock a killed git left, and reports one a running git may hold", async () => {
        const repo = new TestRepo();
        repo.commit({ "app/a.yaml": "a: 1\n" });
        const cacheDir = newCache();
        await fetchRevision(repo.url, "main", { cacheDir });
        const lock = join(mirrorOf(cacheDir), "refs", "heads", "main.lock");
        writeFileSync(lock, "");

        // Just written: another sync's fetch may be at work in this mirror.
        repo.commit({ "app/b.yaml": "b: 2\n" });
        await expect(fetchRevision(repo.url, "main", { cacheDir })).rejects.toThrow(/another git command is working in its cache \(.*main\.lock\); try again when it is done/);

        // An hour old: left by a git that was killed.
        const anHourAgo = new Date(Date.now() - 3_600_000);
        utimesSync(lock, anHourAgo, anHourAgo);
        const third = repo.commit({ "app/c.yaml": "c: 3\n" });
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        expect(fetched.commit).toBe(third);
        expect(existsSync(join(fetched.checkoutDir, "app/c.yaml"))).toBe(true);
    });

    it("never uses a checkout a killed git left half written", async () => {
        const repo = new TestRepo();
        const commit = repo.commit({ "app/a.yaml": "a: 1\n", "app/b.yaml": "b: 2\n" });
        const cacheDir = newCache();
        const first = await fetchRevision(repo.url, commit, { cacheDir });
        // As a `git worktree add` killed half way leaves it: a .git file, some files, no completion mark.
        rmSync(join(first.checkoutDir, "app/b.yaml"));
        rmSync(`${first.checkoutDir}.complete`);
        const again = await fetchRevision(repo.url, commit, { cacheDir });
        expect(readFileSync(join(again.checkoutDir, "app/b.yaml"), "utf8")).toBe("b: 2\n");
    });

    it("follows a force-pushed branch, and names a commit that is gone when asked for it", async () => {
        const repo = new TestRepo();
        const old = repo.commit({ "app/a.yaml": "a: old\n" });
        const cacheDir = newCache();
        expect((await fetchRevision(repo.url, "main", { cacheDir })).commit).toBe(old);
        // History rewritten: main is a new root commit, the old one unreachable and collected.
        repo.git("checkout", "-q", "--orphan", "rewritten");
        const rewritten = repo.commit({ "app/a.yaml": "a: new\n" });
        repo.git("branch", "-M", "rewritten", "main");
        repo.git("reflog", "expire", "--expire=now", "--all");
        repo.git("gc", "-q", "--prune=now");
        const fetched = await fetchRevision(repo.url, "main", { cacheDir });
        expect(fetched.commit).toBe(rewritten);
        expect(readFileSync(join(fetched.checkoutDir, "app/a.yaml"), "utf8")).toBe("a: new\n");
        // A fresh cache (another machine) asked for the commit that is gone.
        await expect(fetchRevision(repo.url, old, { cacheDir: newCache() })).rejects.toThrow(`revision "${old}" does not exist in ${repo.url}`);
        expect(execFileSync("git", ["cat-file", "-t", rewritten], { cwd: repo.dir, encoding: "utf8" }).trim()).toBe("commit");
    });
});
