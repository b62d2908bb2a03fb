// Runs syncwave-gotemplate (toolchain/gotemplate): Go's own text/template with Argo CD's function map,
// because an imitation of Go templates in TypeScript would drift from what Argo CD renders. One
// process renders a whole batch, so a set of hundreds of Applications costs one spawn.
import { spawn } from "node:child_process";

export interface GoTemplateItem {
    template: string;
    params: Record<string, unknown>;
}

/** Per item: the rendered text, or Argo CD's error message for it ("failed to execute go template ..."). */
export type GoTemplateResult = { text: string } | { error: string };

export const GO_TEMPLATE_BINARY_ENV = "SYNCWAVE_GOTEMPLATE";
const DEFAULT_BINARY = "syncwave-gotemplate";
const DEFAULT_TIMEOUT_MS = 30_000;

export class GoTemplateUnavailableError extends Error {}

export async function executeGoTemplates(
    items: GoTemplateItem[],
    goTemplateOptions: string[],
    timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<GoTemplateResult[]> {
    if (items.length === 0) return [];
    const { stdout, what } = await answerOf({ options: goTemplateOptions, items }, `rendering ${items.length} Go template${items.length === 1 ? "" : "s"}`, timeoutMs);
    return parseResults(stdout, items.length, what);
}

/** One request to the binary: its standard output, or an error naming `what` failed and how. */
async function answerOf(request: Record<string, unknown>, doing: string, timeoutMs: number): Promise<{ stdout: string; what: string }> {
    const binary = process.env[GO_TEMPLATE_BINARY_ENV] || DEFAULT_BINARY;
    const what = `${binary} ${doing}`;
    const { stdout, stderr, exit } = await run(binary, JSON.stringify(request), timeoutMs, what);
    if (exit !== "0") throw new Error(`${what} failed (${exit}): ${stderr.trim() || "no message"}`);
    return { stdout, what };
}

/**
 * One request in another of the binary's modes (Argo CD Notifications' conditions and templates, see
 * toolchain/gotemplate/main.go): the JSON answer, or an error naming `what` failed.
 */
export async function requestGoHelper(request: Record<string, unknown>, doing: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    const { stdout, what } = await answerOf(request, doing, timeoutMs);
    try {
        return JSON.parse(stdout) as unknown;
    } catch {
        throw new Error(`${what} answered with something that is not JSON: ${stdout.slice(0, 200)}`);
    }
}

interface Finished {
    stdout: string;
    stderr: string;
    /** "0", "exit N" or "signal NAME". */
    exit: string;
}

function run(binary: string, input: string, timeoutMs: number, what: string): Promise<Finished> {
    return new Promise((resolve, reject) => {
        const child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let settled = false;
        const settle = (finish: () => void) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            finish();
        };
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            settle(() => reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)));
        }, timeoutMs);
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", (err: NodeJS.ErrnoException) => settle(() => reject(spawnError(err, binary))));
        child.on("close", (code, signal) => {
            const exit = code === 0 ? "0" : code !== null ? `exit ${code}` : `signal ${signal}`;
            settle(() => resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), exit }));
        });
        // A child that dies before reading everything closes the pipe: its exit status tells why.
        child.stdin.on("error", () => undefined);
        child.stdin.end(input);
    });
}

function spawnError(err: NodeJS.ErrnoException, binary: string): Error {
    if (err.code === "ENOENT") {
        return new GoTemplateUnavailableError(
            `${binary} was not found (it renders goTemplate ApplicationSets; set ${GO_TEMPLATE_BINARY_ENV} to its path, ` +
                `or build the toolchain with 'npm run setup' and run through it, e.g. 'npm test')`,
        );
    }
    return new Error(`could not start ${binary}: ${err.message}`);
}

function parseResults(stdout: string, expected: number, what: string): GoTemplateResult[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(stdout);
    } catch {
        throw new Error(`${what} answered with something that is not JSON: ${stdout.slice(0, 200)}`);
    }
    const results = (parsed as { results?: unknown }).results;
    if (!Array.isArray(results) || results.length !== expected) {
        throw new Error(`${what} answered with ${Array.isArray(results) ? results.length : "no"} results, expected ${expected}`);
    }
    return results.map((result: { text?: unknown; error?: unknown }) =>
        typeof result.text === "string" ? { text: result.text } : { error: String(result.error ?? "no result") },
    );
}
