// What the CLI tells the program and the policy pack about a run, explicitly, through the environment:
// preview or update (SYNCWAVE_OPERATION), automated or manual sync (SYNCWAVE_SYNC_KIND), an explicit
// prune, which Applications the run declares, and where the program writes its report.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReport, type ProgramReport } from "../components/report";
import type { SyncKind } from "../components/sync/prune";
import { readGateOutcomes, type GateOutcomeRecord } from "../components/providers/gate-outcomes";

export interface RunSettings {
    operation: "preview" | "update";
    kind?: SyncKind;
    prune?: boolean;
    /** Previews: a failing Application is reported, not fatal. */
    isolate?: boolean;
    only?: string[];
    skip?: string[];
    report?: string;
}

export function programEnv(s: RunSettings): Record<string, string> {
    const env: Record<string, string> = {
        SYNCWAVE_OPERATION: s.operation,
        SYNCWAVE_SYNC_KIND: s.kind ?? "automated",
        SYNCWAVE_PRUNE: s.prune ? "true" : "false",
        SYNCWAVE_ISOLATE: s.isolate && s.operation === "preview" ? "true" : "false",
        SYNCWAVE_ONLY_APPS: s.only ? JSON.stringify(s.only) : "",
        SYNCWAVE_SKIP_APPS: s.skip?.length ? JSON.stringify(s.skip) : "",
        // The update that leaves Applications out is targeted (see commands/sync.ts targetsOf).
        SYNCWAVE_TARGETED: s.operation === "update" && (s.only || s.skip?.length) ? "true" : "false",
    };
    if (s.report) env.SYNCWAVE_REPORT = s.report;
    return env;
}

/** A file in a fresh temporary folder that a run writes; `read` returns what it holds, then removes the folder. */
function runFile<T>(prefix: string, name: string, parse: (path: string) => T): { path: string; read: () => T } {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const path = join(dir, name);
    return {
        path,
        read: () => {
            const value = parse(path);
            rmSync(dir, { recursive: true, force: true });
            return value;
        },
    };
}

/** A fresh report file for one program run. */
export function reportFile(): { path: string; read: () => ProgramReport } {
    return runFile("syncwave-report-", "report.json", readReport);
}

/** Where the update's health gates record how a failed one ended (components/providers/gate-outcomes.ts). */
export function gateOutcomesFile(): { path: string; read: () => GateOutcomeRecord[] } {
    return runFile("syncwave-gates-", "outcomes.jsonl", readGateOutcomes);
}
