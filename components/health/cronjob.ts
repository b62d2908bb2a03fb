import type { Health, LiveObject } from "./status";

/** A CronJob is Suspended when suspended, else Healthy: its Jobs carry their own health. */
export function cronJobHealth(obj: LiveObject): Health {
    if (obj.spec?.suspend) return { status: "Suspended", message: "CronJob is suspended" };
    return { status: "Healthy" };
}
