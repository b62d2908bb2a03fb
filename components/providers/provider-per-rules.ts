// One dynamic provider object per set of custom health rules: the rules travel in the provider's
// closure, and Pulumi serializes a provider object once however many resources use it.
import type * as pulumi from "@pulumi/pulumi";
import type { CustomHealthRules } from "../health/assess";

export function providerPerRules(make: (rules: CustomHealthRules) => pulumi.dynamic.ResourceProvider): (rules: CustomHealthRules) => pulumi.dynamic.ResourceProvider {
    const providers = new WeakMap<CustomHealthRules, pulumi.dynamic.ResourceProvider>();
    return (rules) => {
        let provider = providers.get(rules);
        if (!provider) {
            provider = make(rules);
            providers.set(rules, provider);
        }
        return provider;
    };
}
