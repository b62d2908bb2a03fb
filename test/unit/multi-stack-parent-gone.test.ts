// A child of a run on several stacks whose parent went away: a broken output pipe cancels it once,
// rather than crash it mid-sync; any other stream error is still thrown.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { cancelWhenParentGone, isBrokenPipe } from "../../cli/multi-stack/parent-gone";

const errno = (code: string) => Object.assign(new Error(code), { code });
const stream = () => new EventEmitter() as unknown as NodeJS.WritableStream;

describe("cancelWhenParentGone", () => {
    it("cancels once, on the first broken pipe of stdout or stderr", () => {
        const [stdout, stderr] = [stream(), stream()];
        let cancels = 0;
        cancelWhenParentGone([stdout, stderr], () => cancels++);
        stderr.emit("error", errno("EPIPE"));
        stdout.emit("error", errno("EPIPE"));
        stderr.emit("error", errno("ERR_STREAM_DESTROYED"));
        expect(cancels).toBe(1);
    });

    it("throws any other error, as an unhandled stream error would", () => {
        const out = stream();
        cancelWhenParentGone([out], () => undefined);
        expect(() => out.emit("error", errno("EIO"))).toThrow("EIO");
    });

    it("knows a broken pipe by its code", () => {
        expect(isBrokenPipe(errno("EPIPE"))).toBe(true);
        expect(isBrokenPipe(errno("ENOSPC"))).toBe(false);
        expect(isBrokenPipe(undefined)).toBe(false);
    });
});
