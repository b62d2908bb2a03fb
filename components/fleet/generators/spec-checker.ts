// Reading an ApplicationSet spec: every refusal names the file, the ApplicationSet and the field.
import { SyncWaveInputError } from "../../sync/errors";
import { isPlainObject } from "./go-values";

export class SpecChecker {
    constructor(
        readonly setName: string,
        readonly file: string | undefined,
    ) {}

    fail(field: string, message: string): never {
        throw new SyncWaveInputError(message, { file: this.file, resource: `ApplicationSet ${this.setName}`, field });
    }

    object(value: unknown, field: string): Record<string, unknown> {
        if (!isPlainObject(value)) this.fail(field, `must be a map, found ${describe(value)}`);
        return value;
    }

    /**
     * Refuses any key not in `known`; a key of `refused` is refused with its reason (a field Argo CD
     * has and SyncWave does not do), so no field is ever read as if it were not there.
     */
    fields(value: Record<string, unknown>, field: string, known: readonly string[], refused: Readonly<Record<string, string>> = {}): void {
        for (const key of Object.keys(value)) {
            if (Object.hasOwn(refused, key)) this.fail(`${field}.${key}`, refused[key]);
            if (!known.includes(key)) this.fail(`${field}.${key}`, `unknown field (expected one of ${known.join(", ")})`);
        }
    }

    string(value: unknown, field: string): string {
        if (typeof value !== "string") this.fail(field, `must be a string, found ${describe(value)}`);
        return value;
    }

    optionalString(value: unknown, field: string): string | undefined {
        return value === undefined ? undefined : this.string(value, field);
    }

    boolean(value: unknown, field: string): boolean | undefined {
        if (value === undefined) return undefined;
        if (typeof value !== "boolean") this.fail(field, `must be true or false, found ${describe(value)}`);
        return value;
    }

    list(value: unknown, field: string): unknown[] {
        if (!Array.isArray(value)) this.fail(field, `must be a list, found ${describe(value)}`);
        return value;
    }

    stringList(value: unknown, field: string): string[] {
        return this.list(value, field).map((v, i) => this.string(v, `${field}[${i}]`));
    }

    stringMap(value: unknown, field: string): Record<string, string> {
        const map = this.object(value, field);
        for (const [key, v] of Object.entries(map)) this.string(v, `${field}.${key}`);
        return map as Record<string, string>;
    }
}

export function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a map";
    return `${typeof value} ${JSON.stringify(value)}`;
}
