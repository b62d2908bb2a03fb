// Live updates: Kubernetes watches on every collection a stack's managed objects live in (and the
// ReplicaSets and Pods of its workloads' namespaces) start a fresh read of the stack's live health
// and drift; each change is pushed to the open pages as a server-sent event, and the pages fetch
// what they show again. A watch that cannot be kept open marks the stack stale with its error.
import * as k8s from "@kubernetes/client-node";
import type { ServerResponse } from "node:http";
import { collectionPath } from "../../components/cluster/kube-http";
import { connect } from "../../components/providers/kube-client";
import { recordCluster } from "../commands/state";
import { WORKLOAD_KINDS, type StackData } from "./stack-data";

/** Changes closer together than this are read once. */
const SETTLE_MS = 300;
/** A watch that ended or failed is opened again after this long. */
const RESTART_MS = 2_000;
/** How often (at least) the stored state is looked at for a sync that ran meanwhile. */
const STATE_POLL_MS = 5_000;
/** A comment on every open event stream this often keeps proxies and the browser from closing it. */
const HEARTBEAT_MS = 15_000;

/** The event a page receives: which stack changed, and its Applications' status now. */
export function stackEvent(data: StackData): string {
    const payload = {
        stack: data.stack,
        version: data.version,
        stale: data.stale ?? null,
        applications: data.appRows().map((r) => ({ application: r.application, health: r.health.status, sync: r.sync, driftCount: r.driftCount })),
    };
    return `event: stack\ndata: ${JSON.stringify(payload)}\n\n`;
}

export class EventHub {
    private readonly clients = new Set<{ res: ServerResponse; stacks: Set<string> }>();
    private readonly heartbeat: NodeJS.Timeout;

    constructor() {
        this.heartbeat = setInterval(() => {
            for (const c of this.clients) c.res.write(": keep-alive\n\n");
        }, HEARTBEAT_MS);
        this.heartbeat.unref();
    }

    add(res: ServerResponse, stacks: readonly string[], initial: readonly StackData[]): void {
        res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive" });
        // The browser reconnects after this long when the stream breaks.
        res.write("retry: 2000\n\n");
        const client = { res, stacks: new Set(stacks) };
        this.clients.add(client);
        for (const data of initial) res.write(stackEvent(data));
        res.on("close", () => this.clients.delete(client));
    }

    publish(data: StackData): void {
        const event = stackEvent(data);
        for (const c of this.clients) if (c.stacks.has(data.stack)) c.res.write(event);
    }

    close(): void {
        clearInterval(this.heartbeat);
        for (const c of this.clients) c.res.end();
        this.clients.clear();
    }

    get size(): number {
        return this.clients.size;
    }
}

/** Watches one stack's cluster(s) and keeps its StackData current. */
export class StackWatcher {
    private readonly controllers: AbortController[] = [];
    private timer?: NodeJS.Timeout;
    private poll?: NodeJS.Timeout;
    private refreshing = false;
    private again = false;
    private closed = false;
    private stateKey = "";

    constructor(private readonly data: StackData) {}

    async start(): Promise<void> {
        this.stateKey = this.keyOfState();
        await this.openWatches();
        this.schedulePoll(STATE_POLL_MS);
    }

    /** The next look at the stored state; a slow read (a remote backend's `pulumi stack export`) is made less often. */
    private schedulePoll(afterMs: number): void {
        if (this.closed) return;
        this.poll = setTimeout(() => {
            const started = Date.now();
            void this.checkState().finally(() => this.schedulePoll(Math.max(STATE_POLL_MS, 10 * (Date.now() - started))));
        }, afterMs);
        this.poll.unref();
    }

    private keyOfState(): string {
        return JSON.stringify([this.data.records, this.data.rows, this.data.pins]);
    }

    /** A sync, rollback or pin since the last look: read the stored data and history again. */
    private async checkState(): Promise<void> {
        if (this.closed) return;
        try {
            await this.data.readStored();
        } catch {
            return;
        }
        const key = this.keyOfState();
        if (key === this.stateKey) return;
        this.stateKey = key;
        this.stopWatches();
        await this.openWatches();
        void this.data.readHistory();
        this.changed();
    }

    /** The collections to watch: (cluster, path), each once. */
    private async collections(): Promise<{ kc: k8s.KubeConfig; path: string }[]> {
        const recordOf = new Map(this.data.records.map((r) => [r.application, r]));
        const seen = new Map<string, { kc: k8s.KubeConfig; path: string }>();
        const kcs = new Map<string, k8s.KubeConfig>();
        for (const o of this.data.objects) {
            const record = recordOf.get(o.application);
            if (!record) continue;
            const cluster = recordCluster(record);
            const clusterKey = JSON.stringify(cluster);
            let kc = kcs.get(clusterKey);
            if (!kc) {
                kc = connect({ cluster }).kc;
                kcs.set(clusterKey, kc);
            }
            const refs = [{ apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace }];
            if (o.namespace && WORKLOAD_KINDS.has(o.kind)) {
                refs.push({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: o.namespace }, { apiVersion: "v1", kind: "Pod", namespace: o.namespace });
            }
            for (const ref of refs) {
                const path = await collectionPath(kc, ref.apiVersion, ref.kind, ref.namespace).catch((err: Error) => {
                    // A kind the API server no longer serves has nothing to watch; anything else is the cluster's failure.
                    if (!err.message.startsWith("the API server does not serve")) throw err;
                    return undefined;
                });
                if (path) seen.set(`${clusterKey}\0${path}`, { kc, path });
            }
        }
        return [...seen.values()];
    }

    private async openWatches(): Promise<void> {
        if (this.closed) return;
        let collections: { kc: k8s.KubeConfig; path: string }[];
        try {
            collections = await this.collections();
        } catch (err) {
            // The cluster cannot be asked what to watch: stale until it can, tried again every few seconds.
            this.data.markStale(err);
            this.changed();
            const retry = setTimeout(() => void this.openWatches(), RESTART_MS * 5);
            retry.unref();
            return;
        }
        if (this.closed) return;
        for (const { kc, path } of collections) this.watch(kc, path);
    }

    private watch(kc: k8s.KubeConfig, path: string): void {
        if (this.closed) return;
        const controllerSlot = { controller: undefined as AbortController | undefined };
        const restart = (err?: unknown) => {
            if (this.closed || controllerSlot.controller?.signal.aborted) return;
            if (err) {
                this.data.markStale(err);
                this.changed();
            }
            setTimeout(() => this.watch(kc, path), RESTART_MS).unref();
        };
        // The watch starts from now: what happened before is in the read the change triggers.
        new k8s.Watch(kc)
            .watch(
                path,
                { allowWatchBookmarks: true },
                (type: string) => {
                    if (type !== "BOOKMARK") this.changed();
                },
                (err) => restart(err ?? undefined),
            )
            .then((controller) => {
                controllerSlot.controller = controller;
                this.controllers.push(controller);
            })
            .catch(restart);
    }

    /** Something changed: read the live health and drift again, once changes settle, one read at a time. */
    changed(): void {
        if (this.closed) return;
        if (this.refreshing) {
            this.again = true;
            return;
        }
        // Already scheduled: that read will see this change too (a steady stream of events never postpones it).
        if (this.timer) return;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.refresh();
        }, SETTLE_MS);
        this.timer.unref();
    }

    async refresh(): Promise<void> {
        this.refreshing = true;
        try {
            await this.data.readLive();
            if (!this.data.stale) await this.data.readDrift();
        } finally {
            this.refreshing = false;
            if (this.again) {
                this.again = false;
                this.changed();
            }
        }
    }

    private stopWatches(): void {
        for (const c of this.controllers.splice(0)) c.abort();
    }

    close(): void {
        this.closed = true;
        clearTimeout(this.timer);
        clearTimeout(this.poll);
        this.stopWatches();
    }
}
