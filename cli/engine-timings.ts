// The engine's phases of one preview or update, from its events as they arrive (the events' own
// timestamps have one-second resolution): start (engine, plugins, language host, the program's
// loading) until the first step, the refresh, the steps, the health gates and hooks inside them, and
// the finish (outputs, the last checkpoint) after the last step.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { timings, type Timings } from "./timings";

export class EngineTimings {
    private readonly started = performance.now();
    private firstStep?: number;
    private firstRefresh?: number;
    private lastRefresh?: number;
    private firstApply?: number;
    private lastStep?: number;
    private summary?: number;
    private readonly open = new Map<string, { at: number; kind: string }>();
    private readonly spans = new Map<string, { ms: number; count: number }>();

    constructor(
        private readonly operation: string,
        private readonly into: Timings = timings,
    ) {}

    /** Called for every engine event, as it arrives. */
    push(e: EngineEvent): void {
        const now = performance.now();
        const pre = e.resourcePreEvent?.metadata;
        const out = e.resOutputsEvent?.metadata;
        if (e.summaryEvent) this.summary = now;
        if (pre) {
            this.firstStep ??= now;
            if (pre.op === "refresh") this.firstRefresh ??= now;
            else if (pre.op !== "same" && pre.op !== "read") this.firstApply ??= now;
            const kind = kindOf(pre.type);
            if (kind && pre.op !== "refresh" && pre.op !== "same") this.open.set(pre.urn, { at: now, kind });
        }
        if (out) {
            this.lastStep = now;
            if (out.op === "refresh") this.lastRefresh = now;
            const started = this.open.get(out.urn);
            if (started) {
                this.open.delete(out.urn);
                const s = this.spans.get(started.kind) ?? { ms: 0, count: 0 };
                s.ms += now - started.at;
                s.count += 1;
                this.spans.set(started.kind, s);
            }
        }
    }

    /** Adds the phases to the timings table; call when the operation returned. */
    finish(): void {
        const end = performance.now();
        const t = this.into;
        const op = this.operation;
        const firstStep = this.firstStep ?? end;
        t.add(`${op}: engine and program start`, firstStep - this.started);
        if (this.firstRefresh !== undefined) t.add(`${op}: refresh`, (this.lastRefresh ?? this.firstRefresh) - this.firstRefresh);
        const stepsFrom = this.firstApply ?? this.lastRefresh ?? firstStep;
        t.add(`${op}: steps`, Math.max(0, (this.lastStep ?? stepsFrom) - stepsFrom));
        for (const [kind, s] of this.spans) {
            t.add(`${op}:   ${kind} (sum over ${s.count})`, s.ms);
        }
        t.add(`${op}: finish (outputs, checkpoint, exit)`, end - (this.lastStep ?? this.summary ?? end));
    }
}

function kindOf(type: string): string | undefined {
    if (type.endsWith("syncwave:HealthGate")) return "health gates";
    if (type.endsWith("syncwave:Hook")) return "hooks";
    if (type.endsWith("syncwave:Pruner")) return "pruner";
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:providers")) return "kubernetes objects";
    return undefined;
}
