// The health Argo CD would show for an Application whose sync failed: Degraded when its failure was a
// health gate's (its objects were Degraded, or not Healthy in time: the gate's own record, carried by
// the sync's error); otherwise its last known health.

export function healthOfFailure(failureClass: string | undefined): "Degraded" | undefined {
    return failureClass === "Degraded" || failureClass === "timeout" ? "Degraded" : undefined;
}
