// Argo CD sync windows: whether an Application may sync now. A window is active from each start of
// its cron schedule for its duration. Syncing is refused while a matching deny window is active
// (unless it allows manual syncs and this sync is manual), and, when matching allow windows exist,
// unless one of them is active.
import { CronExpressionParser } from "cron-parser";
import { parseDuration } from "../sync/annotations";
import { SyncWaveInputError } from "../sync/errors";
import { globMatch } from "./glob";
import type { SyncWindow } from "./project-spec";

export interface WindowTarget {
    application: string;
    namespace?: string;
    /** The destination cluster's server URL or name. */
    cluster?: string;
}

export interface WindowVerdict {
    allowed: boolean;
    /** Why not, naming the window: for the preview and the error of `up`. */
    reason?: string;
    activeWindows: SyncWindow[];
}

function windowText(w: SyncWindow): string {
    return `${w.kind} window "${w.schedule}" for ${w.duration}${w.timeZone ? ` (${w.timeZone})` : ""}`;
}

/** Whether the window's cron schedule started less than its duration ago. */
export function isWindowActive(w: SyncWindow, now: Date, where = "syncWindows"): boolean {
    const durationMs = parseDuration(w.duration);
    if (durationMs === undefined) {
        throw new SyncWaveInputError(`"${w.duration}" is not a duration like 1h or 30m`, { field: `${where}.duration` });
    }
    if (w.timeZone !== undefined) {
        // Argo CD loads it with Go's time.LoadLocation: an IANA name.
        try {
            new Intl.DateTimeFormat("en", { timeZone: w.timeZone });
        } catch {
            throw new SyncWaveInputError(`unknown time zone "${String(w.timeZone)}" (an IANA name such as Europe/Berlin or UTC)`, { field: `${where}.timeZone` });
        }
    }
    let lastStart: number;
    try {
        // The most recent start at or before now: one second later so a start at exactly `now` counts.
        const expression = CronExpressionParser.parse(w.schedule, {
            currentDate: new Date(now.getTime() + 1000),
            tz: w.timeZone ?? "UTC",
        });
        lastStart = expression.prev().getTime();
    } catch (err) {
        throw new SyncWaveInputError(`invalid cron schedule "${w.schedule}": ${(err as Error).message}`, { field: `${where}.schedule` });
    }
    return now.getTime() < lastStart + durationMs;
}

function windowMatches(w: SyncWindow, t: WindowTarget): boolean {
    const any = (patterns: string[] | undefined, value: string | undefined) =>
        value !== undefined && (patterns ?? []).some((p) => globMatch(p, value));
    return any(w.applications, t.application) || any(w.namespaces, t.namespace) || any(w.clusters, t.cluster);
}

export function syncWindowVerdict(
    windows: readonly SyncWindow[],
    target: WindowTarget,
    now: Date,
    options: { manual: boolean },
): WindowVerdict {
    const matching = windows.filter((w) => windowMatches(w, target));
    const active = matching.filter((w) => isWindowActive(w, now, `syncWindows[${windows.indexOf(w)}]`));
    const deny = active.find((w) => w.kind === "deny" && !(options.manual && w.manualSync));
    if (deny) {
        return { allowed: false, activeWindows: active, reason: `an active ${windowText(deny)} blocks syncing ${target.application}` };
    }
    const allows = matching.filter((w) => w.kind === "allow");
    // Outside every allow window a manual sync may still go when each of them allows manual syncs
    // (argo-cd pkg/apis/application/v1alpha1/types.go, CanSync and manualEnabled).
    if (allows.length > 0 && !active.some((w) => w.kind === "allow") && options.manual && allows.every((w) => w.manualSync)) {
        return { allowed: true, activeWindows: active };
    }
    if (allows.length > 0 && !active.some((w) => w.kind === "allow")) {
        return {
            allowed: false,
            activeWindows: active,
            reason: `no allow window is open for ${target.application} (${allows.map(windowText).join("; ")})`,
        };
    }
    return { allowed: true, activeWindows: active };
}
