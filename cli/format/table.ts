// A plain-text table: columns padded to their widest cell, the last column left free (messages and
// revision lists run long), the header bold, status columns painted after padding.
import { bold, paint } from "./colors";

export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[], statusColumns: readonly number[] = []): string {
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    const last = header.length - 1;
    return all
        .map((r, row) => {
            const cells = r.map((c, i) => {
                if (i === last) return c;
                const padded = c.padEnd(widths[i]);
                return row > 0 && statusColumns.includes(i) ? paint(padded) : padded;
            });
            const line = cells.join("  ").trimEnd();
            return row === 0 ? bold(line) : line;
        })
        .join("\n");
}
