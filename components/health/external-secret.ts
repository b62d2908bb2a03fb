import { readyConditionHealth } from "./ready-condition";

// argo-cd resource_customizations/external-secrets.io/ExternalSecret/health.lua
export const externalSecretHealth = readyConditionHealth("Waiting for ExternalSecret");
