// The web UI's stack data and live events without a cluster: what the Applications list makes of the
// recorded health, live health, drift and the preview; what an event carries; who receives it.
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { EventHub, stackEvent } from "../../cli/ui/live";
import { StackData } from "../../cli/ui/stack-data";

function data(stack = "dev"): StackData {
    const d = new StackData({ stack, cwd: "/nonexistent" });
    d.records = [{ application: "shop", project: "team", repoURL: "file:///tmp/r", targetRevision: "main", revision: "abc123", path: ".", holdsKubeconfig: false, destination: {}, syncPolicy: {}, ignoreDifferences: [] }];
    d.rows = [{ application: "shop", stage: "Sync wave 0", resource: "Deployment shop/web", status: "Healthy", message: "" }];
    d.pins = { shop: { revision: "abc123", reason: "rollback" } as never };
    return d;
}

class FakeResponse extends EventEmitter {
    written: string[] = [];
    status?: number;
    writeHead(status: number) {
        this.status = status;
        return this;
    }
    write(chunk: string) {
        this.written.push(chunk);
        return true;
    }
    end() {
        this.emit("close");
    }
}

describe("stack data", () => {
    it("shows the recorded health until the live one is read, then the live one", () => {
        const d = data();
        expect(d.appRows()[0]).toMatchObject({ application: "shop", health: { status: "Healthy" }, sync: "Unknown", pinned: true, driftCount: 0 });
        d.live.set("shop", new Map([["Deployment shop/web", { status: "Degraded", message: "crash" }]]));
        expect(d.appRows()[0].health).toEqual({ status: "Degraded", message: "crash" });
    });

    it("takes sync status from the preview, OutOfSync with drift, Unknown when the preview was refused", () => {
        const d = data();
        d.diff = { value: { revisions: [], changes: [], prunes: [], failed: [], policyViolations: [], fleet: [] }, at: "2026-12-07T10:00:00.000Z" };
        expect(d.appRows()[0].sync).toBe("Synced");
        d.diff.value!.changes.push({ application: "shop", stage: "Sync wave 0", resource: "Deployment shop/web", op: "update", diffs: [], unified: [] });
        expect(d.appRows()[0].sync).toBe("OutOfSync");
        d.diff.value!.changes = [];
        d.drift = { value: [{ application: "shop", fields: [{ resource: "Deployment shop/web", path: "spec.replicas", class: "unauthorised", reason: "" }] }] };
        expect(d.appRows()[0]).toMatchObject({ sync: "OutOfSync", driftCount: 1 });
        d.drift = {};
        d.diff.error = "policy violation";
        expect(d.appRows()[0].sync).toBe("Unknown");
    });

    it("keeps the first error's time while a stack stays stale", () => {
        const d = data();
        d.markStale(new Error("connect ECONNREFUSED 127.0.0.1:1"));
        const since = d.stale!.since;
        d.markStale(new Error("again"));
        expect(d.stale).toEqual({ error: "again", since });
    });
});

describe("live events", () => {
    it("carry the stack, its version, staleness and each Application's status", () => {
        const d = data();
        const event = stackEvent(d);
        expect(event.startsWith("event: stack\ndata: ")).toBe(true);
        expect(JSON.parse(event.split("data: ")[1])).toEqual({ stack: "dev", version: 0, stale: null, applications: [{ application: "shop", health: "Healthy", sync: "Unknown", driftCount: 0 }] });
    });

    it("reach the pages of that stack only, from the moment they connect until they close", () => {
        const hub = new EventHub();
        const dev = data("dev");
        const prod = data("prod");
        const a = new FakeResponse();
        const b = new FakeResponse();
        hub.add(a as unknown as ServerResponse, ["dev"], [dev]);
        hub.add(b as unknown as ServerResponse, ["prod"], [prod]);
        expect(a.status).toBe(200);
        expect(a.written.filter((w) => w.startsWith("event: stack"))).toHaveLength(1);
        hub.publish(dev);
        expect(a.written.filter((w) => w.startsWith("event: stack"))).toHaveLength(2);
        expect(b.written.filter((w) => w.startsWith("event: stack"))).toHaveLength(1);
        a.end();
        expect(hub.size).toBe(1);
        hub.close();
        expect(hub.size).toBe(0);
    });
});
