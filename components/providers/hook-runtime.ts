// What a Hook does when it runs, in the dynamic provider's process: create the hook's object, wait for
// its health, keep its logs, apply its delete policy. Fails with the hook, its status and its message.
// The logs and the message can hold whatever the hook's containers printed: the Hook resource keeps
// them as secret outputs.
import { createHash } from "node:crypto";
import type { ClusterAccess } from "../cluster/connection-ref";
import { assessHealth } from "../health/assess";
import type { Health, LiveObject } from "../health/status";
import type { Manifest } from "../sync/manifest";
import { connect, deleteObject, readObject, watchObject, WaitTimeout, type Connection, type ObjectRef } from "./kube-client";

export interface RunHookInputs extends ClusterAccess {
    manifest: Manifest;
    generateName?: string;
    deletePolicies: string[];
    phase: string;
    wave: number;
    syncId: string;
    timeoutMs: number;
}

export interface HookRun {
    hookName: string;
    namespace: string;
    status: string;
    message: string;
    logs: string;
    startedAt: string;
    finishedAt: string;
}

const LOG_LIMIT_BYTES = 16 * 1024;

/** A generateName hook gets a name derived from the sync, so each sync creates a new object. */
export function hookObjectName(manifest: Manifest, generateName: string | undefined, syncId: string): string {
    if (manifest.metadata.name) return manifest.metadata.name;
    const suffix = createHash("sha256").update(syncId).digest("hex").slice(0, 8);
    return `${generateName ?? "hook-"}${suffix}`.slice(0, 63);
}

async function deleteAndWait(conn: Connection, ref: ObjectRef, timeoutMs: number): Promise<void> {
    const existing = await readObject(conn.kc, ref);
    if (!existing) return;
    await deleteObject(conn, ref, "foreground");
    await watchObject(conn.kc, ref, (obj) => (obj ? undefined : true), timeoutMs, (obj) =>
        obj ? `${ref.kind} ${ref.name} still exists` : "deleted",
    );
}

async function podLogs(conn: Connection, namespace: string, selector: string | undefined, podName: string | undefined): Promise<string> {
    try {
        const pods = podName
            ? [podName]
            : (await conn.core.listNamespacedPod({ namespace, labelSelector: selector })).items.map((p) => p.metadata?.name ?? "");
        const parts: string[] = [];
        for (const pod of pods.filter(Boolean)) {
            const log = await conn.core.readNamespacedPodLog({ name: pod, namespace, limitBytes: LOG_LIMIT_BYTES, tailLines: 200 });
            parts.push(`--- pod ${pod}\n${log}`);
        }
        return parts.join("\n").slice(-LOG_LIMIT_BYTES);
    } catch (err) {
        // Fake nodes have no kubelet to serve logs; a real cluster does.
        return `(logs unavailable: ${(err as Error).message.split("\n")[0].slice(0, 200)})`;
    }
}

export async function runHook(inputs: RunHookInputs): Promise<HookRun> {
    const conn = connect(inputs);
    const name = hookObjectName(inputs.manifest, inputs.generateName, inputs.syncId);
    const namespace = inputs.manifest.metadata.namespace ?? "";
    const ref: ObjectRef = { apiVersion: inputs.manifest.apiVersion, kind: inputs.manifest.kind, namespace: namespace || undefined, name };
    const label = `${inputs.phase} hook ${inputs.manifest.kind} ${namespace ? `${namespace}/` : ""}${name}`;
    const policies = new Set(inputs.deletePolicies);
    const startedAt = new Date().toISOString();

    if (policies.has("BeforeHookCreation")) await deleteAndWait(conn, ref, inputs.timeoutMs);
    const metadata = { ...inputs.manifest.metadata, name };
    delete metadata.generateName;
    await conn.objects.create({ ...inputs.manifest, metadata } as never);

    let health: Health;
    try {
        health = await watchObject(
            conn.kc,
            ref,
            (obj) => {
                const h = assessHealth(obj as LiveObject | undefined);
                return h.status === "Healthy" || h.status === "Degraded" ? h : undefined;
            },
            inputs.timeoutMs,
            (obj) => {
                const h = assessHealth(obj as LiveObject | undefined);
                return `${h.status}${h.message ? `: ${h.message}` : ""}`;
            },
        );
    } catch (err) {
        if (err instanceof WaitTimeout) throw new Error(`${label} did not finish: ${err.message}`);
        throw err;
    }

    const logs =
        inputs.manifest.kind === "Job"
            ? await podLogs(conn, namespace, `job-name=${name}`, undefined)
            : inputs.manifest.kind === "Pod"
              ? await podLogs(conn, namespace, undefined, name)
              : "";
    const succeeded = health.status === "Healthy";
    if ((succeeded && policies.has("HookSucceeded")) || (!succeeded && policies.has("HookFailed"))) {
        await deleteAndWait(conn, ref, inputs.timeoutMs);
    }
    if (!succeeded) {
        throw new Error(`${label} failed: ${health.status}: ${health.message ?? "no message"}${logs ? `\n${logs.slice(-2000)}` : ""}`);
    }
    return {
        hookName: name,
        namespace,
        status: health.status,
        message: health.message ?? "",
        logs,
        startedAt,
        finishedAt: new Date().toISOString(),
    };
}
