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

/** A fresh report file for one program run; `read` returns what the program wrote, then removes it. */
export function reportFile(): { path: string; read: () => ProgramReport } {
    const dir = mkdtempSync(join(tmpdir(), "syncwave-report-"));
    const path = join(dir, "report.json");
    return {
        path,
        read: () => {
            const report = readReport(path);
            rmSync(dir, { recursive: true, force: true });
            return report;
        },
    };
}

/** Where the update's health gates record how a failed one ended (components/providers/gate-outcomes.ts); read once. */
export function gateOutcomesFile(): { path: string; read: () => GateOutcomeRecord[] } {
    const dir = mkdtempSync(join(tmpdir(), "syncwave-gates-"));
    const path = join(dir, "outcomes.jsonl");
    return {
        path,
        read: () => {
            const records = readGateOutcomes(path);
            rmSync(dir, { recursive: true, force: true });
            return records;
        },
    };
}
