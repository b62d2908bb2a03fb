// Leaves the machine as the tests found it: a local cluster that the tests started (the default one,
// or the second one the fleet tests share) is stopped at the end; one that already ran (a
// developer's) keeps running.
import { clusterDown, clusterPaths, clusterStatus } from "../cli/cluster/local-cluster";
import { SECOND_CLUSTER } from "./helpers/cluster";

let wasRunning = true;
let secondWasRunning = true;

export async function setup(): Promise<void> {
    wasRunning = (await clusterStatus()).running;
    secondWasRunning = (await clusterStatus(clusterPaths(SECOND_CLUSTER))).running;
}

export async function teardown(): Promise<void> {
    if (!secondWasRunning) await clusterDown({ name: SECOND_CLUSTER });
    if (!wasRunning) await clusterDown();
}
