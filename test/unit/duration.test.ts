// One duration parser for every duration a user writes, with Go's time.ParseDuration syntax (the one
// Argo CD uses for sync windows and retry backoff).
import { describe, expect, it } from "vitest";
import { parseDuration, requireDuration } from "../../components/duration";

describe("durations", () => {
    it.each([
        ["90s", 90_000],
        ["5m", 300_000],
        ["1h30m", 5_400_000],
        ["1.5h", 5_400_000],
        ["2h45m30s", 9_930_000],
        ["300ms", 300],
        [" 10s ", 10_000],
        ["0", 0],
    ])("%s is %i ms", (text, ms) => {
        expect(parseDuration(text)).toBe(ms);
    });

    it.each(["", "5", "five minutes", "5 m", "m", "1d", "-5m", "5m3"])("%j is not a duration", (text) => {
        expect(parseDuration(text)).toBeUndefined();
    });

    it("names the field it refuses", () => {
        expect(() => requireDuration("soon", { application: "shop", field: "healthTimeout" })).toThrow(/application shop, field healthTimeout: "soon" is not a duration/);
    });
});
