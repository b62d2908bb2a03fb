import { condition, type Health, type LiveObject } from "./status";

interface Terminated {
    reason?: string;
    message?: string;
    exitCode?: number;
}

interface ContainerStatus {
    name: string;
    ready?: boolean;
    state?: { waiting?: { reason?: string; message?: string }; terminated?: Terminated };
    lastState?: { terminated?: Terminated };
}

/**
 * A container waiting for a reason that names an error (ErrImagePull, CreateContainerConfigError,
 * CrashLoopBackOff, ImagePullBackOff, ...). Argo CD matches by shape, not by a list, so reasons added
 * by later kubelets count too: gitops-engine pkg/health/health_pod.go.
 */
export function isErrorWaitingReason(reason: string | undefined): boolean {
    return reason !== undefined && (reason.startsWith("Err") || reason.endsWith("Error") || reason.endsWith("BackOff"));
}

function statuses(obj: LiveObject, list: "containerStatuses" | "initContainerStatuses"): ContainerStatus[] {
    const value: unknown = obj.status?.[list];
    return Array.isArray(value) ? (value as ContainerStatus[]) : [];
}

/** Argo CD's getFailMessage: the termination message, OOMKilled, or the non-zero exit code. */
function failMessage(c: ContainerStatus): string | undefined {
    const t = c.state?.terminated;
    if (!t) return undefined;
    if (t.message) return t.message;
    if (t.reason === "OOMKilled") return t.reason;
    if (t.exitCode !== undefined && t.exitCode !== 0) return `container "${c.name}" failed with exit code ${t.exitCode}`;
    return undefined;
}

/**
 * Pod health exactly as gitops-engine pkg/health/health_pod.go computes the status. Only the messages
 * say more where Argo CD's would be empty (the container and its waiting reason, or its last exit),
 * because the gate's error is all a failed sync shows.
 */
export function podHealth(obj: LiveObject): Health {
    const s = obj.status ?? {};
    const restartPolicy: unknown = obj.spec?.restartPolicy;
    const podMessage: string | undefined = s.message || undefined;
    // Only for restartPolicy Always: a hook pod (Never/OnFailure) waiting on an image pull would
    // otherwise fail its hook early and still run once the image arrives. Init containers are not
    // looked at here, as in Argo CD: their failure shows in the phase.
    if (restartPolicy === "Always") {
        const broken = statuses(obj, "containerStatuses").filter((c) => isErrorWaitingReason(c.state?.waiting?.reason));
        if (broken.length > 0) {
            const message = broken
                .map((c) => `container ${c.name}: ${c.state!.waiting!.reason}${c.state!.waiting!.message ? `: ${c.state!.waiting!.message}` : ""}`)
                .join(", ");
            return { status: "Degraded", message };
        }
    }
    switch (s.phase) {
        case "Pending":
            return { status: "Progressing", message: podMessage };
        case "Succeeded":
            return { status: "Healthy", message: podMessage };
        case "Failed": {
            if (podMessage) return { status: "Degraded", message: podMessage };
            for (const c of [...statuses(obj, "initContainerStatuses"), ...statuses(obj, "containerStatuses")]) {
                const message = failMessage(c);
                if (message) return { status: "Degraded", message };
            }
            return { status: "Degraded" };
        }
        case "Running":
            if (restartPolicy === "Always") {
                if (condition(obj, "Ready")?.status === "True") return { status: "Healthy", message: podMessage };
                // Not ready after a container exited: it restarted and has not come back.
                const restarted = statuses(obj, "containerStatuses").find((c) => c.lastState?.terminated);
                if (restarted) {
                    const last = restarted.lastState!.terminated!;
                    const exit = last.reason ?? (last.exitCode !== undefined ? `exit code ${last.exitCode}` : "terminated");
                    return { status: "Degraded", message: podMessage ?? `container ${restarted.name} restarted (${exit}) and is not ready` };
                }
                return { status: "Progressing", message: podMessage };
            }
            // A pod that runs to completion is usually a hook: running is not Healthy yet.
            if (restartPolicy === "OnFailure" || restartPolicy === "Never") return { status: "Progressing", message: podMessage };
            break;
    }
    return { status: "Unknown", message: podMessage };
}
