// Leaves the machine as the tests found it: a local cluster that the tests started is stopped at the
// end; one that already ran (a developer's) keeps running.
import { clusterDown, clusterStatus } from "../cli/cluster/local-cluster";

let wasRunning = true;

export async function setup(): Promise<void> {
    wasRunning = (await clusterStatus()).running;
}

export async function teardown(): Promise<void> {
    if (!wasRunning) await clusterDown();
}
