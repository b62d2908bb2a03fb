import { readyConditionHealth } from "./ready-condition";

// argo-cd resource_customizations/cert-manager.io/Issuer/health.lua
export const issuerHealth = readyConditionHealth("Initializing issuer");

// argo-cd resource_customizations/cert-manager.io/ClusterIssuer/health.lua
export const clusterIssuerHealth = readyConditionHealth("Initializing ClusterIssuer");
