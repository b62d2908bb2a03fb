// Health that goes into the state leaves out what containers wrote about themselves (termination
// messages can be the end of their logs, secrets included); health shown now keeps it.
import { describe, expect, it } from "vitest";
import { assessHealth } from "../../components/health/assess";
import { withoutContainerText } from "../../components/health/container-text";
import type { LiveObject } from "../../components/health/status";

const printed = "DB_PASSWORD=s3cr3t-from-env";

function failedPod(message: string): LiveObject {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "task", namespace: "shop" },
        spec: { restartPolicy: "Never" },
        status: {
            phase: "Failed",
            containerStatuses: [
                {
                    name: "task",
                    state: { terminated: { exitCode: 1, reason: "Error", message } },
                    lastState: { terminated: { exitCode: 1, reason: "Error", message } },
                },
            ],
        },
    };
}

describe("withoutContainerText", () => {
    it("drops a failed container's termination message, keeping its exit code", () => {
        const pod = failedPod(printed);
        expect(assessHealth(pod).message).toContain(printed);
        expect(assessHealth(withoutContainerText(pod))).toEqual({ status: "Degraded", message: 'container "task" failed with exit code 1' });
        expect(JSON.stringify(withoutContainerText(pod))).not.toContain(printed);
    });

    it("leaves the object it was given alone", () => {
        const pod = failedPod(printed);
        withoutContainerText(pod);
        expect(JSON.stringify(pod)).toContain(printed);
    });

    it("leaves other kinds, and pods without statuses, as they are", () => {
        const job: LiveObject = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, status: { conditions: [{ type: "Complete", status: "True" }] } };
        expect(withoutContainerText(job)).toBe(job);
        const pending: LiveObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } };
        expect(withoutContainerText(pending)).toBe(pending);
        expect(withoutContainerText(undefined)).toBeUndefined();
    });
});
