// The policy pack's entry point: its TypeScript runs through SyncWave's transpile cache
// (cli/bin/require-ts.js), so a run neither type-checks nor compiles what did not change (Pulumi's
// policy runner would type-check the whole pack with ts-node on every preview and update).
"use strict";
require("../cli/bin/require-ts");
module.exports = require("./index.ts");
