// Settles the creates a killed update left unfinished, before the next update (see pending-creates.ts
// for the rules): reads each object from its Application's cluster, then writes the state back with
// `pulumi stack import`, under the sync's lock. Reading or writing failing leaves the state as it was.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolveKubeconfig } from "../../components/cluster/connection-ref";
import { httpsConfigOf } from "../../components/cluster/https-config";
import { readObject } from "../../components/cluster/kube-http";
import { applicationOfUrn } from "../application-urn";
import { appRecords, recordCluster, type StateResource } from "../commands/state";
import { describeOutcome, describeTarget, settlePendingCreates, targetOf, type ExportedDeployment, type LiveObjectLike, type PendingCreateOutcome } from "./pending-creates";

const run = promisify(execFile);
const PULUMI_TIMEOUT_MS = 120_000;

export interface StackAccess {
    stack: string;
    cwd?: string;
    env?: Record<string, string>;
}

async function pulumi(access: StackAccess, args: string[]): Promise<string> {
    const { stdout } = await run("pulumi", [...args, "--stack", access.stack], {
        cwd: access.cwd,
        env: { ...process.env, ...(access.env ?? {}) },
        maxBuffer: 512 * 1024 * 1024,
        timeout: PULUMI_TIMEOUT_MS,
    }).catch((err: Error & { stderr?: string; killed?: boolean }) => {
        const why = err.killed ? `no answer within ${PULUMI_TIMEOUT_MS / 1000}s` : (err.stderr ?? err.message).trim().split("\n").slice(-3).join(" ");
        throw new Error(`pulumi ${args.slice(0, 2).join(" ")} of stack ${access.stack} failed: ${why}`);
    });
    return stdout;
}

/** Reads each pending create's object from its Application's cluster: the object, or undefined when absent. */
async function readTargets(deployment: ExportedDeployment, resources: readonly StateResource[]): Promise<{ live: Map<string, LiveObjectLike | undefined>; unread: PendingCreateOutcome[] }> {
    const records = new Map(appRecords(resources).map((r) => [r.application, r]));
    const live = new Map<string, LiveObjectLike | undefined>();
    const unread: PendingCreateOutcome[] = [];
    for (const op of deployment.pending_operations ?? []) {
        const target = targetOf(op);
        if (!target) continue;
        const application = applicationOfUrn(op.resource.parent);
        const record = application ? records.get(application) : undefined;
        try {
            // An Application whose first sync was killed has no record yet: its cluster is unknown here.
            if (!record) throw new Error(`no completed sync of ${application ?? "its Application"} names its cluster`);
            const kc = await httpsConfigOf(resolveKubeconfig({ cluster: recordCluster(record) }));
            live.set(target.urn, (await readObject(kc, target)) as LiveObjectLike | undefined);
        } catch (err) {
            // Not importable: the update applies it again (server-side apply keeps the same object).
            unread.push({ urn: target.urn, action: "created again", object: describeTarget(target), reason: `it could not be looked up (${(err as Error).message.split("\n")[0]})` });
        }
    }
    return { live, unread };
}

/**
 * Settles the pending creates of the stack's last (killed) update; returns what it decided, one line
 * each. Nothing to do (no pending create) returns no line and touches nothing.
 */
export async function recoverPendingCreates(access: StackAccess, resources: readonly StateResource[]): Promise<string[]> {
    const exported = JSON.parse(await pulumi(access, ["stack", "export"])) as { version: number; deployment: ExportedDeployment };
    const deployment = exported.deployment;
    if (!(deployment.pending_operations ?? []).some((op) => op.type === "creating")) return [];
    const { live, unread } = await readTargets(deployment, resources);
    const unreadUrns = new Set(unread.map((u) => u.urn));
    const { deployment: settled, outcomes } = settlePendingCreates(
        deployment,
        new Map([...live].filter(([urn]) => !unreadUrns.has(urn))),
        new Date().toISOString(),
    );
    const dir = mkdtempSync(join(tmpdir(), "syncwave-recover-"));
    try {
        const file = join(dir, "deployment.json");
        writeFileSync(file, JSON.stringify({ ...exported, deployment: settled }));
        await pulumi(access, ["stack", "import", "--file", file]);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    return [...outcomes.filter((o) => !unreadUrns.has(o.urn)), ...unread].map(describeOutcome);
}
