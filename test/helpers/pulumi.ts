import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** A fresh local file backend, so tests never touch the user's stacks or each other's. */
export function tempBackend(): string {
    return `file://${mkdtempSync(join(tmpdir(), "syncwave-state-"))}`;
}

/** Runs the toolchain's pulumi CLI non-interactively in `cwd` and returns its output, never throwing. */
export async function pulumi(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CommandResult> {
    try {
        const { stdout, stderr } = await execFileAsync("pulumi", [...args, "--non-interactive"], {
            cwd,
            env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: "test-only", ...env },
            maxBuffer: 64 * 1024 * 1024,
            timeout: 540_000,
        });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
        return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
    }
}

/** Fails with the command's whole output, which is what one needs to see when a step breaks. */
export function expectOk(result: CommandResult, what: string): CommandResult {
    if (result.code !== 0) {
        throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    return result;
}
