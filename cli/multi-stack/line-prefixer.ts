// A child's stderr, line by line under its stack's name: "[prod] syncing web...". Output arrives in
// chunks that split lines anywhere; a line is passed on only once it is whole, so lines of
// different stacks never mix within a line.
export class LinePrefixer {
    private pending = "";

    constructor(
        private readonly prefix: string,
        private readonly emit: (line: string) => void,
    ) {}

    push(chunk: string): void {
        const lines = (this.pending + chunk).split("\n");
        this.pending = lines.pop() ?? "";
        for (const line of lines) this.emit(`${this.prefix}${line.replace(/\r$/, "")}`);
    }

    /** The last line when the output did not end with a newline. */
    end(): void {
        if (this.pending !== "") this.emit(`${this.prefix}${this.pending}`);
        this.pending = "";
    }
}
