import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        globalSetup: ["test/global-setup.ts"],
        // Integration tests drive the real Pulumi engine and a real cluster: minutes, not milliseconds.
        testTimeout: 600_000,
        hookTimeout: 600_000,
        // Two cores: files that start the engine or the cluster run one at a time.
        fileParallelism: false,
        reporters: ["default"],
    },
});
