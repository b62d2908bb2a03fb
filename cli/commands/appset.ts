// `syncwave appset generate FILE`: the Applications an ApplicationSet generates, offline and without a
// cluster, exactly as a sync would generate them: the same generators, templates and checks. Git
// generators read the repository (the same cache a sync uses); the clusters generator reads the
// stack's syncwave:clusters.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { stringify } from "yaml";
import type { ClusterConnection } from "../../components/cluster-connection";
import { validateApplicationSet } from "../../components/fleet/applicationset-spec";
import { fleetClusters } from "../../components/fleet/fleet-clusters";
import { generateApplications, generatedManifest } from "../../components/fleet/generate";
import { rollingSyncSteps } from "../../components/fleet/rolling-sync";
import { parseManifests } from "../../components/source/render";
import { fetchRevision, gitCacheDir } from "../../components/source/git";
import { applicationFromManifest } from "../../components/stack-config";
import { SyncWaveInputError } from "../../components/sync/errors";
import { configObject, readProjectFile, stackConfigFile, stackConfigValues } from "../fast/stack-files";

export interface GeneratedApplicationView {
    applicationSet: string;
    /** The RollingSync step it belongs to (1 without a strategy), or undefined when it matches none. */
    step?: number;
    manifest: Record<string, unknown>;
    params: Record<string, unknown>;
}

/** The stack's syncwave:clusters, when the project and stack file exist; none otherwise. */
function stackClusters(cwd: string, stack: string): Record<string, ClusterConnection> {
    try {
        const values = stackConfigValues(stackConfigFile(cwd, readProjectFile(cwd), stack).text);
        return configObject<Record<string, ClusterConnection>>(values, "syncwave:clusters") ?? {};
    } catch {
        return {};
    }
}

export async function generateFromFile(file: string, options: { cwd: string; stack: string }): Promise<GeneratedApplicationView[]> {
    const path = resolve(file);
    const shown = relative(process.cwd(), path) || path;
    const clusters = fleetClusters(stackClusters(options.cwd, options.stack));
    const cacheDir = gitCacheDir(options.cwd);
    const views: GeneratedApplicationView[] = [];
    for (const { manifest } of parseManifests("", shown, readFileSync(path, "utf8"))) {
        if (manifest.apiVersion !== "argoproj.io/v1alpha1" || manifest.kind !== "ApplicationSet") {
            throw new SyncWaveInputError(`expected argoproj.io/v1alpha1 ApplicationSet, found ${manifest.apiVersion} ${manifest.kind}`, { file: shown, resource: manifest.metadata?.name, field: "kind" });
        }
        const name = manifest.metadata?.name;
        if (!name) throw new SyncWaveInputError("ApplicationSet has no metadata.name", { file: shown, field: "metadata.name" });
        const spec = validateApplicationSet(name, manifest.spec as Record<string, unknown>, { file: shown, field: "spec" });
        const generated = await generateApplications(
            name,
            spec,
            {
                clusters,
                checkout: async (repoURL, revision) => {
                    const f = await fetchRevision(repoURL, revision, { cacheDir, baseDir: options.cwd });
                    return { dir: f.checkoutDir, commit: f.commit };
                },
            },
            { file: shown, field: "spec" },
        );
        const steps = spec.strategy?.type === "RollingSync" ? rollingSyncSteps(generated.map((g) => ({ name: g.name, labels: g.labels ?? {} })), spec.strategy) : undefined;
        for (const g of generated) {
            const appManifest = generatedManifest(g);
            // Checked as a sync checks it: an Application field SyncWave does not know is refused here too.
            applicationFromManifest(appManifest as never, `${shown} (ApplicationSet ${name})`);
            const step = steps ? steps.steps.find((s) => s.applications.flat().includes(g.name))?.step : 1;
            views.push({ applicationSet: name, ...(step !== undefined ? { step } : {}), manifest: appManifest, params: g.params });
        }
    }
    return views;
}

export function formatGenerated(views: readonly GeneratedApplicationView[]): string {
    return views
        .map((v) => {
            const step = v.step === undefined ? "in no RollingSync step: not synced" : `step ${v.step}`;
            return `# ApplicationSet ${v.applicationSet}, ${step}\n${stringify(v.manifest)}`;
        })
        .join("---\n");
}
