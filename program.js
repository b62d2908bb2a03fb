// The stack program's entry point (Pulumi.yaml `main`): SyncWave's TypeScript, run through the
// transpile cache (cli/bin/require-ts.js) rather than compiled by ts-node on every run.
"use strict";
require("./cli/bin/require-ts");
module.exports = require("./index.ts");
