// How a YAML syntax error is shown: its first line and where it is, so a multi-line message from the
// `yaml` package (which quotes the source) stays one readable line in an error naming the file.
import type { YAMLError } from "yaml";

export function yamlErrorText(error: YAMLError): string {
    const line = error.linePos?.[0]?.line;
    return `invalid YAML${line ? ` at line ${line}` : ""}: ${error.message.split("\n")[0]}`;
}
