// The YAML files a configured path stands for: the file itself, or the .yaml/.yml files directly in a
// folder, in name order (so declarations and their errors come out the same on every run).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function yamlFiles(path: string): string[] {
    if (statSync(path).isFile()) return [path];
    return readdirSync(path)
        .sort()
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(path, f));
}
