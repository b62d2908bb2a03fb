// What a Hook does when it runs, in the dynamic provider's process: create the hook's object, wait for
// its health (the same rules as the gates, custom ones included), keep its pods' logs, apply its delete
// policy. Fails with the hook, its status and its message. The logs and the message can hold whatever
// the hook's containers printed: the Hook resource keeps them as secret outputs.
//
// Every run is labelled with its sync id and its hook's identity. A hook with generateName gets a fresh
// name from the API server on every run, as in Argo CD, so a retry never hits AlreadyExists on an
// earlier failed run that its delete policy kept; and a retry after an interrupted run finds that run
// by its labels and waits for it instead of starting a second one.
import { createHash } from "node:crypto";
import type { ClusterAccess } from "../cluster/connection-ref";
import { assessHealth, type CustomHealthRules } from "../health/assess";
import type { Health, LiveObject } from "../health/status";
import type { Manifest } from "../sync/manifest";
import { collectionPath, connect, deleteObject, getJSON, readObject, watchObject, WaitTimeout, type Connection, type KubeObject, type ObjectRef } from "./kube-client";

export const SYNC_ID_LABEL = "syncwave.dev/sync-id";
export const HOOK_LABEL = "syncwave.dev/hook";
/** The Application's desired state the run belongs to: a retry (a new sync id) still finds an unfinished run by it. */
export const DESIRED_LABEL = "syncwave.dev/desired";

export interface RunHookInputs extends ClusterAccess {
    manifest: Manifest;
    generateName?: string;
    deletePolicies: string[];
    phase: string;
    wave: number;
    /** This run's sync: the Application's desired state, plus a retry or forced-run key. */
    syncId: string;
    /** The hook's identity in its Application (application, phase, resource): finds its earlier runs. */
    hookKey?: string;
    /** The Application's desired state (without a retry or forced run key). */
    desired?: string;
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

/** A label value for any text: label values are at most 63 characters of a narrow alphabet. */
export function labelValue(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 40);
}

/** The labels every run of a hook carries. */
export function runLabels(inputs: Pick<RunHookInputs, "syncId" | "hookKey" | "manifest" | "phase" | "desired">): Record<string, string> {
    return {
        [SYNC_ID_LABEL]: labelValue(inputs.syncId),
        [DESIRED_LABEL]: labelValue(inputs.desired ?? inputs.syncId),
        [HOOK_LABEL]: labelValue(inputs.hookKey ?? `${inputs.phase}:${inputs.manifest.kind}:${inputs.manifest.metadata.namespace ?? ""}:${inputs.manifest.metadata.name ?? inputs.manifest.metadata.generateName ?? ""}`),
    };
}

function finished(h: Health): boolean {
    return h.status === "Healthy" || h.status === "Degraded";
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

/** Earlier runs of this hook (any sync), by its label, oldest first. */
async function earlierRuns(conn: Connection, inputs: RunHookInputs, namespace: string): Promise<KubeObject[]> {
    const path = await collectionPath(conn.kc, inputs.manifest.apiVersion, inputs.manifest.kind, namespace || undefined);
    const selector = encodeURIComponent(`${HOOK_LABEL}=${runLabels(inputs)[HOOK_LABEL]}`);
    const list = await getJSON<{ items: KubeObject[] }>(conn.kc, `${path}?labelSelector=${selector}`);
    // A list's items carry no apiVersion and kind: the health rules need them.
    return (list?.items ?? []).map((item) => ({ ...item, apiVersion: inputs.manifest.apiVersion, kind: inputs.manifest.kind })).sort((a, b) => String(a.metadata.creationTimestamp ?? "").localeCompare(String(b.metadata.creationTimestamp ?? "")));
}

/**
 * The object this run waits for: an unfinished run of the same sync (an interrupted attempt) when
 * there is one, else a new one. BeforeHookCreation removes the hook's earlier runs first.
 */
async function startRun(conn: Connection, inputs: RunHookInputs, rules: CustomHealthRules): Promise<ObjectRef & { adopted: boolean }> {
    const namespace = inputs.manifest.metadata.namespace ?? "";
    const labels = runLabels(inputs);
    const policies = new Set(inputs.deletePolicies);
    const base = { apiVersion: inputs.manifest.apiVersion, kind: inputs.manifest.kind, namespace: namespace || undefined };
    const runs = await earlierRuns(conn, inputs, namespace);
    // An unfinished run of the same desired state was started by a sync that was interrupted (or a
    // retry of it): wait for that one rather than start a second.
    const sameState = runs.filter((r) => {
        const l = (r.metadata.labels as Record<string, string> | undefined) ?? {};
        return l[SYNC_ID_LABEL] === labels[SYNC_ID_LABEL] || l[DESIRED_LABEL] === labels[DESIRED_LABEL];
    });
    const running = sameState.find((r) => !finished(assessHealth(r as unknown as LiveObject, rules)));
    if (running) return { ...base, name: running.metadata.name, adopted: true };

    if (policies.has("BeforeHookCreation")) {
        if (inputs.manifest.metadata.name) await deleteAndWait(conn, { ...base, name: inputs.manifest.metadata.name }, inputs.timeoutMs);
        for (const r of runs) await deleteAndWait(conn, { ...base, name: r.metadata.name }, inputs.timeoutMs);
    }
    const metadata: Record<string, unknown> = { ...inputs.manifest.metadata, labels: { ...(inputs.manifest.metadata.labels ?? {}), ...labels } };
    if (inputs.manifest.metadata.name) delete metadata.generateName;
    else metadata.generateName = inputs.generateName ?? inputs.manifest.metadata.generateName ?? "hook-";
    // With generateName the API server picks the name: every run is a new object.
    const created = (await conn.objects.create({ ...inputs.manifest, metadata } as never)) as unknown as KubeObject;
    return { ...base, name: created.metadata.name, adopted: false };
}

export async function runHook(inputs: RunHookInputs, rules: CustomHealthRules = {}): Promise<HookRun> {
    const conn = connect(inputs);
    const startedAt = new Date().toISOString();
    const ref = await startRun(conn, inputs, rules);
    const namespace = ref.namespace ?? "";
    const label = `${inputs.phase} hook ${inputs.manifest.kind} ${namespace ? `${namespace}/` : ""}${ref.name}${ref.adopted ? " (started by an interrupted sync)" : ""}`;
    const policies = new Set(inputs.deletePolicies);

    let health: Health;
    try {
        health = await watchObject(
            conn.kc,
            ref,
            (obj) => {
                // A hook deleted while it runs has failed, as Argo CD reports it.
                if (!obj) return { status: "Degraded", message: "the hook's object was deleted while it ran" } as Health;
                const h = assessHealth(obj as LiveObject, rules);
                return finished(h) ? h : undefined;
            },
            inputs.timeoutMs,
            (obj) => {
                const h = assessHealth(obj as LiveObject | undefined, rules);
                return `${h.status}${h.message ? `: ${h.message}` : ""}`;
            },
        );
    } catch (err) {
        if (err instanceof WaitTimeout) throw new Error(`${label} did not finish: ${err.message}`);
        throw err;
    }

    const logs =
        inputs.manifest.kind === "Job"
            ? await podLogs(conn, namespace, `job-name=${ref.name}`, undefined)
            : inputs.manifest.kind === "Pod"
              ? await podLogs(conn, namespace, undefined, ref.name)
              : "";
    const succeeded = health.status === "Healthy";
    if ((succeeded && policies.has("HookSucceeded")) || (!succeeded && policies.has("HookFailed"))) {
        await deleteAndWait(conn, ref, inputs.timeoutMs);
    }
    if (!succeeded) {
        throw new Error(`${label} failed: ${health.status}: ${health.message ?? "no message"}${logs ? `\n${logs.slice(-2000)}` : ""}`);
    }
    return {
        hookName: ref.name,
        namespace,
        status: health.status,
        message: health.message ?? "",
        logs,
        startedAt,
        finishedAt: new Date().toISOString(),
    };
}
