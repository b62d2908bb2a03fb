import * as pulumi from "@pulumi/pulumi";

/** Resolves an Input to its value inside the program (used for secrets that must not be logged). */
export function valueOf<T>(input: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (input === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => pulumi.output(input).apply((v) => resolve(v as T)));
}
