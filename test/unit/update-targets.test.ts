// Which steps a targeted update may touch: never anything under an Application left out of the sync,
// at any depth (the children of a parent that failed the preview are deletes in the preview).
import { describe, expect, it } from "vitest";
import { targetsOf } from "../../cli/commands/sync";

const stack = "urn:pulumi:s::syncwave::pulumi:pulumi:Stack::syncwave-s";
const app = (name: string, parentType = "") => `urn:pulumi:s::syncwave::${parentType}syncwave:index:Application::${name}`;
const step = (urn: string, type: string, op: string, parent: string) => ({ resourcePreEvent: { metadata: { urn, type, op, old: { parent }, new: op === "delete" ? undefined : { parent } } } }) as never;

describe("update targets", () => {
    const root = app("root");
    const child = app("db", "syncwave:index:Application$");
    const events = [
        step(root, "syncwave:index:Application", "same", stack),
        step(`${root}-own`, "kubernetes:core/v1:ConfigMap", "update", root),
        step(child, "syncwave:index:Application", "delete", root),
        step("urn:pulumi:s::syncwave::syncwave:index:Application$syncwave:index:Application$pulumi-nodejs:dynamic/syncwave:Pruner::db:prune", "pulumi-nodejs:dynamic:Resource", "delete", child),
        step(app("other"), "syncwave:index:Application", "same", stack),
        step("urn:pulumi:s::syncwave::syncwave:index:Application$kubernetes:core/v1:ConfigMap::x", "kubernetes:core/v1:ConfigMap", "update", app("other")),
    ];
    it("leaves out a left-out parent's children and everything under them", () => {
        const targets = targetsOf(events, (a) => a !== "root");
        expect(targets).toEqual(["urn:pulumi:s::syncwave::syncwave:index:Application$kubernetes:core/v1:ConfigMap::x"]);
    });
    it("targets a new component but not an existing one", () => {
        const created = [step(app("new"), "syncwave:index:Application", "create", stack), ...events];
        expect(targetsOf(created, (a) => a !== "root")).toContain(app("new"));
        expect(targetsOf(created, (a) => a !== "root")).not.toContain(app("other"));
    });
    it("syncs a child alone: its parent is declared (it declares the child) but not targeted", () => {
        const childEvents = [
            step(root, "syncwave:index:Application", "same", stack),
            step(`${root}-own`, "kubernetes:core/v1:ConfigMap", "update", root),
            step(child, "syncwave:index:Application", "same", root),
            step(`${child}-cm`, "kubernetes:core/v1:ConfigMap", "update", child),
        ];
        expect(targetsOf(childEvents, (a) => a === "db", (a) => a === "db" || a === "root")).toEqual([`${child}-cm`]);
        // Were the parent not declared, the child's steps would be deletes: never targeted.
        expect(targetsOf(childEvents, (a) => a === "db")).toEqual([]);
    });
});
