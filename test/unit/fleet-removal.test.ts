// A parent removed without its cascade finalizer must not take its children's objects with it.
import { describe, expect, it } from "vitest";
import { cascadingOrphans } from "../../cli/fleet-removal";

const stack = "urn:pulumi:s::syncwave::pulumi:pulumi:Stack::syncwave-s";
const root = "urn:pulumi:s::syncwave::syncwave:index:Application::root";
const child = (name: string) => `urn:pulumi:s::syncwave::syncwave:index:Application$syncwave:index:Application::${name}`;
const component = (urn: string, parent: string) => ({ resourcePreEvent: { metadata: { urn, type: "syncwave:index:Application", op: "delete", old: { parent } } } }) as never;
const pruner = (owner: string, cascade: boolean, op = "delete") =>
    ({ resourcePreEvent: { metadata: { urn: `${owner}-pruner`, type: "pulumi-nodejs:dynamic/syncwave:Pruner", op, old: { parent: owner, outputs: { cascade } } } } }) as never;

describe("removing a parent Application", () => {
    it("is refused without its cascade finalizer when a child would cascade", () => {
        const events = [component(root, stack), pruner(root, false), component(child("db"), root), pruner(child("db"), true), component(child("api"), root), pruner(child("api"), false)];
        expect(cascadingOrphans(events)).toEqual([{ parent: "root", children: ["db"] }]);
    });
    it("is allowed with the cascade finalizer (Argo CD deletes the children, whose finalizers decide)", () => {
        expect(cascadingOrphans([component(root, stack), pruner(root, true), component(child("db"), root), pruner(child("db"), true)])).toEqual([]);
    });
    it("does not concern a child leaving a parent that stays", () => {
        expect(cascadingOrphans([pruner(root, false, "same"), component(child("db"), root), pruner(child("db"), true)])).toEqual([]);
    });
});
