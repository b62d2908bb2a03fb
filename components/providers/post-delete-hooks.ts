// PostDelete hooks: run when the Application is destroyed, after its resources are gone. Every
// resource of the Application depends on this one, so the engine deletes it last.
import * as pulumi from "@pulumi/pulumi";
import type { SyncFailHook } from "./health-gate-runtime";

export interface PostDeleteHooksArgs {
    kubeconfig: pulumi.Input<string>;
    application: string;
    hooks: SyncFailHook[];
}

interface StoredInputs {
    kubeconfig: string;
    application: string;
    hooks: SyncFailHook[];
    modules: { runtime: string };
}

const RUNTIME_MODULE = require.resolve("./hook-runtime");

const postDeleteProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: StoredInputs) {
        return { id: `${inputs.application}/post-delete`, outs: inputs };
    },
    async update(_id: string, _olds: StoredInputs, news: StoredInputs) {
        return { outs: news };
    },
    async delete(_id: string, props: StoredInputs) {
        if (props.hooks.length === 0) return;
        require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
        const runtime = require(props.modules.runtime) as typeof import("./hook-runtime");
        for (const hook of props.hooks) {
            await runtime.runHook({ ...hook, kubeconfig: props.kubeconfig, syncId: `${props.application}:post-delete:${Date.now()}` });
        }
    },
};

export class PostDeleteHooks extends pulumi.dynamic.Resource {
    constructor(name: string, args: PostDeleteHooksArgs, opts?: pulumi.CustomResourceOptions) {
        super(postDeleteProvider, name, { ...args, modules: { runtime: RUNTIME_MODULE } }, { ...opts, additionalSecretOutputs: ["kubeconfig"] }, "syncwave", "PostDeleteHooks");
    }
}
