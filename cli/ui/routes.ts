// The web UI's routes: which page a GET path names, and its parameters. Pure, so the mapping is tested
// without a server.
export type Route =
    | { page: "applications" }
    | { page: "application"; stack: string; application: string; node?: string }
    | { page: "diff"; stack: string }
    | { page: "drift"; stack: string }
    | { page: "events"; stacks: string[] }
    | { page: "asset"; name: string }
    | { page: "api-applications" }
    | { page: "not-found" };

export const ASSETS = ["style.css", "client.js"];

function segment(value: string): string | undefined {
    try {
        return decodeURIComponent(value);
    } catch {
        return undefined;
    }
}

export function route(url: URL): Route {
    const parts = url.pathname.split("/").filter(Boolean).map(segment);
    if (parts.some((p) => p === undefined)) return { page: "not-found" };
    const p = parts as string[];
    if (p.length === 0) return { page: "applications" };
    if (p[0] === "assets" && p.length === 2 && ASSETS.includes(p[1])) return { page: "asset", name: p[1] };
    if (p[0] === "events" && p.length === 1) return { page: "events", stacks: url.searchParams.getAll("stack") };
    if (p[0] === "api" && p[1] === "applications" && p.length === 2) return { page: "api-applications" };
    if (p[0] === "stacks" && p.length === 3 && p[2] === "diff") return { page: "diff", stack: p[1] };
    if (p[0] === "stacks" && p.length === 3 && p[2] === "drift") return { page: "drift", stack: p[1] };
    if (p[0] === "stacks" && p.length === 4 && p[2] === "applications") return { page: "application", stack: p[1], application: p[3], node: url.searchParams.get("node") ?? undefined };
    return { page: "not-found" };
}
