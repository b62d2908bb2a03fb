// One value of a stack's configuration as Pulumi reads it (secrets decrypted), through the automation
// API: for what the stack's YAML file cannot answer by itself (an encrypted value, or a stack whose
// configuration lives in the backend).
import { openStack, type StackOptions } from "./stack";

/** The value of `key` (e.g. syncwave:pins), parsed as JSON (a map or list set with --path); undefined when unset. */
export async function stackConfigJson(options: StackOptions, key: string): Promise<unknown> {
    const all = await (await openStack(options)).getAllConfig();
    const value = all[key]?.value;
    return value ? (JSON.parse(value) as unknown) : undefined;
}
