import type { Health, LiveObject } from "./status";

interface ContainerStatus {
    name: string;
    ready?: boolean;
    restartCount?: number;
    state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; message?: string; exitCode?: number } };
}

// Waiting reasons that mean the container will not start without a change, as Argo CD lists them.
const BROKEN_WAITING = new Set(["CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "CreateContainerConfigError", "InvalidImageName", "CreateContainerError", "RunContainerError"]);

/** As Argo CD: Succeeded is Healthy, Failed Degraded, a crash-looping container Degraded, Running and Ready Healthy. */
export function podHealth(obj: LiveObject): Health {
    const s = obj.status ?? {};
    const containers: ContainerStatus[] = [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])];
    for (const c of containers) {
        const waiting = c.state?.waiting;
        if (waiting?.reason && BROKEN_WAITING.has(waiting.reason)) {
            return { status: "Degraded", message: `container ${c.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}` };
        }
    }
    switch (s.phase) {
        case "Succeeded":
            return { status: "Healthy", message: s.message ?? "pod completed" };
        case "Failed": {
            const terminated = containers.map((c) => c.state?.terminated).find((t) => t && t.exitCode !== 0);
            const detail = s.message ?? terminated?.message ?? terminated?.reason ?? "pod failed";
            return { status: "Degraded", message: detail };
        }
        case "Running": {
            if (obj.spec?.restartPolicy && obj.spec.restartPolicy !== "Always") return { status: "Progressing", message: "pod is running" };
            const ready = (s.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
            return ready ? { status: "Healthy" } : { status: "Progressing", message: "pod is running but not ready" };
        }
        default:
            return { status: "Progressing", message: s.message ?? `pod is ${s.phase ?? "Pending"}` };
    }
}
