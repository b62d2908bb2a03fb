// `syncwave ui`: a read-only web server over the stacks' data. Only GET (and HEAD) is answered; every
// request must name this server in its Host header (DNS rebinding) and, when bound beyond the
// loopback address, carry the token printed at start. Pages are rendered here, whole; a small
// client script only follows the live updates.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { applicationContent, applicationsContent, diffContent, driftContent, page, type StackState } from "./html";
import { EventHub, StackWatcher } from "./live";
import { route, type Route } from "./routes";
import { checkToken, hostAllowed } from "./security";
import { StackData } from "./stack-data";
import { applicationHistory, groupRows, type AppFilter } from "./view-model";

/** A diff older than this is computed again when its page is opened. */
const DIFF_MAX_AGE_MS = 60_000;

export interface UiOptions {
    stacks: readonly string[];
    cwd: string;
    env?: Record<string, string>;
    address: string;
    port: number;
    /** Required on every request; undefined on the loopback address without --token. */
    token?: string;
    /** Policy packs (and their configuration) the Diff page's preview runs, as `syncwave diff --policy-pack` does. */
    policyPacks?: string[];
    policyPackConfigs?: string[];
    log?: (line: string) => void;
}

export interface UiServer {
    url: string;
    address: string;
    port: number;
    close(): Promise<void>;
}

const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function securityHeaders(res: ServerResponse): void {
    res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cache-Control", "no-store");
}

function send(res: ServerResponse, status: number, type: string, body: string, head = false): void {
    res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
    res.end(head ? undefined : body);
}

/** The machine's own addresses: the names a request to a server bound to every address may use. */
function ownAddresses(): string[] {
    return Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .map((i) => i.address);
}

export async function startUi(options: UiOptions): Promise<UiServer> {
    const log = options.log ?? ((line: string) => console.error(line));
    const hub = new EventHub();
    const data = options.stacks.map((stack) => new StackData({ stack, cwd: options.cwd, env: options.env, policyPacks: options.policyPacks, policyPackConfigs: options.policyPackConfigs }, (d) => hub.publish(d)));
    // A stack that does not exist, or whose state cannot be read, is an error at start, not a blank page.
    for (const d of data) await d.readStored();
    const byStack = new Map(data.map((d) => [d.stack, d]));
    const watchers = data.map((d) => new StackWatcher(d));
    const assets = new Map(["style.css", "client.js"].map((name) => [name, readFileSync(resolve(__dirname, "assets", name), "utf8")]));
    const stackStates = (): StackState[] => data.map((d) => ({ stack: d.stack, stale: d.stale, version: d.version }));
    const wildcard = options.address === "0.0.0.0" || options.address === "::";
    let bound = { address: options.address, port: options.port };

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        securityHeaders(res);
        if (!hostAllowed(req.headers.host, bound, wildcard ? ownAddresses() : [])) {
            send(res, 403, "text/plain; charset=utf-8", `403: the Host header must name this server (${bound.address}:${bound.port})\n`);
            return;
        }
        if (req.method !== "GET" && req.method !== "HEAD") {
            res.setHeader("Allow", "GET, HEAD");
            send(res, 405, "text/plain; charset=utf-8", "405: this UI is read-only\n");
            return;
        }
        const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
        const token = checkToken(options.token, { headers: req.headers, url });
        if (!token.ok) {
            send(res, 401, "text/plain; charset=utf-8", "401: this server needs the token printed when it started (?token=, or the X-Syncwave-Token header)\n");
            return;
        }
        if (token.setCookie) {
            // The token leaves the address bar (and the history) once it is a cookie.
            url.searchParams.delete("token");
            res.setHeader("Set-Cookie", token.setCookie);
            res.writeHead(303, { Location: `${url.pathname}${url.search}` });
            res.end();
            return;
        }
        const head = req.method === "HEAD";
        const r = route(url);
        const partial = url.searchParams.get("partial") === "1";
        const html = (layout: Parameters<typeof page>[0], content: string) =>
            send(res, 200, "text/html; charset=utf-8", partial ? content : page(layout, content), head);
        const stackOf = (name: string) => byStack.get(name);
        switch (r.page) {
            case "asset":
                send(res, 200, r.name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", assets.get(r.name)!, head);
                return;
            case "events": {
                const stacks = r.stacks.length ? r.stacks.filter((s) => byStack.has(s)) : data.map((d) => d.stack);
                hub.add(res, stacks, data.filter((d) => stacks.includes(d.stack)));
                return;
            }
            case "api-applications":
                send(res, 200, "application/json; charset=utf-8", JSON.stringify({ stacks: stackStates(), applications: data.flatMap((d) => d.appRows()) }), head);
                return;
            case "applications": {
                const filter: AppFilter = {
                    project: url.searchParams.get("project") || undefined,
                    health: url.searchParams.get("health") || undefined,
                    sync: url.searchParams.get("sync") || undefined,
                    label: url.searchParams.get("label") || undefined,
                };
                html({ title: "Applications", current: "applications", stacks: stackStates() }, applicationsContent(groupRows(data.flatMap((d) => d.appRows())), filter, stackStates()));
                return;
            }
            case "application": {
                const d = stackOf(r.stack);
                const rows = d?.appRows() ?? [];
                const row = rows.find((a) => a.application === r.application);
                if (!d || !row) return notFound(res, r, head);
                const [columns, detail] = await Promise.all([d.tree(r.application), r.node ? d.detail(r.application, r.node) : Promise.resolve(undefined)]);
                const state: StackState = { stack: d.stack, stale: d.stale, version: d.version };
                html(
                    { title: `Application ${r.application}`, current: "application", stacks: [state], stack: d.stack },
                    applicationContent({ stack: state, row, columns, history: applicationHistory(r.application, d.history.value ?? []), historyPending: !d.history.value, selected: r.node, detail, children: rows.filter((c) => c.owner === `application ${r.application}`) }),
                );
                return;
            }
            case "diff": {
                const d = stackOf(r.stack);
                if (!d) return notFound(res, r, head);
                const at = d.diff.at ? Date.parse(d.diff.at) : 0;
                const outdated = Date.now() - at > DIFF_MAX_AGE_MS || at < d.driftChangedAt;
                if (!d.diff.running && outdated && !partial) void d.readDiff();
                const state: StackState = { stack: d.stack, stale: d.stale, version: d.version };
                html({ title: `Diff of ${d.stack}`, current: "diff", stacks: [state], stack: d.stack }, diffContent(state, { result: d.diff.value, at: d.diff.at, running: d.diff.running, error: d.diff.error, policyPacks: d.policy.packs ?? [] }));
                return;
            }
            case "drift": {
                const d = stackOf(r.stack);
                if (!d) return notFound(res, r, head);
                const state: StackState = { stack: d.stack, stale: d.stale, version: d.version };
                html({ title: `Drift of ${d.stack}`, current: "drift", stacks: [state], stack: d.stack }, driftContent(state, { reports: d.drift.value, at: d.drift.at, error: d.drift.error }));
                return;
            }
            default:
                return notFound(res, r, head);
        }
    };

    const notFound = (res: ServerResponse, _r: Route, head: boolean) => send(res, 404, "text/plain; charset=utf-8", "404: no such page, stack or application\n", head);

    const server: Server = createServer((req, res) => {
        handle(req, res).catch((err: Error) => {
            log(`syncwave ui: ${req.method} ${req.url}: ${err.stack ?? err.message}`);
            if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `500: ${err.message}\n`);
            else res.end();
        });
    });
    await new Promise<void>((done, fail) => {
        server.once("error", fail);
        server.listen(options.port, options.address, () => done());
    });
    const address = server.address() as AddressInfo;
    bound = { address: options.address, port: address.port };
    const hostForUrl = options.address.includes(":") ? `[${options.address}]` : options.address;

    // The first reads happen after the server answers: the pages show what is there, and update.
    void (async () => {
        for (const [i, d] of data.entries()) {
            await watchers[i].refresh();
            await watchers[i].start();
            void d.readHistory();
        }
        // The preview is the slow part (the engine refreshes every object): one stack after another.
        for (const d of data) await d.readDiff();
    })().catch((err: Error) => log(`syncwave ui: ${err.message}`));

    return {
        url: `http://${hostForUrl}:${address.port}/`,
        address: options.address,
        port: address.port,
        close: async () => {
            for (const w of watchers) w.close();
            hub.close();
            server.closeAllConnections();
            await new Promise<void>((done) => server.close(() => done()));
            // A preview under way got the signal too and cancels; its engine is waited for, 30 s at most.
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([Promise.all(data.map((d) => d.previewDone())), new Promise<void>((done) => (timer = setTimeout(done, 30_000)))]);
            clearTimeout(timer);
        },
    };
}


