// Table tests of the rules for custom resources Argo CD ships a check for. Each object keeps only the
// fields the rule reads from the fixture named in the row (argo-cd resource_customizations/<group>/<Kind>/
// testdata/), and expects what that kind's health_test.yaml expects.
import { describe, expect, it } from "vitest";
import { assessHealth } from "../../components/health/assess";
import type { LiveObject } from "../../components/health/status";

type Row = [fixture: string, obj: LiveObject, status: string, message?: string];

function check(rows: Row[]): void {
    it.each(rows)("%s is %s", (_fixture, obj, status, message) => {
        const health = assessHealth(obj);
        expect(health.status).toBe(status);
        if (message !== undefined) expect(health.message).toBe(message);
    });
}

const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message });

describe("argoproj.io/Rollout", () => {
    const rollout = (o: { generation?: number; annotations?: Record<string, string>; spec?: object; status?: object }): LiveObject => ({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "r", namespace: "shop", generation: o.generation, annotations: o.annotations },
        spec: o.spec ?? {},
        ...(o.status ? { status: o.status } : {}),
    });
    const canary = { strategy: { canary: {} } };
    const blueGreen = { strategy: { blueGreen: {} } };
    const available = cond("Available", "True", "AvailableReason", "Rollout has minimum availability");
    const workloadRef = { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "rollout-ref-deployment" } };
    check([
        ["newRolloutWithoutStatus", rollout({ generation: 1, spec: canary }), "Progressing", "Waiting for rollout spec update to be observed"],
        [
            "progressing_newGeneration",
            rollout({ generation: 2, spec: { replicas: 1, ...canary }, status: { observedGeneration: "1", currentPodHash: "754cb84d5", stableRS: "754cb84d5", replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [available] } }),
            "Progressing",
            "Waiting for rollout spec update to be observed",
        ],
        [
            "progressing_newWorkloadGeneration",
            rollout({ generation: 3, annotations: { "rollout.argoproj.io/workload-generation": "2" }, spec: { replicas: 5, ...workloadRef, ...canary }, status: { observedGeneration: "3", workloadObservedGeneration: "1", phase: "Healthy" } }),
            "Progressing",
            "Waiting for rollout spec update to be observed",
        ],
        [
            "healthy_newWorkloadGeneration",
            rollout({ generation: 3, annotations: { "rollout.argoproj.io/workload-generation": "1" }, spec: { replicas: 5, ...workloadRef, ...canary }, status: { observedGeneration: "3", workloadObservedGeneration: "1", phase: "Healthy" } }),
            "Healthy",
        ],
        [
            "healthy_legacy_v1.0_newWorkloadGeneration",
            rollout({ generation: 3, spec: { replicas: 5, ...workloadRef, ...canary }, status: { observedGeneration: "3", phase: "Healthy" } }),
            "Healthy",
        ],
        ["degraded_statusPhaseMessage", rollout({ generation: 1, spec: { replicas: 1, ...canary }, status: { observedGeneration: "8575574967", phase: "Degraded", message: "InvalidSpec", conditions: [] } }), "Degraded", "InvalidSpec"],
        [
            "suspended_v1.0_pausedRollout",
            rollout({ generation: 5, spec: { replicas: 5, ...canary }, status: { observedGeneration: "5", phase: "Paused", message: "CanaryPauseStep", pauseConditions: [{ reason: "CanaryPauseStep" }] } }),
            "Suspended",
            "CanaryPauseStep",
        ],
        [
            "healthy_legacy_v0.9_observedGeneration (a hash, not a number)",
            rollout({ generation: 1, spec: { replicas: 1, ...canary }, status: { observedGeneration: "abc123", currentPodHash: "754cb84d5", stableRS: "754cb84d5", replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [available] } }),
            "Healthy",
        ],
        [
            "healthy_legacy_v0.9_observedGeneration_numeric (a hash of digits)",
            rollout({ generation: 1, spec: { replicas: 1, ...canary }, status: { observedGeneration: "8575574967", currentPodHash: "754cb84d5", stableRS: "754cb84d5", replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [available] } }),
            "Healthy",
        ],
        [
            "degraded_invalidSpec",
            rollout({
                generation: 3, spec: { replicas: 1, strategy: {} },
                status: { observedGeneration: "3", currentPodHash: "754cb84d5", stableRS: "754cb84d5", replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [available, cond("InvalidSpec", "True", "InvalidSpec", "The Rollout \"basic\" is invalid: spec.strategy.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'")] },
            }),
            "Degraded",
            "The Rollout \"basic\" is invalid: spec.strategy.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
        ],
        [
            "degraded_rolloutTimeout",
            rollout({
                generation: 1, spec: { replicas: 3, ...blueGreen },
                status: { observedGeneration: "7bcdbf7bd9", currentPodHash: "6b8cf6f7db", blueGreen: { activeSelector: "8464d8564d" }, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [available, cond("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"guestbook-bluegreen-helm-guestbook-6b8cf6f7db\" has timed out progressing.")] },
            }),
            "Degraded",
            "ReplicaSet \"guestbook-bluegreen-helm-guestbook-6b8cf6f7db\" has timed out progressing.",
        ],
        [
            "degraded_abortedRollout",
            rollout({
                spec: { replicas: 5, ...canary },
                status: { abort: true, observedGeneration: "58b949649c", currentPodHash: "6758949f55", canary: { stableRS: "645d5dbc4c" }, replicas: 5, availableReplicas: 5, conditions: [available, cond("Progressing", "False", "RolloutAborted", "Rollout is aborted")] },
            }),
            "Degraded",
            "Rollout is aborted",
        ],
        [
            "bluegreen/healthy_servingActiveService",
            rollout({ generation: 1, spec: { replicas: 1, ...blueGreen }, status: { observedGeneration: "77646c9d4c", currentPodHash: "dc689d967", blueGreen: { activeSelector: "dc689d967" }, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }),
            "Healthy",
        ],
        [
            "bluegreen/progressing_addingMoreReplicas",
            rollout({ generation: 1, spec: { replicas: 3, ...blueGreen }, status: { observedGeneration: "767f98959f", currentPodHash: "697fb9575c", replicas: 3, updatedReplicas: 0, availableReplicas: 3 } }),
            "Progressing",
            "Waiting for roll out to finish: More replicas need to be updated",
        ],
        [
            "bluegreen/progressing_waitingUntilAvailable",
            rollout({ generation: 1, spec: { replicas: 3, ...blueGreen }, status: { observedGeneration: "767f98959f", currentPodHash: "697fb9575c", replicas: 3, updatedReplicas: 3, availableReplicas: 0 } }),
            "Progressing",
            "Waiting for roll out to finish: updated replicas are still becoming available",
        ],
        [
            "canary/progressing_setWeightStep",
            rollout({ generation: 1, spec: { replicas: 5, ...canary }, status: { observedGeneration: "6df79499bc", currentPodHash: "6b566f47b7", canary: { stableRS: "df986d68" }, replicas: 5, updatedReplicas: 2, availableReplicas: 5 } }),
            "Progressing",
            "Waiting for roll out to finish: More replicas need to be updated",
        ],
        [
            "canary/progressing_killingOldReplicas",
            rollout({ generation: 101, spec: { replicas: 5, ...canary }, status: { observedGeneration: "7fcc96c7b7", currentPodHash: "694fb7759c", canary: { stableRS: "74d6dc8544" }, replicas: 6, updatedReplicas: 5, availableReplicas: 5 } }),
            "Progressing",
            "Waiting for roll out to finish: old replicas are pending termination",
        ],
        [
            "suspended_controllerPause",
            rollout({ spec: { replicas: 5, ...canary }, status: { observedGeneration: "5b9f9dd6c6", currentPodHash: "6758949f55", pauseConditions: [{ reason: "CanaryPauseStep" }], replicas: 5, updatedReplicas: 1, availableReplicas: 5 } }),
            "Suspended",
            "Rollout is paused",
        ],
        [
            "suspended_userPause",
            rollout({ spec: { replicas: 5, paused: true, ...canary }, status: { observedGeneration: "5c788f4484", currentPodHash: "6b566f47b7", canary: { stableRS: "df986d68" }, replicas: 5, updatedReplicas: 1, availableReplicas: 5 } }),
            "Suspended",
            "Rollout is paused",
        ],
        [
            "canary/healthy_executedAllStepsPreV0.8 (stableRS under status.canary)",
            rollout({ generation: 1, spec: { replicas: 5, ...canary }, status: { observedGeneration: "c45557fd9", currentPodHash: "84ccfddd66", canary: { stableRS: "84ccfddd66" }, replicas: 5, updatedReplicas: 5, availableReplicas: 5 } }),
            "Healthy",
        ],
        [
            "canary/healthy_executedAllSteps",
            rollout({ generation: 1, spec: { replicas: 5, ...canary }, status: { observedGeneration: "c45557fd9", currentPodHash: "84ccfddd66", stableRS: "84ccfddd66", canary: {}, replicas: 5, updatedReplicas: 5, availableReplicas: 5 } }),
            "Healthy",
        ],
        [
            "canary/progressing_noSteps",
            rollout({ generation: 1, spec: { replicas: 5, ...canary }, status: { observedGeneration: "6886f85bff", currentPodHash: "567dd56d89", canary: { stableRS: "567dd56d89" }, replicas: 6, updatedReplicas: 5, availableReplicas: 2 } }),
            "Progressing",
            "Waiting for roll out to finish: updated replicas are still becoming available",
        ],
        [
            "canary/healthy_noSteps",
            rollout({ generation: 1, spec: { replicas: 5, ...canary }, status: { observedGeneration: "6886f85bff", currentPodHash: "567dd56d89", canary: { stableRS: "567dd56d89" }, replicas: 5, updatedReplicas: 5, availableReplicas: 5 } }),
            "Healthy",
        ],
    ]);
});

describe("cert-manager.io", () => {
    const cm = (kind: string, status?: object): LiveObject => ({
        apiVersion: "cert-manager.io/v1", kind, metadata: { name: "x", generation: 1 }, spec: {}, ...(status ? { status } : {}),
    });
    const issuing = cond("Issuing", "True", "DoesNotExist", "Issuing certificate as Secret does not exist");
    const notReady = cond("Ready", "False", "DoesNotExist", "Issuing certificate as Secret does not exist");
    const acmeFailed = cond("Ready", "False", "ErrRegisterACMEAccount", "Failed to verify ACME account: acme: : 404 page not found\n");
    const registered = cond("Ready", "True", "ACMEAccountRegistered", "The ACME account was registered with the ACME server");
    const validated = cond("ValidateFailed", "False", "OrderValidated", "Order validated");
    check([
        ["Certificate progressing_noStatus", cm("Certificate"), "Progressing", "Waiting for certificate"],
        ["Certificate progressing_issuing", cm("Certificate", { conditions: [issuing, notReady] }), "Progressing", "Issuing certificate as Secret does not exist"],
        ["Certificate progressing_issuing_last", cm("Certificate", { conditions: [notReady, issuing] }), "Progressing", "Issuing certificate as Secret does not exist"],
        [
            "Certificate degraded_configError",
            cm("Certificate", { conditions: [cond("Ready", "False", "ConfigError", "Resource validation failed: spec.acme.config: Required value: no ACME solver configuration specified for domain \"cd.apps.argoproj.io\"")] }),
            "Degraded",
            "Resource validation failed: spec.acme.config: Required value: no ACME solver configuration specified for domain \"cd.apps.argoproj.io\"",
        ],
        ["Certificate healthy_issued", cm("Certificate", { conditions: [validated, cond("Ready", "True", "CertIssued", "Certificate issued successfully")] }), "Healthy", "Certificate issued successfully"],
        ["Certificate healthy_renewed", cm("Certificate", { conditions: [cond("Ready", "True", "CertRenewed", "Certificate renewed successfully"), validated] }), "Healthy", "Certificate renewed successfully"],
        ["Issuer progressing_noStatus", cm("Issuer"), "Progressing", "Initializing issuer"],
        ["Issuer healthy_registered", cm("Issuer", { conditions: [registered] }), "Healthy", registered.message],
        ["Issuer degraded_acmeFailed", cm("Issuer", { conditions: [acmeFailed] }), "Degraded", acmeFailed.message],
        ["ClusterIssuer progressing_noStatus", cm("ClusterIssuer"), "Progressing", "Initializing ClusterIssuer"],
        ["ClusterIssuer healthy_registered", cm("ClusterIssuer", { conditions: [registered] }), "Healthy", registered.message],
        ["ClusterIssuer degraded_acmeFailed", cm("ClusterIssuer", { conditions: [acmeFailed] }), "Degraded", acmeFailed.message],
    ]);
});

describe("external-secrets.io/ExternalSecret", () => {
    const es = (status?: object): LiveObject => ({
        apiVersion: "external-secrets.io/v1beta1", kind: "ExternalSecret", metadata: { name: "s", generation: 1 }, spec: {}, ...(status ? { status } : {}),
    });
    const failed = 'could not get secret data from provider: key "secret/sa/example" from ExternalSecret "test-degraded"';
    check([
        ["progressing", es(), "Progressing", "Waiting for ExternalSecret"],
        ["degraded", es({ conditions: [cond("Ready", "False", "SecretSyncedError", failed)] }), "Degraded", failed],
        ["healthy", es({ conditions: [cond("Ready", "True", "SecretSynced", "Secret was synced")] }), "Healthy", "Secret was synced"],
    ]);
});

describe("Flux", () => {
    const flux = (apiVersion: string, kind: string, spec: object, status?: object): LiveObject => ({
        apiVersion, kind, metadata: { name: "podinfo", namespace: "default" }, spec, ...(status ? { status } : {}),
    });
    const hr = (status?: object, spec: object = {}) => flux("helm.toolkit.fluxcd.io/v2", "HelmRelease", spec, status);
    const ks = (status?: object, spec: object = {}) => flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", spec, status);
    const upgrading = [cond("Reconciling", "True", "Progressing", "Running 'upgrade' action with timeout of 5m0s"), cond("Ready", "Unknown", "Progressing", "Running 'upgrade' action with timeout of 5m0s"), cond("Released", "True", "InstallSucceeded", "Helm install succeeded")];
    const installed = [cond("Ready", "True", "InstallSucceeded", "Helm install succeeded"), cond("Released", "True", "InstallSucceeded", "Helm install succeeded")];
    const rolledBack = [
        cond("Reconciling", "True", "ProgressingWithRetry", "Helm rollback to previous release succeeded"),
        cond("Ready", "False", "RollbackSucceeded", "Helm rollback to previous release succeeded"),
        cond("Released", "False", "UpgradeFailed", "Helm upgrade failed"),
        cond("Remediated", "True", "RollbackSucceeded", "Helm rollback to previous release succeeded"),
    ];
    check([
        ["HelmRelease progressing", hr({ conditions: upgrading }), "Progressing", "Progressing"],
        ["HelmRelease degraded (rolled back)", hr({ conditions: rolledBack }), "Degraded", "RollbackSucceeded"],
        ["HelmRelease healthy", hr({ conditions: installed }), "Healthy", "InstallSucceeded"],
        ["HelmRelease suspended (actions/testdata/suspended_helmrelease)", hr({ conditions: installed }, { suspend: true }), "Suspended", "HelmRelease is suspended"],
        ["HelmRelease not reconciled yet", hr(), "Progressing", "Status unknown"],
        ["HelmRelease with a status but no conditions", hr({ observedGeneration: 1 }), "Progressing", "Status unknown"],
        // The Lua counts successes and compares with exactly 2: an empty list counts 0 (Degraded), and a
        // release whose tests also passed counts 3, which Argo CD calls Degraded as well.
        ["HelmRelease with an empty condition list", hr({ conditions: [] }), "Degraded"],
        ["HelmRelease tested (Ready, Released and TestSuccess True)", hr({ conditions: [...installed, cond("TestSuccess", "True", "TestSucceeded", "Helm test succeeded")] }), "Degraded", "InstallSucceeded"],
        ["HelmRelease Ready and TestSuccess, no Released", hr({ conditions: [installed[0], cond("TestSuccess", "True", "TestSucceeded", "Helm test succeeded")] }), "Healthy", "InstallSucceeded"],
        ["HelmRelease Released but not Ready", hr({ conditions: [cond("Ready", "False", "UpgradeFailed", "x"), installed[1]] }), "Degraded", "UpgradeFailed"],
        ["Kustomization progressing", ks({ conditions: upgrading }), "Progressing", "Progressing"],
        ["Kustomization degraded", ks({ observedGeneration: -1, conditions: [cond("Ready", "False", "ArtifactFailed", 'GitRepository.source.toolkit.fluxcd.io "podinfo" not found')] }), "Degraded", "ArtifactFailed"],
        ["Kustomization healthy", ks({ conditions: installed }), "Healthy", "InstallSucceeded"],
        ["Kustomization suspended", ks({}, { suspend: true }), "Suspended", "Kustomization is suspended"],
        // Kustomization's Lua has no Released: only Ready counts, and it must be exactly one.
        ["Kustomization Ready True twice", ks({ conditions: [installed[0], installed[0]] }), "Degraded", "InstallSucceeded"],
    ]);
});

describe("argoproj.io/Workflow (gitops-engine pkg/health/health_test.go TestGetArgoWorkflowHealth)", () => {
    const wf = (status?: object): LiveObject => ({
        apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "wf" }, spec: { entrypoint: "sampleEntryPoint" }, ...(status ? { status } : {}),
    });
    check([
        ["running", wf({ phase: "Running", message: "This node is running" }), "Progressing", "This node is running"],
        ["succeeded", wf({ phase: "Succeeded", message: "This node is has succeeded" }), "Healthy", "This node is has succeeded"],
        ["not started", wf(), "Progressing"],
        ["pending", wf({ phase: "Pending" }), "Progressing"],
        ["failed", wf({ phase: "Failed", message: "child failed" }), "Degraded", "child failed"],
        ["errored", wf({ phase: "Error" }), "Degraded"],
        ["an unknown phase", wf({ phase: "Skipped" }), "Unknown"],
    ]);
});

describe("argoproj.io/Application (gitops-engine pkg/health/testdata/application-*.yaml)", () => {
    const app = (status?: object): LiveObject => ({
        apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "child", namespace: "argocd" }, spec: {}, ...(status ? { status } : {}),
    });
    check([
        ["application-healthy", app({ health: { status: "Healthy" } }), "Healthy"],
        ["application-degraded", app({ health: { status: "Degraded", message: "child resource failed" } }), "Degraded", "child resource failed"],
        ["a child not yet assessed", app(), "Progressing"],
        ["a child with a status but no health yet", app({ sync: { status: "OutOfSync" } }), "Progressing"],
        ["a suspended child", app({ health: { status: "Suspended" } }), "Suspended"],
        ["an unrecognised status", app({ health: { status: "Sleeping" } }), "Unknown"],
    ]);
});
