// The Applications `syncwave images update` looks at: those of the stack's configuration as the
// program reads them (readDeclarations: Projects assigned, fields checked), with the annotations of
// their Argo CD manifests (syncwave:manifests). Applications declared in stack configuration or in
// TypeScript have no annotations, and generated ones (ApplicationSets, app of apps) exist only while
// the program runs: none of them carries Image Updater settings.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { ApplicationSpec } from "../../components/application-spec";
import { yamlFiles } from "../../components/platform/yaml-files";
import { parseManifests } from "../../components/source/render";
import { isArgoApplication, readDeclarations } from "../../components/stack-config";
import { configObject, readProjectFile, stackConfigFile, stackConfigValues } from "../fast/stack-files";

export interface DeclaredApplication {
    name: string;
    spec: ApplicationSpec;
    annotations: Record<string, string>;
    /** The manifest file it comes from, relative to the Pulumi project. */
    file: string;
}

export function declaredApplications(cwd: string, stack: string): DeclaredApplication[] {
    const project = readProjectFile(cwd);
    const values = stackConfigValues(stackConfigFile(cwd, project, stack).text);
    const manifests = configObject<string[]>(values, "syncwave:manifests") ?? [];
    const declarations = readDeclarations(
        {
            platform: configObject(values, "syncwave:platform"),
            projects: configObject(values, "syncwave:projects"),
            applications: configObject(values, "syncwave:applications"),
            manifests,
            applicationSets: configObject(values, "syncwave:applicationSets"),
        },
        cwd,
    );
    const result: DeclaredApplication[] = [];
    for (const path of manifests) {
        for (const file of yamlFiles(resolve(cwd, path))) {
            const shown = relative(cwd, file);
            for (const { manifest } of parseManifests("", shown, readFileSync(file, "utf8"))) {
                const name = manifest.metadata?.name;
                if (!isArgoApplication(manifest) || !name || !declarations.applications[name]) continue;
                result.push({ name, spec: declarations.applications[name], annotations: (manifest.metadata.annotations ?? {}) as Record<string, string>, file: shown });
            }
        }
    }
    return result;
}
