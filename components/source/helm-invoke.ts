// The options of the Kubernetes provider's `kubernetes:helm:template` invoke (pulumi-kubernetes
// provider/pkg/provider/invoke_helm_template.go `HelmChartOpts`) for one chart render. Test hooks are
// never rendered by it (include_test_hook_resources stays false): Argo CD renders them but never applies
// them (a helm.sh/hook of test has no Argo CD hook type), so `skipTests` changes nothing applied.
import type { HelmTemplateRequest } from "./helm-options";

export interface HelmTemplateInvokeOptions {
    path: string;
    values: Record<string, unknown>;
    release_name: string;
    namespace?: string;
    kube_version?: string;
    api_versions?: string[];
    skip_crd_rendering?: boolean;
}

export function helmTemplateOptions(request: HelmTemplateRequest): HelmTemplateInvokeOptions {
    return {
        path: request.chartDir,
        values: request.values,
        release_name: request.releaseName,
        ...(request.namespace ? { namespace: request.namespace } : {}),
        ...(request.kubeVersion ? { kube_version: request.kubeVersion } : {}),
        ...(request.apiVersions?.length ? { api_versions: request.apiVersions } : {}),
        ...(request.skipCrds ? { skip_crd_rendering: true } : {}),
    };
}
