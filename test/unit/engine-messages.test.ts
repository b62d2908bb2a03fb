// The engine's error messages as a sync reports them: an object by its kind, namespace and name, not its URN.
import { describe, expect, it } from "vitest";
import { namingObjects } from "../../cli/commands/sync";

describe("provider errors name the object", () => {
    it.each([
        [
            'resource "urn:pulumi:dev::syncwave::syncwave:index:Application$kubernetes:core/v1:ConfigMap::/ConfigMap/shop/guarded" was not successfully created by the Kubernetes API server: denied',
            "ConfigMap shop/guarded was not successfully created by the Kubernetes API server: denied",
        ],
        [
            'resource "urn:pulumi:dev::syncwave::syncwave:index:ApplicationSet$syncwave:index:Application$kubernetes:apps/v1:Deployment::apps/Deployment/shop/api" failed',
            "Deployment shop/api failed",
        ],
        ['resource "urn:pulumi:dev::syncwave::syncwave:index:Application$kubernetes:core/v1:Namespace::/Namespace//shop" failed', "Namespace shop failed"],
        // Not a Kubernetes object: left as the engine said it.
        ['resource "urn:pulumi:dev::syncwave::syncwave:index:Application$pulumi-nodejs:dynamic/syncwave:HealthGate::web:Sync wave 1" failed', 'resource "urn:pulumi:dev::syncwave::syncwave:index:Application$pulumi-nodejs:dynamic/syncwave:HealthGate::web:Sync wave 1" failed'],
        ["update failed", "update failed"],
    ])("%s", (message, want) => expect(namingObjects(message)).toBe(want));
});
