// What a container writes about itself can hold anything its process printed, secrets from its
// environment included: its termination message is the file the container wrote at
// terminationMessagePath or, with terminationMessagePolicy FallbackToLogsOnError, the end of its log.
// Health that goes into the state is assessed without that text; health shown or thrown now keeps it.
import type { LiveObject } from "./status";

interface ContainerState {
    terminated?: { message?: string; [key: string]: unknown };
    [key: string]: unknown;
}

interface ContainerStatus {
    state?: ContainerState;
    lastState?: ContainerState;
    [key: string]: unknown;
}

const STATUS_LISTS = ["initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"] as const;

function withoutMessage(state: ContainerState | undefined): ContainerState | undefined {
    if (!state?.terminated || state.terminated.message === undefined) return state;
    const { message: _message, ...terminated } = state.terminated;
    return { ...state, terminated };
}

/** A copy of a Pod without its containers' termination messages; any other object as it is. */
export function withoutContainerText(obj: LiveObject | undefined): LiveObject | undefined {
    if (!obj || obj.kind !== "Pod" || obj.apiVersion !== "v1" || !obj.status) return obj;
    const status = { ...obj.status } as Record<string, unknown>;
    for (const list of STATUS_LISTS) {
        const statuses = status[list] as ContainerStatus[] | undefined;
        if (!Array.isArray(statuses)) continue;
        status[list] = statuses.map((c) => ({ ...c, state: withoutMessage(c.state), lastState: withoutMessage(c.lastState) }));
    }
    return { ...obj, status };
}
