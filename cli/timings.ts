// Where a command's time goes (`syncwave <command> --timings`): named spans of the CLI's own steps,
// the engine's phases read from its events, and the program's own steps from its report. Spans of the
// same name add up; the table lists them in the order they first started.

export interface TimingRow {
    name: string;
    /** Total milliseconds of every span of this name. */
    ms: number;
    count: number;
}

export class Timings {
    private readonly rows = new Map<string, TimingRow>();
    private readonly started = process.hrtime.bigint();

    add(name: string, ms: number): void {
        const row = this.rows.get(name) ?? { name, ms: 0, count: 0 };
        row.ms += ms;
        row.count += 1;
        this.rows.set(name, row);
    }

    /** Times a step, synchronous or not; the span ends when it returns or settles, failed or not. */
    span<T>(name: string, fn: () => T): T {
        const start = process.hrtime.bigint();
        const done = () => this.add(name, Number(process.hrtime.bigint() - start) / 1e6);
        let value: T;
        try {
            value = fn();
        } catch (err) {
            done();
            throw err;
        }
        if (value instanceof Promise) return value.finally(done) as T;
        done();
        return value;
    }

    /** Milliseconds since this process started measuring. */
    elapsedMs(): number {
        return Number(process.hrtime.bigint() - this.started) / 1e6;
    }

    table(): TimingRow[] {
        return [...this.rows.values()];
    }

    format(totalMs = this.elapsedMs()): string {
        const rows = this.table();
        const width = Math.max(10, ...rows.map((r) => r.name.length));
        const lines = rows.map((r) => `  ${r.name.padEnd(width)} ${(r.ms / 1000).toFixed(3).padStart(8)}s${r.count > 1 ? `  (${r.count}×)` : ""}`);
        return [`timings (spans overlap where steps run inside others):`, ...lines, `  ${"total".padEnd(width)} ${(totalMs / 1000).toFixed(3).padStart(8)}s`].join("\n");
    }
}

/** The process's timings: every command adds to the same table. */
export const timings = new Timings();
