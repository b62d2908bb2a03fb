// The health Argo CD would show for an Application whose sync failed: Degraded when its failure was a
// health gate's (its objects did not become Healthy, or timed out), as `syncwave history` records it
// per failed update (failure-class.ts, a stack tag); otherwise its last known health.
import { failureTagName, parseFailureTag } from "../failure-class";
import { numberUpdates } from "../commands/history";
import { openStack, type StackOptions } from "../stack";

/** Each failed Application's failure class, from the tag of the stack's last update if it failed. */
export async function lastFailureClasses(options: StackOptions): Promise<Record<string, string>> {
    const stack = await openStack(options);
    const latest = numberUpdates(await stack.history())[0];
    if (!latest || latest.result !== "failed") return {};
    const tags = await stack.workspace.listTags(stack.name);
    const tag = tags[failureTagName(latest.version)];
    return tag ? parseFailureTag(tag) : {};
}

export function healthOfFailure(failureClass: string | undefined): "Degraded" | undefined {
    return failureClass === "Degraded" || failureClass === "timeout" ? "Degraded" : undefined;
}
